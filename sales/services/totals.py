"""Money arithmetic for sales documents: pure functions, no database.

Rules (the same ones QuickBooks applies when "apply discount before tax" is on):
- a line amount is quantity x unit price, rounded half-up to the cent;
- the whole-document discount is a percent of the subtotal, rounded once;
- tax is charged on the taxable lines *after* the discount, rounded once for the document;
- total = subtotal - discount + tax.
Rounding happens once per figure (never on intermediate results), so a document total is
reproducible from its lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
# DecimalField(max_digits=12, decimal_places=2) holds values below 10**10.
MONEY_LIMIT = Decimal("10000000000")


def money(value: Decimal | int | str) -> Decimal:
    """``value`` rounded half-up to the cent (Decimal only: floats never reach money)."""
    if isinstance(value, float):
        raise TypeError("Money is Decimal, never float.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity x unit price, rounded half-up to the cent."""
    return money(Decimal(quantity) * Decimal(unit_price))


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount_amount: Decimal
    tax_total: Decimal
    total: Decimal


def document_totals(
    lines: Iterable[tuple[Decimal, bool]],
    *,
    discount_percent: Decimal = ZERO,
    tax_rate: Decimal | None = None,
) -> Totals:
    """Totals for lines given as ``(amount, taxable)``; ``tax_rate`` is a percent (None = no tax)."""
    lines = list(lines)
    discount_percent = Decimal(discount_percent)
    subtotal = money(sum((amount for amount, _ in lines), ZERO))
    taxable = sum((amount for amount, is_taxable in lines if is_taxable), ZERO)
    discount_amount = money(subtotal * discount_percent / HUNDRED)
    tax_total = ZERO
    if tax_rate:
        # The discount reduces the taxable base proportionally; exact until the single rounding.
        tax_total = money(taxable * (HUNDRED - discount_percent) / HUNDRED * Decimal(tax_rate) / HUNDRED)
    return Totals(
        subtotal=subtotal,
        discount_amount=discount_amount,
        tax_total=tax_total,
        total=subtotal - discount_amount + tax_total,
    )
