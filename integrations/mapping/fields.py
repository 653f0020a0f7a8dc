"""The fields a mapping can name: SyncPortal's local fields and QuickBooks Online's field paths.

QuickBooks paths, types, length limits and required flags follow the QBO spec, §3.1 (Customer), §3.2
(Item) and §3.5-3.9 (Invoice, SalesReceipt, Payment, CreditMemo, RefundReceipt). A limit of ``None``
means the spec states none. Paths are dotted (``BillAddr.City``); a reference is named either by
``XRef.value`` (a QuickBooks id) or ``XRef.name`` (a QuickBooks name that the sync engine turns into
the id before sending). Custom fields are named ``CustomField[Name]`` / ``custom_fields[Name]``, and
``[*]`` means "every custom field, by the same name on both sides".

Fields with ``managed`` set are filled by the sync engine or a sync setting and cannot be mapped;
``read_only`` fields can only be read (QuickBooks: towards SyncPortal; local: towards QuickBooks).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from integrations.mapping.choices import Entity

TEXT, NUMBER, BOOL, DATE, REF, CUSTOM = "text", "number", "bool", "date", "ref", "custom"
TYPE_WORDS = {
    TEXT: "text",
    NUMBER: "a number",
    BOOL: "yes/no",
    DATE: "a date",
    REF: "a QuickBooks id",
    CUSTOM: "a custom field",
}
CUSTOM_PATH = re.compile(r"^(?P<base>CustomField|custom_fields)\[(?P<name>[^\[\]]+)\]$")
WILDCARD = "*"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    max_length: int | None = None
    read_only: bool = False
    managed: str = ""  # why the engine fills it; non-empty = cannot be mapped


def _f(names: str, type_: str = TEXT, max_length: int | None = None, **kw) -> list[FieldSpec]:
    return [FieldSpec(name, type_, max_length, **kw) for name in names.split()]


def _qbo_address(prefix: str) -> list[FieldSpec]:
    parts = "Line1 Line2 Line3 Line4 Line5 City Country CountrySubDivisionCode PostalCode Note"
    return [FieldSpec(f"{prefix}.{part}", TEXT) for part in parts.split()]


def _local_address(prefix: str) -> list[FieldSpec]:
    return [
        *_f(f"{prefix}_line1 {prefix}_line2", TEXT, 500),
        *_f(f"{prefix}_city {prefix}_region {prefix}_country", TEXT, 255),
        FieldSpec(f"{prefix}_postal_code", TEXT, 30),
    ]


_CUSTOMER_LINK = "set by the sync engine from the parent customer's QuickBooks link"
_TXN_CUSTOMER = "set by the sync engine from the matched customer (see the match rules)"
_LINES = "built by the sync engine from the lines (see the item detail setting)"
_IDENTITY = "kept by the sync engine"

QBO_CUSTOMER = [
    *_f("Title Suffix ResaleNum", TEXT, 16),
    *_f("GivenName MiddleName FamilyName CompanyName PrintOnCheckName", TEXT, 100),
    FieldSpec("DisplayName", TEXT, 500),
    FieldSpec("Notes", TEXT, 2000),
    *_f("PrimaryPhone.FreeFormNumber AlternatePhone.FreeFormNumber Mobile.FreeFormNumber Fax.FreeFormNumber"),
    *_f("PrimaryEmailAddr.Address WebAddr.URI PreferredDeliveryMethod PrimaryTaxIdentifier"),
    *_qbo_address("BillAddr"),
    *_qbo_address("ShipAddr"),
    *_f("Active Taxable", BOOL),
    FieldSpec("TaxExemptionReasonId", NUMBER),
    FieldSpec("OpenBalanceDate", DATE),
    *_f("SalesTermRef.value PaymentMethodRef.value DefaultTaxCodeRef.value CustomerTypeRef.value", REF),
    *_f("SalesTermRef.name PaymentMethodRef.name DefaultTaxCodeRef.name CustomerTypeRef.name"),
    *_f("FullyQualifiedName MetaData.CreateTime MetaData.LastUpdatedTime", TEXT, read_only=True),
    *_f("Balance BalanceWithJobs Level", NUMBER, read_only=True),
    *_f("Id SyncToken", TEXT, managed=_IDENTITY),
    FieldSpec("ParentRef.value", REF, managed=_CUSTOMER_LINK),
    FieldSpec("Job", BOOL, managed=_CUSTOMER_LINK),
    # Not in spec §3.1: QuickBooks keeps customer custom fields only in companies that enabled them.
    # Mappable so "shared when named the same" (QuickBooks POS) can be switched on where it works.
    FieldSpec(f"CustomField[{WILDCARD}]", CUSTOM),
]
QBO_SUB_CUSTOMER = [*QBO_CUSTOMER, FieldSpec("BillWithParent", BOOL)]

QBO_ITEM = [
    *_f("Name Sku", TEXT, 100),
    *_f("Description", TEXT, 4000),
    *_f("PurchaseDesc Type"),
    *_f("Active Taxable TrackQtyOnHand SalesTaxIncluded", BOOL),
    *_f("UnitPrice PurchaseCost QtyOnHand ReorderPoint", NUMBER),
    FieldSpec("InvStartDate", DATE),
    *_f("ExpenseAccountRef.value AssetAccountRef.value SalesTaxCodeRef.value", REF),
    *_f("ExpenseAccountRef.name AssetAccountRef.name SalesTaxCodeRef.name"),
    FieldSpec(
        "IncomeAccountRef.value", REF, managed="chosen by the income account setting (per item or category)"
    ),
    FieldSpec("FullyQualifiedName", TEXT, read_only=True),
    *_f("Id SyncToken", TEXT, managed=_IDENTITY),
]

_TXN_COMMON = [
    FieldSpec("DocNumber", TEXT, 21),
    FieldSpec("TxnDate", DATE),
    FieldSpec("PrivateNote", TEXT, 4000),
    *_f("CustomerMemo.value BillEmail.Address"),
    *_qbo_address("BillAddr"),
    *_qbo_address("ShipAddr"),
    *_f("TxnTaxDetail.TxnTaxCodeRef.value ClassRef.value DepartmentRef.value", REF),
    *_f("TxnTaxDetail.TxnTaxCodeRef.name ClassRef.name DepartmentRef.name"),
    FieldSpec(f"CustomField[{WILDCARD}]", CUSTOM),
    *_f("TotalAmt TxnTaxDetail.TotalTax Balance", NUMBER, read_only=True),
    FieldSpec("CustomerRef.value", REF, managed=_TXN_CUSTOMER),
    FieldSpec("Line", TEXT, managed=_LINES),
    *_f("Id SyncToken", TEXT, managed=_IDENTITY),
]
QBO_SALE = [
    *_TXN_COMMON,
    *_f("DueDate ShipDate", DATE),
    FieldSpec("PaymentRefNum", TEXT, 21),
    FieldSpec("ApplyTaxAfterDiscount", BOOL),
    *_f("PaymentMethodRef.value DepositToAccountRef.value SalesTermRef.value", REF),
    *_f("PaymentMethodRef.name DepositToAccountRef.name SalesTermRef.name"),
]
QBO_PAYMENT = [
    FieldSpec("TxnDate", DATE),
    FieldSpec("TotalAmt", NUMBER),
    *_f("PaymentRefNum PrivateNote"),
    *_f("PaymentMethodRef.value DepositToAccountRef.value ARAccountRef.value", REF),
    *_f("PaymentMethodRef.name DepositToAccountRef.name ARAccountRef.name"),
    FieldSpec("UnappliedAmt", NUMBER, read_only=True),
    FieldSpec("CustomerRef.value", REF, managed=_TXN_CUSTOMER),
    FieldSpec("Line", TEXT, managed="built by the sync engine from the payment's allocations"),
    *_f("Id SyncToken", TEXT, managed=_IDENTITY),
]
QBO_REFUND = [
    *_TXN_COMMON,
    FieldSpec("PaymentRefNum", TEXT, 100),
    FieldSpec("PaymentType", TEXT),
    *_f("PaymentMethodRef.value DepositToAccountRef.value", REF),
    *_f("PaymentMethodRef.name DepositToAccountRef.name"),
]
QBO_CREDIT = [*_TXN_COMMON, FieldSpec("RemainingCredit", NUMBER, read_only=True)]

_COMPUTED = "worked out by SyncPortal"
LOCAL_CUSTOMER = [
    FieldSpec("display_name", TEXT, 500),
    *_f("title suffix resale_number", TEXT, 16),
    *_f("given_name middle_name family_name company_name email", TEXT, 100),
    *_f("phone mobile", TEXT, 30),
    FieldSpec("website", TEXT, 1000),
    *_local_address("bill"),
    *_local_address("ship"),
    FieldSpec("notes", TEXT, 2000),
    *_f("tax_exempt is_active sync_with_quickbooks", BOOL),
    *_f("tax_exemption_reason credit_limit balance", NUMBER),
    FieldSpec("customer_type", TEXT, 100, read_only=True),
    FieldSpec("name", TEXT, read_only=True),
    FieldSpec(f"custom_fields[{WILDCARD}]", CUSTOM),
]
LOCAL_SUB_CUSTOMER = [*LOCAL_CUSTOMER, FieldSpec("bill_with_parent", BOOL)]
LOCAL_ITEM = [
    *_f("name sku category income_account", TEXT, 100),
    FieldSpec("description", TEXT, 4000),
    FieldSpec("kind", TEXT, 16),
    *_f("unit_price quantity_on_hand", NUMBER),
    *_f("taxable is_active", BOOL),
]
_LOCAL_DOCUMENT = [
    FieldSpec("number", TEXT, 21),
    FieldSpec("date", DATE),
    FieldSpec("memo", TEXT, 4000),
    FieldSpec("tax_code", TEXT, 100),
    *_f("subtotal discount_amount tax_total total", NUMBER, read_only=True),
]
LOCAL_SALE = [
    *_LOCAL_DOCUMENT,
    FieldSpec("due_date", DATE),
    FieldSpec("customer_po", TEXT, 30),
    FieldSpec("payment_method", TEXT, 8),
    FieldSpec("kind", TEXT, read_only=True),
    *_f("discount_percent balance_due", NUMBER, read_only=True),
]
LOCAL_PAYMENT = [
    FieldSpec("number", TEXT, 21),
    FieldSpec("date", DATE),
    FieldSpec("amount", NUMBER),
    FieldSpec("method", TEXT, 8),
    FieldSpec("reference", TEXT, 100),
    FieldSpec("memo", TEXT, 4000),
    FieldSpec("unapplied_amount", NUMBER, read_only=True),
]
LOCAL_REFUND = [*_LOCAL_DOCUMENT, FieldSpec("method", TEXT, 8)]
LOCAL_CREDIT = [*_LOCAL_DOCUMENT, FieldSpec("remaining", NUMBER, read_only=True)]

QBO_FIELDS: dict[str, dict[str, FieldSpec]] = {
    entity: {spec.name: spec for spec in specs}
    for entity, specs in {
        Entity.CUSTOMER: QBO_CUSTOMER,
        Entity.SUB_CUSTOMER: QBO_SUB_CUSTOMER,
        Entity.ITEM: QBO_ITEM,
        Entity.SALE: QBO_SALE,
        Entity.PAYMENT: QBO_PAYMENT,
        Entity.REFUND: QBO_REFUND,
        Entity.CREDIT: QBO_CREDIT,
    }.items()
}
LOCAL_FIELDS: dict[str, dict[str, FieldSpec]] = {
    entity: {spec.name: spec for spec in specs}
    for entity, specs in {
        Entity.CUSTOMER: LOCAL_CUSTOMER,
        Entity.SUB_CUSTOMER: LOCAL_SUB_CUSTOMER,
        Entity.ITEM: LOCAL_ITEM,
        Entity.SALE: LOCAL_SALE,
        Entity.PAYMENT: LOCAL_PAYMENT,
        Entity.REFUND: LOCAL_REFUND,
        Entity.CREDIT: LOCAL_CREDIT,
    }.items()
}

# Each group: QuickBooks refuses a create unless at least one field of the group has a value.
_CUSTOMER_NAMES = ("DisplayName", "GivenName", "FamilyName", "CompanyName", "MiddleName", "Title", "Suffix")
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    Entity.CUSTOMER: (_CUSTOMER_NAMES,),
    Entity.SUB_CUSTOMER: (_CUSTOMER_NAMES,),
    Entity.ITEM: (("Name",), ("Type",)),
    Entity.PAYMENT: (("TotalAmt",),),
}

QBO_LABELS = {
    Entity.CUSTOMER: "Customer",
    Entity.SUB_CUSTOMER: "Customer",
    Entity.ITEM: "Item",
    Entity.SALE: "SalesReceipt / Invoice",
    Entity.PAYMENT: "Payment",
    Entity.REFUND: "RefundReceipt",
    Entity.CREDIT: "CreditMemo",
}


@lru_cache(maxsize=4096)  # called per mapping per record on import: 100k customers × 30 mappings
def custom_name(path: str) -> str | None:
    """``CustomField[Tier]`` → ``"Tier"``; ``None`` for any other path."""
    found = CUSTOM_PATH.match(path or "")
    return found["name"].strip() if found else None


def _lookup(catalogue: dict[str, dict[str, FieldSpec]], entity: str, name: str) -> FieldSpec | None:
    fields = catalogue.get(entity, {})
    found = CUSTOM_PATH.match(name or "")
    if found:
        wildcard = fields.get(f"{found['base']}[{WILDCARD}]")
        return FieldSpec(name, CUSTOM) if wildcard else None
    return fields.get(name)


@lru_cache(maxsize=4096)  # the catalogues never change at run time; FieldSpec is frozen
def qbo_field(entity: str, path: str) -> FieldSpec | None:
    return _lookup(QBO_FIELDS, entity, path)


@lru_cache(maxsize=4096)
def local_field(entity: str, name: str) -> FieldSpec | None:
    return _lookup(LOCAL_FIELDS, entity, name)


def mappable(catalogue: dict[str, FieldSpec]) -> list[str]:
    """Names a person may type (managed fields left out), for suggestions and the admin's pick list."""
    return [name for name, spec in catalogue.items() if not spec.managed]


def suggest(name: str, candidates: list[str]) -> str | None:
    """The closest known name to a mistyped one, if any is close."""
    found = difflib.get_close_matches(name or "", candidates, n=1, cutoff=0.75)
    if not found and name:
        folded = {candidate.lower(): candidate for candidate in candidates}
        found = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.75)
        found = [folded[found[0]]] if found else []
    return found[0] if found else None
