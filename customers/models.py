"""Customers and sub-customers, mirroring what QuickBooks Online keeps for a customer.

Balances are derived (``sales.services.customer_balance_refresh`` from the sales ledger, or
QuickBooks' own balance on pull) and never typed in.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from customers.validators import validate_name, validate_phone

MAX_DEPTH = 4  # QuickBooks: a top-level customer (level 0) plus up to 4 levels of sub-customers.
MONEY = {"max_digits": 12, "decimal_places": 2}


class TaxExemptionReason(models.IntegerChoices):
    """QuickBooks Online's TaxExemptionReasonId values."""

    FEDERAL_GOVERNMENT = 1, "Federal government"
    STATE_GOVERNMENT = 2, "State government"
    LOCAL_GOVERNMENT = 3, "Local government"
    TRIBAL_GOVERNMENT = 4, "Tribal government"
    CHARITABLE = 5, "Charitable organization"
    RELIGIOUS = 6, "Religious organization"
    EDUCATIONAL = 7, "Educational organization"
    HOSPITAL = 8, "Hospital"
    RESALE = 9, "Resale"
    DIRECT_PAY_PERMIT = 10, "Direct pay permit"
    MULTIPLE_POINTS_OF_USE = 11, "Multiple points of use"
    DIRECT_MAIL = 12, "Direct mail"
    AGRICULTURAL = 13, "Agricultural production"
    INDUSTRIAL = 14, "Industrial production / manufacturing"
    FOREIGN_DIPLOMAT = 15, "Foreign diplomat"


class CustomerType(models.Model):
    """A customer category shared with QuickBooks (CustomerTypeRef), e.g. Retail, Wholesale."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    display_name = models.CharField(
        max_length=500,
        unique=True,
        validators=[validate_name],
        help_text="The name shown everywhere; unique, as QuickBooks requires.",
    )
    title = models.CharField(max_length=16, blank=True)
    given_name = models.CharField("first name", max_length=100, blank=True, validators=[validate_name])
    middle_name = models.CharField(max_length=100, blank=True, validators=[validate_name])
    family_name = models.CharField("last name", max_length=100, blank=True, validators=[validate_name])
    suffix = models.CharField(max_length=16, blank=True)
    company_name = models.CharField(max_length=100, blank=True, validators=[validate_name])

    email = models.EmailField(max_length=100, blank=True, db_index=True)
    phone = models.CharField(max_length=30, blank=True, validators=[validate_phone])
    mobile = models.CharField(max_length=30, blank=True, validators=[validate_phone])
    website = models.URLField(max_length=1000, blank=True)

    bill_line1 = models.CharField("billing street", max_length=500, blank=True)
    bill_line2 = models.CharField("billing street (line 2)", max_length=500, blank=True)
    bill_city = models.CharField("billing city", max_length=255, blank=True)
    bill_region = models.CharField("billing state/province", max_length=255, blank=True)
    bill_postal_code = models.CharField("billing postal code", max_length=30, blank=True, db_index=True)
    bill_country = models.CharField("billing country", max_length=255, blank=True)
    ship_line1 = models.CharField("shipping street", max_length=500, blank=True)
    ship_line2 = models.CharField("shipping street (line 2)", max_length=500, blank=True)
    ship_city = models.CharField("shipping city", max_length=255, blank=True)
    ship_region = models.CharField("shipping state/province", max_length=255, blank=True)
    ship_postal_code = models.CharField("shipping postal code", max_length=30, blank=True)
    ship_country = models.CharField("shipping country", max_length=255, blank=True)

    tax_exempt = models.BooleanField(default=False)
    tax_exemption_reason = models.PositiveSmallIntegerField(
        choices=TaxExemptionReason.choices, null=True, blank=True
    )
    resale_number = models.CharField(max_length=16, blank=True)

    customer_type = models.ForeignKey(
        CustomerType, null=True, blank=True, on_delete=models.PROTECT, related_name="customers"
    )
    custom_fields = models.JSONField(
        default=dict, blank=True, help_text="Custom fields by name; shared with QuickBooks when names match."
    )
    credit_limit = models.DecimalField(**MONEY, null=True, blank=True, help_text="Blank = no limit.")
    # Derived: open charges - unapplied payments - unused store credit (or QuickBooks' balance after pull).
    balance = models.DecimalField(**MONEY, default=Decimal("0.00"), editable=False)
    notes = models.TextField(max_length=2000, blank=True)
    is_active = models.BooleanField("active", default=True, db_index=True)
    sync_with_quickbooks = models.BooleanField(
        "use with QuickBooks",
        default=True,
        help_text="Only flagged customers (and customers a synced sale needs) are sent to QuickBooks.",
    )

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Makes this a sub-customer (a job) of another customer.",
    )
    bill_with_parent = models.BooleanField(default=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)  # 0 = top level

    # Set when this record was merged into another; kept for undo and so pull never resurrects it.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        permissions = [("merge_customer", "Can merge duplicate customers")]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_exempt=False) | Q(tax_exemption_reason__isnull=False),
                name="customer_exempt_has_reason",
                violation_error_message="A tax-exempt customer needs an exemption reason.",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(bill_with_parent=False),
                name="customer_bill_with_parent_needs_parent",
                violation_error_message="Only a sub-customer can be billed with its parent.",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customer_credit_limit_not_negative",
                violation_error_message="The credit limit cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(depth__lte=MAX_DEPTH),
                name="customer_depth_max",
                violation_error_message=(
                    "QuickBooks allows at most 4 levels of sub-customers under a customer."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="customer_person_name"),
            models.Index(fields=["phone"], name="customer_phone"),
            # The QuickBooks import looks store customers up by every match key, page by page.
            models.Index(fields=["mobile"], name="customer_mobile"),
            models.Index(fields=["company_name"], name="customer_company_name"),
            models.Index(fields=["updated_at"], name="customer_updated"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def available_credit(self) -> Decimal | None:
        """Credit left for account charges; ``None`` when there is no limit."""
        if self.credit_limit is None:
            return None
        return self.credit_limit - self.balance

    @property
    def full_name(self) -> str:
        """'Parent:Child' path, as QuickBooks shows a sub-customer (FullyQualifiedName)."""
        names = [self.display_name]
        node = self.parent
        while node is not None:
            names.append(node.display_name)
            node = node.parent
        return ":".join(reversed(names))


class CustomerNote(models.Model):
    """A dated note staff keep on a customer (moves with the customer on a merge)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="customer_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note on {self.customer} ({self.created_at:%Y-%m-%d})"


from customers.models_dedupe import CustomerMerge, DedupeRun, DuplicateCandidate  # noqa: E402, F401
