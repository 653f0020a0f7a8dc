"""Payment: applies money to invoices and credit memos (§3.7).

Each line links one Invoice (money in) or CreditMemo (credit used). ``UnappliedAmt`` =
TotalAmt − Σ invoice lines + Σ credit-memo lines is the overpayment left on account; it may not be
negative. Applying a credit memo to an invoice is a Payment with ``TotalAmt: 0`` and one line each.
Links live in ``txn_link``; the linked documents' open amounts are recomputed from them.
"""

from __future__ import annotations

from decimal import Decimal

from .. import faults
from ..store import Record
from ..timefmt import cents, emit, money
from . import ledger
from .base import COMMON_READONLY, Handler, check_text
from .context import Ctx
from .sales import USD, void_note

LINKABLE = ("Invoice", "CreditMemo")


class PaymentHandler(Handler):
    name = "Payment"
    kind = "txn"
    can_delete = True
    can_void = True
    readonly = COMMON_READONLY | {"UnappliedAmt", "CurrencyRef", "ExchangeRate", "Balance"}

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        ref = data.get("CustomerRef")
        if not ref or not str(ref.get("value", "")).strip():
            raise faults.required("CustomerRef")
        customer = ctx.resolve(ref, ("Customer",), "Names", "CustomerRef")
        data["CustomerRef"] = {"value": customer.id, "name": customer.doc.get("DisplayName")}
        if data.get("TotalAmt") in (None, ""):
            raise faults.business("You must set a transaction amount.")
        try:
            total = money(data["TotalAmt"])
        except ValueError:
            raise faults.invalid_property("TotalAmt", "TotalAmt") from None
        if total < 0:
            raise faults.business("The payment amount cannot be negative.")
        source_id = current.id if current is not None else None
        lines, links, unapplied = self._lines(ctx, data.get("Line") or [], customer, total, source_id)
        data["Line"] = lines
        data["TotalAmt"] = emit(total)
        data["UnappliedAmt"] = emit(unapplied)
        data["TxnDate"] = data.get("TxnDate") or str(ctx.today())
        data["CurrencyRef"] = USD
        data.setdefault("ProcessPayment", False)
        check_text(data, {"PaymentRefNum": 21, "PrivateNote": 4000}, ())
        deposit = data.get("DepositToAccountRef") or {"value": ctx.config.undeposited_funds_account_id}
        account = ctx.resolve(deposit, ("Account",), "Accounts", "DepositToAccountRef")
        data["DepositToAccountRef"] = {"value": account.id, "name": account.doc.get("Name")}
        if data.get("PaymentMethodRef"):
            method = ctx.resolve(
                data["PaymentMethodRef"], ("PaymentMethod",), "PaymentMethod", "PaymentMethodRef"
            )
            data["PaymentMethodRef"] = {"value": method.id, "name": method.doc.get("Name")}
        record = self.new_record(ctx, current, data)
        record.customer_id = customer.id
        record.ar_cents = -cents(unapplied)
        record.extra["links"] = links
        return record

    def _lines(self, ctx: Ctx, raw_lines: list, customer: Record, total: Decimal, source_id: str | None):
        lines, links = [], []
        applied = Decimal(0)
        for raw in raw_lines:
            linked = raw.get("LinkedTxn") or []
            if not linked:
                raise faults.required("Line.LinkedTxn")
            target = linked[0]
            txn_type, txn_id = target.get("TxnType"), str(target.get("TxnId", ""))
            if txn_type not in LINKABLE:
                raise faults.business(f"A payment cannot be applied to a {txn_type}.")
            try:
                amount = money(raw.get("Amount", 0))
            except ValueError:
                raise faults.invalid_property("Amount", "Amount") from None
            if amount <= 0:
                raise faults.business("The amount applied to a transaction must be greater than zero.")
            record = ctx.store.get(ctx.realm, txn_type, txn_id)
            if record is None:
                raise faults.invalid_reference(f"Txn element id {txn_id} not found")
            if record.deleted:
                raise faults.deleted()
            if record.customer_id != customer.id:
                raise faults.business(f"{txn_type} {txn_id} belongs to another customer.")
            open_amount = money(record.doc.get("TotalAmt", 0)) - money(record.doc.get("Deposit", 0))
            open_amount -= Decimal(ledger.applied_cents(ctx, txn_type, txn_id, source_id)) / 100
            if record.voided:
                open_amount = Decimal(0)
            if amount > open_amount and ctx.config.reject_payment_over_open_balance:
                raise faults.business(
                    f"The amount applied to {txn_type} {txn_id} ({amount}) is more than its open balance "
                    f"({open_amount})."
                )
            applied += amount if txn_type == "Invoice" else -amount
            links.append((txn_type, txn_id, cents(amount)))
            lines.append({"Amount": emit(amount), "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]})
        unapplied = total - applied
        if unapplied < 0:
            raise faults.business("The amount applied is more than the payment total and the credits used.")
        return lines, links, unapplied

    def after_save(self, ctx: Ctx, old: Record | None, new: Record) -> None:
        old_links = ctx.store.links_from(ctx.realm, new.id) if old is not None else []
        new_links = [] if new.deleted or new.voided else new.extra.get("links", old_links)
        if new_links != old_links:
            ctx.store.replace_links(ctx.realm, new.id, new_links)
        for txn_type, txn_id in {(t, i) for t, i, _ in old_links + new_links}:
            ledger.refresh_target(ctx, txn_type, txn_id)
        if old is not None and old.customer_id != new.customer_id:
            ledger.refresh_customer(ctx, old.customer_id)
        ledger.refresh_customer(ctx, new.customer_id)

    def delete(self, ctx: Ctx, record: Record) -> None:
        record.deleted = True
        record.ar_cents = 0

    def void(self, ctx: Ctx, record: Record) -> Record:
        doc = record.doc
        doc["Line"] = []
        doc["TotalAmt"] = 0
        doc["UnappliedAmt"] = 0
        doc["PrivateNote"] = void_note(doc.get("PrivateNote"))
        record.voided = True
        record.ar_cents = 0
        return record
