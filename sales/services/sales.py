"""Cash sales (→ SalesReceipt) and account charges (→ Invoice): create, update, void."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from sales.models import SALE_ADDRESS_FIELDS, PaymentMethod, Sale, SaleLine, TaxCode
from sales.selectors import customer_balance_parts, sale_credit_applied, sale_payments_applied
from sales.services.balances import customer_balance_refresh, sale_balance_refresh
from sales.services.inventory import inventory_apply, negate
from sales.services.lines import LineInput, lines_totals, lines_write, quantities_by_item, resolve_lines
from sales.services.numbering import document_number_next
from sales.services.rules import dollars, is_manager, lock, lock_active_customer, refuse, to_decimal
from sales.services.totals import ZERO
from syncportal.outbox.services import Operation, Origin, outbox_record

PREFIX = {Sale.Kind.CASH: "CS-", Sale.Kind.CHARGE: "INV-"}
QBO_ENTITY = {Sale.Kind.CASH: "SalesReceipt", Sale.Kind.CHARGE: "Invoice"}


def _clean_discount(value) -> Decimal:
    percent = to_decimal(value or 0, label="The discount", field="discount_percent")
    if not percent.is_finite() or not 0 <= percent <= 100 or percent != percent.quantize(Decimal("0.01")):
        refuse(
            "A discount is a percentage between 0 and 100, at most two decimals.", field="discount_percent"
        )
    return percent


def _clean_addresses(addresses: Mapping[str, str] | None) -> dict[str, str]:
    unknown = sorted(set(addresses or {}) - set(SALE_ADDRESS_FIELDS))
    if unknown:
        refuse(f"Unknown address fields: {', '.join(unknown)}.", field="addresses")
    return {name: (value or "").strip() for name, value in (addresses or {}).items()}


def _active_tax_code(tax_code: TaxCode | None) -> TaxCode | None:
    if tax_code is None:
        return None
    tax_code = TaxCode.objects.get(pk=tax_code.pk)
    if not tax_code.is_active:
        refuse(f"Tax code {tax_code.name} is inactive.", field="tax_code", code="inactive")
    return tax_code


def tax_rate_for(*, customer: Customer | None, tax_code: TaxCode | None) -> Decimal | None:
    """Tax-exempt customers pay no tax whatever the code; otherwise the code's rate (None = no tax)."""
    if tax_code is None or (customer is not None and customer.tax_exempt):
        return None
    return tax_code.rate


def _approve_credit(
    *, customer: Customer, total: Decimal, already_owed_here: Decimal, override_by, reason: str
) -> tuple[AbstractBaseUser | None, str]:
    """Refuse a charge beyond the customer's available credit unless a manager approves it.

    The customer row is locked by the caller, so two charges cannot both use the same credit.
    Returns the (manager, reason) to record, or (None, "") when no override was needed.
    """
    if customer.credit_limit is None:
        return None, ""
    # From the ledger, not the stored balance: the stored figure may be one refresh behind.
    owed_elsewhere = customer_balance_parts(customer=customer).balance - already_owed_here
    available = customer.credit_limit - owed_elsewhere
    if total <= available:
        return None, ""
    message = f"Over the credit limit by {dollars(total - available)}; a manager must approve."
    if override_by is None or not is_manager(override_by):
        refuse(message, code="credit_limit")
    if not (reason or "").strip():
        refuse(
            "Give the reason for allowing this charge over the credit limit.",
            field="credit_override_reason",
            code="credit_limit_reason",
        )
    return override_by, reason.strip()


def sale_create(
    *,
    kind: str,
    date: datetime.date,
    lines: Sequence[LineInput],
    customer: Customer | None = None,
    discount_percent: Decimal = ZERO,
    tax_code: TaxCode | None = None,
    customer_po: str = "",
    memo: str = "",
    payment_method: str = "",
    due_date: datetime.date | None = None,
    addresses: Mapping[str, str] | None = None,
    credit_override_by: AbstractBaseUser | None = None,
    credit_override_reason: str = "",
    number: str = "",
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> Sale:
    """Record a cash sale or an account charge, take the goods out of stock and mark it for sync.

    Refuses: a walk-in account charge, a cash sale without a payment method, inactive customers,
    items or tax codes, and a charge beyond the customer's available credit unless
    ``credit_override_by`` is a manager and a reason is given (both are recorded on the sale).
    A tax-exempt customer pays no tax. Stock may go negative (see ``sales.services.inventory``).
    ``number`` keeps a number given elsewhere (QuickBooks' DocNumber); blank takes the next one.
    A charge entered in QuickBooks (``origin=Origin.QBO``) already happened there: it is recorded
    whatever the credit limit, or the two books would disagree.
    ``addresses`` are the order's billing and shipping address (``bill_line1`` … ``ship_country``).
    """
    if kind not in Sale.Kind.values:
        refuse("Choose a cash sale or an account charge.", field="kind")
    if date is None:
        refuse("Enter the date of the sale.", field="date")
    is_charge = kind == Sale.Kind.CHARGE
    if is_charge and customer is None:
        refuse("An account charge needs a customer; only cash sales can be walk-in.", field="customer")
    if is_charge and payment_method:
        refuse(
            "An account charge is paid later with a payment; leave the payment method blank.",
            field="payment_method",
        )
    if not is_charge and payment_method not in PaymentMethod.values:
        refuse("Choose how the cash sale was paid.", field="payment_method")
    if not is_charge and due_date is not None:
        refuse("A cash sale is paid at the register; it has no due date.", field="due_date")
    if due_date is not None and due_date < date:
        refuse("The due date cannot be before the sale date.", field="due_date")
    discount_percent = _clean_discount(discount_percent)
    address_values = _clean_addresses(addresses)

    with transaction.atomic():
        # Lock order everywhere: customer, then documents by id, then items by id.
        customer = lock_active_customer(customer)
        tax_code = _active_tax_code(tax_code)
        if customer is not None and customer.tax_exempt:
            tax_code = None
        resolved = resolve_lines(lines)
        totals = lines_totals(
            resolved,
            discount_percent=discount_percent,
            tax_rate=tax_rate_for(customer=customer, tax_code=tax_code),
        )
        override_by, override_reason = None, ""
        if is_charge and origin != Origin.QBO:
            override_by, override_reason = _approve_credit(
                customer=customer,
                total=totals.total,
                already_owed_here=ZERO,
                override_by=credit_override_by,
                reason=credit_override_reason,
            )
        sale = Sale.objects.create(
            number=number or document_number_next(model=Sale, prefix=PREFIX[kind]),
            kind=kind,
            customer=customer,
            date=date,
            memo=memo,
            customer_po=customer_po,
            discount_percent=discount_percent,
            tax_code=tax_code,
            payment_method=payment_method if not is_charge else "",
            due_date=due_date,
            subtotal=totals.subtotal,
            discount_amount=totals.discount_amount,
            tax_total=totals.tax_total,
            total=totals.total,
            balance_due=totals.total if is_charge else ZERO,
            credit_override_by=override_by,
            credit_override_reason=override_reason,
            created_by=actor if getattr(actor, "pk", None) else None,
            **address_values,
        )
        lines_write(model=SaleLine, parent={"sale": sale}, lines=resolved)
        inventory_apply(deltas=negate(quantities_by_item(resolved)))
        outbox_record(
            instance=sale,
            operation=Operation.CREATE,
            actor=actor,
            origin=origin,
            details={"qbo_entity": QBO_ENTITY[kind], "credit_override": override_by is not None},
        )
        if is_charge:
            customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return sale


def _refuse_if_settled(sale: Sale, action: str) -> None:
    if sale.is_void:
        refuse(f"{sale} is void; it cannot be {action}.", code="void")
    paid = sale_payments_applied(sale=sale)
    if paid:
        refuse(
            f"{sale} has {dollars(paid)} of payments applied; un-apply or void those payments before "
            f"it can be {action}.",
            code="payments_applied",
        )
    credited = sale_credit_applied(sale=sale)
    if credited:
        refuse(
            f"{sale} has {dollars(credited)} of store credit applied; remove that credit before it can "
            f"be {action}.",
            code="credit_applied",
        )


def sale_update(
    *,
    sale: Sale,
    lines: Sequence[LineInput] | None = None,
    memo: str | None = None,
    customer_po: str | None = None,
    discount_percent: Decimal | None = None,
    due_date: datetime.date | None = None,
    credit_override_by: AbstractBaseUser | None = None,
    credit_override_reason: str = "",
    actor: AbstractBaseUser | None = None,
    origin: str = Origin.LOCAL,
) -> Sale:
    """Change the lines, memo, customer PO, discount or due date of a sale nothing was applied to.

    ``None`` leaves a field as it is. Totals are recomputed with the sale's tax code, stock moves by
    the difference between the old and new lines, and a charge that grows is checked against the
    credit limit again. Customer, kind and date are fixed: void the sale and record a new one.
    """
    with transaction.atomic():
        customer = lock_active_customer(sale.customer) if sale.customer_id else None
        sale = lock(sale)
        _refuse_if_settled(sale, "changed")
        changed: list[str] = []
        for field, value in (("memo", memo), ("customer_po", customer_po)):
            if value is not None and value != getattr(sale, field):
                setattr(sale, field, value)
                changed.append(field)
        if discount_percent is not None:
            discount_percent = _clean_discount(discount_percent)
            if discount_percent != sale.discount_percent:
                sale.discount_percent = discount_percent
                changed.append("discount_percent")
        if due_date is not None and due_date != sale.due_date:
            if sale.kind != Sale.Kind.CHARGE:
                refuse("A cash sale is paid at the register; it has no due date.", field="due_date")
            if due_date < sale.date:
                refuse("The due date cannot be before the sale date.", field="due_date")
            sale.due_date = due_date
            changed.append("due_date")

        old_lines = list(sale.lines.all())
        old_quantities = quantities_by_item(old_lines)
        if lines is not None:
            resolved = resolve_lines(lines)
            as_before = [
                (x.item_id, x.description, x.quantity, x.unit_price, x.amount, x.taxable) for x in old_lines
            ]
            as_now = [
                (x.item.pk, x.description, x.quantity, x.unit_price, x.amount, x.taxable) for x in resolved
            ]
            if as_before != as_now:
                changed.append("lines")
        if not changed:
            return sale

        line_amounts = resolved if "lines" in changed else old_lines
        totals = lines_totals(
            line_amounts,
            discount_percent=sale.discount_percent,
            tax_rate=tax_rate_for(customer=customer, tax_code=sale.tax_code),
        )
        if sale.kind == Sale.Kind.CHARGE and totals.total > sale.total and origin != Origin.QBO:
            override_by, reason = _approve_credit(
                customer=customer,
                total=totals.total,
                already_owed_here=sale.balance_due,
                override_by=credit_override_by,
                reason=credit_override_reason,
            )
            if override_by is not None:
                sale.credit_override_by, sale.credit_override_reason = override_by, reason
                changed += ["credit_override_by", "credit_override_reason"]
        for field in ("subtotal", "discount_amount", "tax_total", "total"):
            if getattr(totals, field) != getattr(sale, field):
                setattr(sale, field, getattr(totals, field))
                changed.append(field)
        if sale.kind == Sale.Kind.CHARGE:
            sale.balance_due = sale.total  # nothing is applied (checked above)
        sale.save()
        if "lines" in changed:
            sale.lines.all().delete()
            lines_write(model=SaleLine, parent={"sale": sale}, lines=resolved)
            deltas = dict(old_quantities)
            for item_id, quantity in quantities_by_item(resolved).items():
                deltas[item_id] = deltas.get(item_id, ZERO) - quantity
            inventory_apply(deltas=deltas)
        outbox_record(
            instance=sale, operation=Operation.UPDATE, changed_fields=changed, actor=actor, origin=origin
        )
        if customer is not None and sale.kind == Sale.Kind.CHARGE:
            customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return sale


def sale_void(*, sale: Sale, actor: AbstractBaseUser | None = None, origin: str = Origin.LOCAL) -> Sale:
    """Void a sale: it stays on file with its lines, owes nothing, and its goods go back on hand.

    Refused while payments or store credit are applied (un-apply them first) and while a refund or
    store credit was issued against it (void that first, or the goods would come back twice).
    """
    with transaction.atomic():
        customer = lock(sale.customer) if sale.customer_id else None
        sale = lock(sale)
        if sale.is_void:
            refuse(f"{sale} is already void.", code="void")
        _refuse_if_settled(sale, "voided")
        returned = [*sale.refunds.filter(is_void=False), *sale.store_credits.filter(is_void=False)]
        if returned:
            refuse(
                f"{returned[0]} was issued against {sale}; void it before voiding the sale.",
                code="returns_issued",
            )
        sale.is_void = True
        sale.voided_at = timezone.now()
        sale.save(update_fields=["is_void", "voided_at", "updated_at"])
        sale_balance_refresh(sale=sale)
        inventory_apply(deltas=quantities_by_item(sale.lines.all()))
        outbox_record(
            instance=sale,
            operation=Operation.VOID,
            changed_fields=["is_void"],
            actor=actor,
            origin=origin,
            details={"qbo_entity": QBO_ENTITY[sale.kind]},
        )
        if customer is not None and sale.kind == Sale.Kind.CHARGE:
            customer_balance_refresh(customer=customer, actor=actor, origin=origin)
    return sale
