"""Reading request bodies the way QBO does (spec §1.1.5 tolerance rules and §4.1).

python-quickbooks serialises every default (``""``, ``0``, ``false``, ``[]``); real QBO accepts
them, so on create and full update an empty string means "not supplied". Values of the wrong JSON
type are rejected with 2010, QBO's answer when its JSON binder cannot build the property.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .. import faults
from ..timefmt import parse_date

BOOL_FIELDS = frozenset(
    [
        "Active",
        "Job",
        "BillWithParent",
        "Taxable",
        "sparse",
        "TrackQtyOnHand",
        "SubItem",
        "SubAccount",
        "AllowIPNPayment",
        "AllowOnlineACHPayment",
        "AllowOnlineCreditCardPayment",
        "ApplyTaxAfterDiscount",
        "FreeFormAddress",
        "IsProject",
        "ProcessPayment",
        "SalesTaxIncluded",
        "PurchaseTaxIncluded",
        "Vendor1099",
        "BillableTime",
        "Organization",
        "PercentBased",
        "TaxGroup",
        "Hidden",
    ]
)
NUMBER_FIELDS = frozenset(
    [
        "Amount",
        "TotalAmt",
        "Balance",
        "BalanceWithJobs",
        "UnitPrice",
        "Qty",
        "QtyOnHand",
        "Deposit",
        "ExchangeRate",
        "UnappliedAmt",
        "RemainingCredit",
        "HomeBalance",
        "HomeTotalAmt",
        "TaxInclusiveAmt",
        "PurchaseCost",
        "CurrentBalance",
        "DiscountPercent",
        "BillRate",
        "CostRate",
        "DueDays",
        "ReorderPoint",
        "LineNum",
        "Level",
        "TotalTax",
        "DiscountAmount",
    ]
)
DATE_FIELDS = frozenset(["TxnDate", "DueDate", "ShipDate", "ServiceDate", "OpenBalanceDate", "InvStartDate"])
LIST_FIELDS = frozenset(["Line", "LinkedTxn", "CustomField", "TaxLine"])
# Fields whose value is a JSON object (references are recognised by their "Ref" suffix).
OBJECT_SUFFIXES = ("Addr", "Phone", "Detail", "Payment", "Info", "Email", "EmailCc", "EmailBcc")
OBJECT_FIELDS = frozenset(["MetaData", "Mobile", "Fax", "CustomerMemo", "MarkupInfo", "LineEx", "BillEmail"])
KEEP_EMPTY_LISTS = frozenset({"Line"})
MAX_NUMBER = Decimal("1e15")  # beyond any real amount; keeps Decimal quantize() within its precision


def _is_object_field(key: str) -> bool:
    return key in OBJECT_FIELDS or key.endswith("Ref") or key.endswith(OBJECT_SUFFIXES)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    return "Object"


def _binder_error(key: str, expected: str, value: object) -> faults.Fault:
    shown = value if isinstance(value, str | int | float) else _type_name(value)
    return faults.invalid_property(
        f"Can not construct instance of {expected} from {_type_name(value)} value '{shown}' for {key}", key
    )


def check_value(key: str, value: object) -> object:
    """Coerce one property like Jackson would, or raise 2010 (``""`` is "not supplied", §1.1.5)."""
    if value is None or value == "":
        return value
    if key in BOOL_FIELDS:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _binder_error(key, "boolean", value)
    if key in NUMBER_FIELDS:
        if isinstance(value, bool | dict | list):
            raise _binder_error(key, "java.math.BigDecimal", value)
        try:
            parsed = Decimal(str(value).strip())
        except InvalidOperation:
            raise _binder_error(key, "java.math.BigDecimal", value) from None
        if not parsed.is_finite() or abs(parsed) >= MAX_NUMBER:
            raise _binder_error(key, "java.math.BigDecimal", value)
        return value
    if key in DATE_FIELDS:
        if not isinstance(value, str) or parse_date(value[:10]) is None:
            raise _binder_error(key, "java.util.Date", value)
        return value[:10]
    if key in LIST_FIELDS:
        if not isinstance(value, list):
            raise _binder_error(key, "java.util.List", value)
        return [
            check_dict(item, f"{key}[]") if isinstance(item, dict) else _bad_item(key, item) for item in value
        ]
    if _is_object_field(key):
        if not isinstance(value, dict):
            raise _binder_error(key, "com.intuit.schema.finance.v3." + key, value)
        checked = check_dict(value, key)
        if key.endswith("Ref") and "value" in checked:
            if isinstance(checked["value"], dict | list | bool):
                raise _binder_error(key, "java.lang.String", checked["value"])
            checked["value"] = str(checked["value"])
        return checked
    if isinstance(value, dict | list):
        raise _binder_error(key, "java.lang.String", value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _bad_item(key: str, item: object) -> dict:
    raise _binder_error(key, "com.intuit.schema.finance.v3.Line", item)


def check_dict(data: dict, where: str = "") -> dict:
    return {key: check_value(key, value) for key, value in data.items()}


def drop_empty(value: object, top: bool = True) -> object:
    """Remove ``""``/``None`` values (and empty lists other than ``Line``) recursively."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is None or item == "":
                continue
            if isinstance(item, list) and not item and key not in KEEP_EMPTY_LISTS:
                continue
            out[key] = drop_empty(item, top=False)
        return out
    if isinstance(value, list):
        return [drop_empty(item, top=False) for item in value]
    return value


def prepare_body(body: object) -> dict:
    """Type-check a create / update body (a JSON object) and coerce its values."""
    if not isinstance(body, dict):
        raise faults.invalid_property(
            f"Can not deserialize instance of the entity out of {_type_name(body)} token", ""
        )
    return check_dict(body)


def is_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")
