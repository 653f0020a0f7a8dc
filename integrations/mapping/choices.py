"""The vocabularies of the mapping configuration, shared by the models and the pure functions."""

from django.db import models


class Entity(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    SUB_CUSTOMER = "sub_customer", "Sub-customer"
    ITEM = "item", "Item"
    SALE = "sale", "Sale (sales receipt / invoice)"
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"
    CREDIT = "credit", "Store credit (credit memo)"


class Direction(models.TextChoices):
    BOTH = "both", "Both ways"
    TO_QBO = "to_qbo", "To QuickBooks"
    FROM_QBO = "from_qbo", "From QuickBooks"
    OFF = "off", "Off"


SENDS = (Direction.BOTH, Direction.TO_QBO)
RECEIVES = (Direction.BOTH, Direction.FROM_QBO)


class ConflictPolicy(models.TextChoices):
    QBO_WINS = "qbo_wins", "QuickBooks wins"
    LOCAL_WINS = "local_wins", "SyncPortal wins"
    NEWEST_WINS = "newest_wins", "Newest change wins"
    ASK = "ask", "Ask (record a conflict)"


class MatchKind(models.TextChoices):
    LINKED_ID = "linked_id", "Linked QuickBooks id"
    EMAIL = "email", "Email address"
    PHONE = "phone", "Phone number"
    DISPLAY_NAME = "display_name", "Name (normalised)"
    COMPANY_POSTAL = "company_postal", "Company name + postal code"
    FUZZY_NAME = "fuzzy_name", "Similar name (fuzzy)"


class Applies(models.TextChoices):
    BOTH = "both", "Sending and importing"
    PUSH = "push", "Sending to QuickBooks"
    PULL = "pull", "Importing from QuickBooks"


class CustomerScope(models.TextChoices):
    ALL = "all", "All customers"
    FLAGGED = "flagged", "Only customers marked “use with QuickBooks”"
    BY_TYPE = "by_type", "Only customers of the chosen types"


class NameField(models.TextChoices):
    DISPLAY_NAME = "DisplayName", "DisplayName (the customer's name)"
    COMPANY_NAME = "CompanyName", "CompanyName"
    PRINT_ON_CHECK_NAME = "PrintOnCheckName", "PrintOnCheckName"


class UnmatchedAction(models.TextChoices):
    CREATE = "create", "Create a new QuickBooks customer"
    DEFAULT_CUSTOMER = "default_customer", "Post to the default customer"


class AddressUpdates(models.TextChoices):
    NONE = "none", "Do not update addresses"
    BILLING = "billing", "Billing address"
    SHIPPING = "shipping", "Shipping address"
    BOTH = "both", "Billing and shipping addresses"


class ItemDetail(models.TextChoices):
    ALL = "all", "Item detail on all receipts"
    CHARGES_ONLY = "charges_only", "Item detail on account charges only; summary lines for cash sales"


class IncomeAccountSource(models.TextChoices):
    ITEM = "item", "The item's income account"
    CATEGORY = "category", "The income account of the item's category"


class PoDestination(models.TextChoices):
    POS = "pos", "Memo on receipts, P.O. custom field on invoices"
    PRIVATE_NOTE = "private_note", "Memo (private note)"
    CUSTOM_FIELD = "custom_field", "Custom field"
    NONE = "none", "Not sent"


TRANSACTIONS = frozenset({Entity.SALE, Entity.PAYMENT, Entity.REFUND, Entity.CREDIT})
