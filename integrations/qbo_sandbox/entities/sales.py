"""Invoice, SalesReceipt, CreditMemo and RefundReceipt: the sales forms (§3.5, §3.6, §3.8, §3.9).

One handler class parametrised per form. Invoices and credit memos carry an open amount
(``Balance`` / ``RemainingCredit``) that payments reduce; receipts and refunds are settled at once.
Inventory items move with the lines: sales take stock out, credit memos and refunds put it back.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from .. import faults
from ..store import Record
from ..timefmt import cents, emit, money, parse_date
from . import ledger
from .base import COMMON_READONLY, Handler, check_enum, check_text
from .context import Ctx
from .lines import compute_lines, compute_tax, zero_lines

SALES_TYPES = ("Invoice", "SalesReceipt", "CreditMemo", "RefundReceipt")
TXN_TYPES = (*SALES_TYPES, "Payment")
USD = {"value": "USD", "name": "United States Dollar"}
PRINT_STATUS = ("NotSet", "NeedToPrint", "PrintComplete")
EMAIL_STATUS = ("NotSet", "NeedToSend", "EmailSent")


def void_note(note: str | None) -> str:
    return f"Voided - {note}" if note else "Voided"


class SalesFormHandler(Handler):
    kind = "txn"
    can_delete = True
    readonly = COMMON_READONLY | {
        "TotalAmt",
        "Balance",
        "HomeBalance",
        "HomeTotalAmt",
        "RemainingCredit",
        "InvoiceLink",
        "LinkedTxn",
        "DeliveryInfo",
        "CurrencyRef",
        "ExchangeRate",
    }

    def __init__(self, name: str, customer_required: bool, has_balance: bool, stock_sign: int) -> None:
        self.name = name
        self.customer_required = customer_required
        self.has_balance = has_balance  # Invoice and CreditMemo stay open until paid / applied
        self.stock_sign = stock_sign
        self.can_void = name in ("Invoice", "SalesReceipt", "CreditMemo")

    # --- create / update -------------------------------------------------------------------------

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        customer = self._customer(ctx, data)
        lines = data.get("Line")
        if not lines:
            raise faults.required("Line")
        previous = current.doc.get("Line") if current is not None else None
        data["Line"], totals = compute_lines(ctx, lines, previous)
        data["TxnTaxDetail"], tax = compute_tax(ctx, data.get("TxnTaxDetail"), totals["taxable"])
        total = money(totals["subtotal"] - totals["discount"] + tax)
        data["TotalAmt"] = emit(total)
        data["TxnDate"] = data.get("TxnDate") or str(ctx.today())
        check_enum(data, "PrintStatus", PRINT_STATUS)
        check_enum(data, "EmailStatus", EMAIL_STATUS)
        data.setdefault("PrintStatus", "NotSet")
        if self.name != "RefundReceipt":
            data.setdefault("EmailStatus", "NotSet")
        data["CurrencyRef"] = USD
        check_text(data, {"DocNumber": 21, "PrivateNote": 4000, "PaymentRefNum": 100}, ())
        self._doc_number(ctx, data, current)
        self._accounts(ctx, data)
        if customer is not None and self.name != "RefundReceipt":
            for key in ("BillAddr", "ShipAddr"):
                if key not in data and customer.doc.get(key):
                    data[key] = customer.doc[key]
        record = self.new_record(ctx, current, data)
        record.customer_id = customer.id if customer else None
        if self.name == "Invoice":
            self._invoice(ctx, data, customer)
        self._open_amount(ctx, record, total)
        return record

    def _customer(self, ctx: Ctx, data: dict) -> Record | None:
        ref = data.get("CustomerRef")
        if not ref or not str(ref.get("value", "")).strip():
            if self.customer_required:
                raise faults.required("CustomerRef")
            data.pop("CustomerRef", None)
            return None
        customer = ctx.resolve(ref, ("Customer",), "Names", "CustomerRef")
        data["CustomerRef"] = {"value": customer.id, "name": customer.doc.get("DisplayName")}
        return customer

    def _doc_number(self, ctx: Ctx, data: dict, current: Record | None) -> None:
        number = data.get("DocNumber")
        if not number:
            if current is not None and current.doc.get("DocNumber"):
                data["DocNumber"] = current.doc["DocNumber"]
                return
            value = int(ctx.store.db.get_meta(f"docnumber:{ctx.realm}", "0") or 0)
            value = max(value + 1, ctx.config.docnumber_start)
            ctx.store.db.conn.execute(
                "INSERT INTO meta(key, value) VALUES(?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (f"docnumber:{ctx.realm}", str(value)),
            )
            data["DocNumber"] = str(value)
            return
        prefs = ctx.lookup("Preferences", "1")
        custom = ((prefs.doc if prefs else {}).get("SalesFormsPrefs") or {}).get("CustomTxnNumbers")
        if custom and not ctx.allow_duplicate_docnumber:
            for other in ctx.store.select(
                "realm = ? AND type = ? AND deleted = 0 AND json_extract(doc, '$.DocNumber') = ?",
                (ctx.realm, self.name, number),
            ):
                if current is None or other.id != current.id:
                    raise faults.duplicate_docnumber(number, self.name, other.id)

    def _accounts(self, ctx: Ctx, data: dict) -> None:
        if self.name == "RefundReceipt" and not data.get("DepositToAccountRef"):
            raise faults.required("DepositToAccountRef")
        if self.name == "SalesReceipt":
            data.setdefault("DepositToAccountRef", {"value": ctx.config.undeposited_funds_account_id})
        if data.get("DepositToAccountRef"):
            account = ctx.resolve(
                data["DepositToAccountRef"], ("Account",), "Accounts", "DepositToAccountRef"
            )
            if self.name == "RefundReceipt" and account.doc.get("AccountType") not in (
                "Bank",
                "Other Current Asset",
            ):
                raise faults.bad_account_type(account.doc.get("AccountType", ""))
            data["DepositToAccountRef"] = {"value": account.id, "name": account.doc.get("Name")}
        if data.get("PaymentMethodRef"):
            method = ctx.resolve(
                data["PaymentMethodRef"], ("PaymentMethod",), "PaymentMethod", "PaymentMethodRef"
            )
            data["PaymentMethodRef"] = {"value": method.id, "name": method.doc.get("Name")}
        if self.name == "RefundReceipt":
            check_enum(data, "PaymentType", ("Cash", "Check", "CreditCard", "Other"))

    def _invoice(self, ctx: Ctx, data: dict, customer: Record) -> None:
        data["AllowIPNPayment"] = False
        data.setdefault("Deposit", 0)
        term_ref = data.get("SalesTermRef") or customer.doc.get("SalesTermRef")
        if not term_ref:
            prefs = ctx.lookup("Preferences", "1")
            default = ((prefs.doc if prefs else {}).get("SalesFormsPrefs") or {}).get("DefaultTerms")
            term_ref = default if isinstance(default, dict) else None
        if data.get("SalesTermRef"):
            term = ctx.resolve(data["SalesTermRef"], ("Term",), "Term", "SalesTermRef")
            data["SalesTermRef"] = {"value": term.id, "name": term.doc.get("Name")}
        if not data.get("DueDate"):
            term = ctx.lookup("Term", str(term_ref["value"])) if term_ref else None
            days = int((term.doc.get("DueDays") or 0) if term else 0)
            data["DueDate"] = str(parse_date(data["TxnDate"]) + timedelta(days=days))

    def _open_amount(self, ctx: Ctx, record: Record, total: Decimal) -> None:
        doc = record.doc
        if not self.has_balance:
            doc["Balance"] = 0
            record.ar_cents = 0
            return
        applied = Decimal(ledger.applied_cents(ctx, self.name, record.id)) / 100 if record.id else Decimal(0)
        remaining = total - money(doc.get("Deposit", 0)) - applied
        if remaining < 0:
            raise faults.business(
                "The transaction total cannot be less than the amount already applied to it."
            )
        doc["Balance"] = emit(remaining)
        links = ctx.store.links_to(ctx.realm, self.name, record.id) if record.id else []
        doc["LinkedTxn"] = [{"TxnId": source, "TxnType": "Payment"} for source, _ in links]
        if self.name == "CreditMemo":
            doc["RemainingCredit"] = emit(remaining)
            record.ar_cents = -cents(remaining)
        else:
            record.ar_cents = cents(remaining)

    def after_save(self, ctx: Ctx, old: Record | None, new: Record) -> None:
        before = ledger.inventory_moves(ctx, old.doc, self.stock_sign) if old and not old.voided else {}
        after = {} if new.voided or new.deleted else ledger.inventory_moves(ctx, new.doc, self.stock_sign)
        ledger.apply_inventory(ctx, before, after)
        if old is not None and old.customer_id != new.customer_id:
            ledger.refresh_customer(ctx, old.customer_id)
        ledger.refresh_customer(ctx, new.customer_id)

    # --- delete / void -----------------------------------------------------------------------------

    def _unlinked(self, ctx: Ctx, record: Record, action: str) -> None:
        if self.has_balance and ctx.store.links_to(ctx.realm, self.name, record.id):
            raise faults.business(
                f"You must unlink any linked transactions associated with the {self.name.lower()} "
                f"before you {action} it."
            )

    def delete(self, ctx: Ctx, record: Record) -> None:
        self._unlinked(ctx, record, "delete")
        record.deleted = True
        record.ar_cents = 0

    def void(self, ctx: Ctx, record: Record) -> Record:
        if not self.can_void:
            raise faults.unsupported("Void")
        self._unlinked(ctx, record, "void")
        doc = record.doc
        doc["Line"] = zero_lines(doc.get("Line") or [])
        doc["TotalAmt"] = 0
        doc["Balance"] = 0
        if "RemainingCredit" in doc:
            doc["RemainingCredit"] = 0
        tax = dict(doc.get("TxnTaxDetail") or {})
        tax["TotalTax"] = 0
        tax.pop("TaxLine", None)
        doc["TxnTaxDetail"] = tax
        doc["PrivateNote"] = void_note(doc.get("PrivateNote"))
        record.voided = True
        record.ar_cents = 0
        return record
