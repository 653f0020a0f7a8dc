"""Sales-form lines (§3.5 steps 3-7): amounts, line Ids, the generated subtotal line, tax.

``Amount`` is authoritative; ``Qty × UnitPrice`` must match it when both are non-zero (6070).
python-quickbooks sends ``Qty: 0, UnitPrice: 0`` next to a real Amount, which QBO accepts.
"""

from __future__ import annotations

from decimal import Decimal

from .. import faults
from ..timefmt import emit, money, number
from .context import Ctx

LINE_TYPES = (
    "SalesItemLineDetail",
    "GroupLineDetail",
    "DescriptionOnly",
    "DiscountLineDetail",
    "SubTotalLineDetail",
)


def _amount(value, field: str = "Amount") -> Decimal:
    try:
        return money(value)
    except ValueError:
        raise faults.invalid_property(f"Can not construct BigDecimal from '{value}'", field) from None


def _item(ctx: Ctx, detail: dict) -> None:
    ref = detail.get("ItemRef")
    if not ref:
        return
    value = str(ref.get("value", ""))
    item = ctx.lookup("Item", value)
    if item is None:
        raise faults.invalid_reference(f"Item element id {value} not found")
    if not item.active:
        raise faults.not_found(element="ItemRef")
    if item.doc.get("Type") == "Category":
        raise faults.invalid_reference(
            "An item in this transaction is set up as a category instead of a product or service."
        )
    detail["ItemRef"] = {"value": item.id, "name": item.doc.get("Name")}


def _sales_item(ctx: Ctx, line: dict) -> Decimal:
    detail = dict(line.get("SalesItemLineDetail") or {})
    _item(ctx, detail)
    qty = number(detail["Qty"]) if detail.get("Qty") not in (None, "") else Decimal(0)
    price = number(detail["UnitPrice"]) if detail.get("UnitPrice") not in (None, "") else Decimal(0)
    if line.get("Amount") in (None, ""):
        if not (qty and price):
            raise faults.required("Amount")
        amount = money(qty * price)
    else:
        amount = _amount(line["Amount"])
        if qty and price and money(qty * price) != amount:
            raise faults.amount_mismatch(line["Amount"])
    if qty and not price:
        price = amount / qty
    for key, value in (("Qty", qty), ("UnitPrice", price)):
        if value:
            detail[key] = emit(value.normalize() if value == value.to_integral_value() else value)
        else:
            detail.pop(key, None)
    detail.pop("TaxInclusiveAmt", None)
    detail.setdefault("TaxCodeRef", {"value": "NON"})
    line["SalesItemLineDetail"] = detail
    line["Amount"] = emit(amount)
    return amount


def compute_lines(ctx: Ctx, lines: list[dict], previous: list[dict] | None) -> tuple[list[dict], dict]:
    """Normalise lines; returns (lines incl. the subtotal line, totals)."""
    used_ids = {str(line.get("Id")) for line in previous or [] if line.get("Id")}
    next_id = max((int(i) for i in used_ids if i.isdigit()), default=0) + 1
    out: list[dict] = []
    subtotal = taxable = Decimal(0)
    discounts: list[dict] = []
    for raw in lines:
        line = {k: v for k, v in raw.items() if k not in ("LineNum", "LinkedTxn", "CustomField")}
        kind = line.get("DetailType")
        if not kind:
            raise faults.required("Line.DetailType")
        if kind not in LINE_TYPES:
            raise faults.bad_enum("DetailType", kind)
        if kind == "SubTotalLineDetail":
            continue  # server-generated; regenerated below
        if str(line.get("Id", "")) in used_ids and line.get("Id"):
            line["Id"] = str(line["Id"])
        else:
            line["Id"] = str(next_id)
            next_id += 1
        if kind == "SalesItemLineDetail":
            amount = _sales_item(ctx, line)
            subtotal += amount
            if (line["SalesItemLineDetail"].get("TaxCodeRef") or {}).get("value") == "TAX":
                taxable += amount
        elif kind == "GroupLineDetail":
            inner = (line.get("GroupLineDetail") or {}).get("Line") or []
            amount = (
                _amount(line["Amount"])
                if line.get("Amount") not in (None, "")
                else money(sum((_amount(i.get("Amount", 0)) for i in inner), Decimal(0)))
            )
            line["Amount"] = emit(amount)
            subtotal += amount
        elif kind == "DiscountLineDetail":
            discounts.append(line)
        else:
            line.setdefault("DescriptionLineDetail", line.pop("DescriptionOnly", {}) or {})
            if line.get("Amount") not in (None, ""):
                line["Amount"] = emit(_amount(line["Amount"]))
        out.append(line)
    discount_total = Decimal(0)
    for line in discounts:
        detail = line.get("DiscountLineDetail") or {}
        if detail.get("PercentBased") and detail.get("DiscountPercent") is not None:
            amount = money(subtotal * number(detail["DiscountPercent"]) / 100)
        else:
            amount = _amount(line.get("Amount", 0))
        line["Amount"] = emit(amount)
        discount_total += amount
    for index, line in enumerate(out, start=1):
        line["LineNum"] = index
    out.append(
        {"Amount": emit(money(subtotal)), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
    )
    return out, {"subtotal": money(subtotal), "taxable": money(taxable), "discount": money(discount_total)}


def compute_tax(ctx: Ctx, detail: dict | None, taxable: Decimal) -> tuple[dict, Decimal]:
    """TxnTaxDetail: rates of the referenced tax code applied to the TAX-coded lines."""
    code_ref = (detail or {}).get("TxnTaxCodeRef")
    if not code_ref or not code_ref.get("value"):
        return {"TotalTax": 0}, Decimal(0)
    code = ctx.lookup("TaxCode", str(code_ref["value"]))
    if code is None:
        raise faults.invalid_reference(f"TaxCode element id {code_ref['value']} not found")
    tax_lines, total = [], Decimal(0)
    for rate_detail in (code.doc.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []:
        rate_ref = rate_detail.get("TaxRateRef") or {}
        rate = ctx.lookup("TaxRate", str(rate_ref.get("value", "")))
        percent = number(rate.doc.get("RateValue", 0)) if rate else Decimal(0)
        amount = money(taxable * percent / 100)
        total += amount
        tax_lines.append(
            {
                "Amount": emit(amount),
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": {"value": str(rate_ref.get("value", ""))},
                    "PercentBased": True,
                    "TaxPercent": emit(percent),
                    "NetAmountTaxable": emit(taxable),
                },
            }
        )
    out = {"TxnTaxCodeRef": {"value": code.id}, "TotalTax": emit(money(total)), "TaxLine": tax_lines}
    return out, money(total)


def zero_lines(lines: list[dict]) -> list[dict]:
    """Void: every amount and quantity becomes 0 and unit prices disappear (§3.5)."""
    out = []
    for line in lines:
        line = dict(line)
        if "Amount" in line:
            line["Amount"] = 0
        detail = line.get("SalesItemLineDetail")
        if isinstance(detail, dict):
            detail = {k: v for k, v in detail.items() if k != "UnitPrice"}
            detail["Qty"] = 0
            line["SalesItemLineDetail"] = detail
        out.append(line)
    return out
