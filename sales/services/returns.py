"""What refunds and store credit share: goods coming back, checked against the sale they came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from customers.models import Customer
from sales.models import Sale, TaxCode
from sales.selectors import sale_returned_quantities
from sales.services.lines import LineInput, ResolvedLine, lines_totals, quantities_by_item, resolve_lines
from sales.services.rules import lock, lock_active_customer, refuse
from sales.services.sales import tax_rate_for
from sales.services.totals import ZERO, Totals


@dataclass(frozen=True)
class PreparedReturn:
    customer: Customer | None
    original_sale: Sale | None
    tax_code: TaxCode | None
    lines: list[ResolvedLine]
    totals: Totals


def _check_quantities(original_sale: Sale, lines: list[ResolvedLine]) -> None:
    sold = quantities_by_item(original_sale.lines.all())
    returned = sale_returned_quantities(sale=original_sale)
    names = {line.item.pk: line.item.name for line in lines}
    for item_id, quantity in quantities_by_item(lines).items():
        if item_id not in sold:
            refuse(f"{names[item_id]} was not sold on {original_sale.number}.", code="not_sold")
        left = sold[item_id] - returned.get(item_id, ZERO)
        if quantity > left:
            refuse(
                f"{sold[item_id].normalize():f} of {names[item_id]} sold on {original_sale.number}, "
                f"{returned.get(item_id, ZERO).normalize():f} already returned: at most {left.normalize():f} "
                "more can be returned.",
                code="over_returned",
            )


def return_prepare(
    *,
    customer: Customer | None,
    original_sale: Sale | None,
    tax_code: TaxCode | None,
    lines: Sequence[LineInput],
    restock: bool,
) -> PreparedReturn:
    """Lock and validate the customer and original sale, price the lines and compute totals.

    Against an original sale the customer defaults to the sale's, prices default to what was charged
    on it, its discount and tax code apply again, and no item may come back more often than it was
    sold (counting earlier non-void refunds and store credit). Runs inside the caller's transaction.
    """
    if original_sale is not None and customer is None:
        customer = original_sale.customer
    customer = lock_active_customer(customer)
    discount = ZERO
    prices: dict[int, Decimal] = {}
    if original_sale is not None:
        # Locked so two returns against one sale cannot both take the last returnable unit.
        original_sale = lock(original_sale)
        if original_sale.is_void:
            refuse(
                f"{original_sale.number} is void; nothing can be returned against it.", field="original_sale"
            )
        if original_sale.customer_id and original_sale.customer_id != getattr(customer, "pk", None):
            refuse(f"{original_sale.number} was sold to {original_sale.customer}.", field="original_sale")
        discount = original_sale.discount_percent
        tax_code = tax_code or original_sale.tax_code
        for line in original_sale.lines.all():
            prices.setdefault(line.item_id, line.unit_price)
    elif tax_code is not None:
        tax_code = TaxCode.objects.get(pk=tax_code.pk)
        if not tax_code.is_active:
            refuse(f"Tax code {tax_code.name} is inactive.", field="tax_code", code="inactive")
    if customer is not None and customer.tax_exempt:
        tax_code = None
    resolved = resolve_lines(lines, default_prices=prices, restock=restock)
    if original_sale is not None:
        _check_quantities(original_sale, resolved)
    totals = lines_totals(
        resolved, discount_percent=discount, tax_rate=tax_rate_for(customer=customer, tax_code=tax_code)
    )
    return PreparedReturn(
        customer=customer, original_sale=original_sale, tax_code=tax_code, lines=resolved, totals=totals
    )


def restocked_quantities(lines) -> dict[int, Decimal]:
    """Quantity per item of the lines marked ``restock`` (what went back on the shelf)."""
    return quantities_by_item(line for line in lines if line.restock)
