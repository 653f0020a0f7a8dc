"""Line input for sales documents, resolved against the item list (prices, taxability, activity)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sales.models import Item, LineBase
from sales.services.rules import clean_amount, refuse, to_decimal
from sales.services.totals import MONEY_LIMIT, Totals, document_totals, line_amount

QTY_STEP = Decimal("0.001")
QTY_LIMIT = Decimal("1000000000")  # DecimalField(max_digits=12, decimal_places=3)


@dataclass(frozen=True)
class LineInput:
    """One line as a caller gives it; ``None`` means "the item's own value"."""

    item: Item
    quantity: Decimal
    unit_price: Decimal | None = None
    description: str = ""
    taxable: bool | None = None


@dataclass(frozen=True)
class ReturnLineInput(LineInput):
    """A line of a refund or store credit; ``restock=None`` follows the document's ``restock``."""

    restock: bool | None = None


@dataclass(frozen=True)
class ResolvedLine:
    item: Item
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    description: str
    taxable: bool
    restock: bool = False


def resolve_lines(
    lines: Sequence[LineInput],
    *,
    default_prices: Mapping[int, Decimal] | None = None,
    restock: bool = False,
) -> list[ResolvedLine]:
    """Validate ``lines`` and fill in prices and taxability from the current item rows.

    ``default_prices`` (item id -> price) replaces the list price, e.g. the price on the sale being
    refunded. Refuses: no lines, quantities that are not positive, inactive items, bad prices.
    """
    if not lines:
        refuse("Add at least one line.", field="lines", code="no_lines")
    items = Item.objects.in_bulk([line.item.pk for line in lines])
    resolved = []
    for number, line in enumerate(lines, start=1):
        item = items.get(line.item.pk)
        if item is None:
            refuse(f"Line {number}: the item no longer exists.", code="missing_item")
        if not item.is_active:
            refuse(f"Line {number}: {item} is inactive and cannot be sold or returned.", code="inactive")
        quantity = to_decimal(line.quantity, label=f"Line {number}: the quantity")
        if not quantity.is_finite() or quantity <= 0:
            refuse(
                f"Line {number}: the quantity must be greater than zero "
                "(record returned goods as a refund or store credit).",
                code="quantity_not_positive",
            )
        if quantity != quantity.quantize(QTY_STEP) or quantity >= QTY_LIMIT:
            refuse(f"Line {number}: the quantity can have at most three decimals.", code="quantity")
        if line.unit_price is None:
            unit_price = (default_prices or {}).get(item.pk, item.unit_price)
        else:
            unit_price = clean_amount(line.unit_price, label=f"Line {number}: the price", allow_zero=True)
        amount = line_amount(quantity, unit_price)
        if amount >= MONEY_LIMIT:
            refuse(f"Line {number}: the amount is too large.", code="amount")
        line_restock = getattr(line, "restock", None)
        resolved.append(
            ResolvedLine(
                item=item,
                quantity=quantity,
                unit_price=unit_price,
                amount=amount,
                description=(line.description or "").strip(),
                taxable=item.taxable if line.taxable is None else bool(line.taxable),
                restock=restock if line_restock is None else bool(line_restock),
            )
        )
    return resolved


def lines_totals(
    lines: Iterable[ResolvedLine], *, discount_percent: Decimal, tax_rate: Decimal | None
) -> Totals:
    return document_totals(
        ((line.amount, line.taxable) for line in lines), discount_percent=discount_percent, tax_rate=tax_rate
    )


def lines_write(*, model: type[LineBase], parent: dict, lines: Iterable[ResolvedLine]) -> None:
    """Insert the line rows of a document (``parent`` = ``{"sale": sale}`` etc.)."""
    has_restock = any(field.name == "restock" for field in model._meta.fields)
    model.objects.bulk_create(
        [
            model(
                **parent,
                item=line.item,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                taxable=line.taxable,
                **({"restock": line.restock} if has_restock else {}),
            )
            for line in lines
        ]
    )


def quantities_by_item(lines: Iterable) -> dict[int, Decimal]:
    """Total quantity per item id (for lines, resolved lines or line rows alike)."""
    totals: dict[int, Decimal] = {}
    for line in lines:
        item_id = line.item_id if hasattr(line, "item_id") else line.item.pk
        totals[item_id] = totals.get(item_id, Decimal("0")) + line.quantity
    return totals
