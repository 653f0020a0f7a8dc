"""The configuration a new install starts with: QuickBooks' standard fields, both ways for customers.

Shipped by the data migration ``integrations.0002_default_mapping``; a test checks that these rows
pass every validation, so the defaults never start out broken.
"""

from __future__ import annotations

from integrations.mapping.choices import Applies, ConflictPolicy, Direction, Entity, MatchKind
from integrations.mapping.engine import MappingSpec
from integrations.mapping.matching import MatchRuleSpec

BOTH, TO, FROM, OFF = Direction.BOTH, Direction.TO_QBO, Direction.FROM_QBO, Direction.OFF
NEWEST, QBO, ASK = ConflictPolicy.NEWEST_WINS, ConflictPolicy.QBO_WINS, ConflictPolicy.ASK
NOT_TAXABLE = {"map": {"true": False, "false": True}}  # local "tax exempt" is QuickBooks' "not Taxable"

_CUSTOMER = [
    ("display_name", "DisplayName"),
    ("title", "Title"),
    ("given_name", "GivenName"),
    ("middle_name", "MiddleName"),
    ("family_name", "FamilyName"),
    ("suffix", "Suffix"),
    ("company_name", "CompanyName"),
    ("email", "PrimaryEmailAddr.Address"),
    ("phone", "PrimaryPhone.FreeFormNumber"),
    ("mobile", "Mobile.FreeFormNumber"),
    ("website", "WebAddr.URI"),
    *[
        (f"{local}_{part}", f"{qbo}.{path}")
        for local, qbo in (("bill", "BillAddr"), ("ship", "ShipAddr"))
        for part, path in (
            ("line1", "Line1"),
            ("line2", "Line2"),
            ("city", "City"),
            ("region", "CountrySubDivisionCode"),
            ("postal_code", "PostalCode"),
            ("country", "Country"),
        )
    ],
    ("resale_number", "ResaleNum"),
    ("tax_exemption_reason", "TaxExemptionReasonId"),
    ("is_active", "Active"),
]


def _customer(entity: str) -> list[MappingSpec]:
    rows = [MappingSpec(entity, local, qbo, BOTH, NEWEST) for local, qbo in _CUSTOMER]
    rows += [
        MappingSpec(entity, "notes", "Notes", BOTH, NEWEST, "trim"),
        MappingSpec(entity, "tax_exempt", "Taxable", BOTH, NEWEST, "value_map", NOT_TAXABLE),
        # QuickBooks keeps the balance (it sees payments made there): its figure overwrites ours.
        MappingSpec(entity, "balance", "Balance", FROM, QBO),
        # Shared by name, as QuickBooks POS does; off until the company has customer custom fields.
        MappingSpec(entity, "custom_fields[*]", "CustomField[*]", OFF, NEWEST),
        # Customer type shared by name (QuickBooks POS's option); off until the company has the same
        # types in QuickBooks (Settings → Lists → Customer types), which the API cannot create.
        MappingSpec(entity, "customer_type", "CustomerTypeRef.name", OFF, NEWEST),
    ]
    if entity == Entity.SUB_CUSTOMER:
        rows.append(MappingSpec(entity, "bill_with_parent", "BillWithParent", BOTH, NEWEST))
    return rows


_ITEM_TYPES = {"map": {"inventory": "Inventory", "non_inventory": "NonInventory", "service": "Service"}}
_REFUND_TYPES = {"map": {"cash": "Cash", "card": "CreditCard", "check": "Check", "other": "Other"}}
_METHODS = {"map": "payment_methods", "unmapped": "blank"}
_TAX_CODES = {"map": "tax_codes"}


def _document(entity: str) -> list[MappingSpec]:
    return [
        MappingSpec(entity, "number", "DocNumber", TO, ASK),
        MappingSpec(entity, "date", "TxnDate", TO, ASK),
        MappingSpec(entity, "memo", "PrivateNote", TO, ASK, "trim"),
        MappingSpec(entity, "tax_code", "TxnTaxDetail.TxnTaxCodeRef.name", TO, ASK, "value_map", _TAX_CODES),
    ]


DEFAULT_MAPPINGS: list[MappingSpec] = [
    *_customer(Entity.CUSTOMER),
    *_customer(Entity.SUB_CUSTOMER),
    MappingSpec(Entity.ITEM, "name", "Name", BOTH, NEWEST),
    MappingSpec(Entity.ITEM, "sku", "Sku", BOTH, NEWEST),
    MappingSpec(Entity.ITEM, "description", "Description", BOTH, NEWEST),
    MappingSpec(Entity.ITEM, "kind", "Type", TO, NEWEST, "value_map", _ITEM_TYPES),
    MappingSpec(Entity.ITEM, "unit_price", "UnitPrice", BOTH, NEWEST),
    MappingSpec(Entity.ITEM, "taxable", "Taxable", BOTH, NEWEST),
    MappingSpec(Entity.ITEM, "is_active", "Active", BOTH, NEWEST),
    MappingSpec(Entity.ITEM, "quantity_on_hand", "QtyOnHand", FROM, QBO),
    *_document(Entity.SALE),
    MappingSpec(Entity.SALE, "due_date", "DueDate", TO, ASK),
    MappingSpec(Entity.SALE, "payment_method", "PaymentMethodRef.name", TO, ASK, "value_map", _METHODS),
    MappingSpec(Entity.PAYMENT, "date", "TxnDate", BOTH, ASK),
    MappingSpec(Entity.PAYMENT, "amount", "TotalAmt", BOTH, ASK),
    MappingSpec(Entity.PAYMENT, "reference", "PaymentRefNum", BOTH, NEWEST),
    MappingSpec(Entity.PAYMENT, "memo", "PrivateNote", BOTH, NEWEST),
    MappingSpec(Entity.PAYMENT, "method", "PaymentMethodRef.name", TO, ASK, "value_map", _METHODS),
    *_document(Entity.REFUND),
    MappingSpec(Entity.REFUND, "method", "PaymentType", TO, ASK, "value_map", _REFUND_TYPES),
    MappingSpec(Entity.REFUND, "method", "PaymentMethodRef.name", TO, ASK, "value_map", _METHODS),
    *_document(Entity.CREDIT),
]

DEFAULT_MATCH_RULES: list[MatchRuleSpec] = [
    MatchRuleSpec(MatchKind.LINKED_ID, 1),
    MatchRuleSpec(MatchKind.EMAIL, 2),
    MatchRuleSpec(MatchKind.PHONE, 3),
    MatchRuleSpec(MatchKind.DISPLAY_NAME, 4),
    MatchRuleSpec(MatchKind.COMPANY_POSTAL, 5),
    # Off by default: a similar name is a guess, and a wrong guess merges two people's accounts.
    MatchRuleSpec(MatchKind.FUZZY_NAME, 6, threshold=92, applies=Applies.BOTH, enabled=False),
]
