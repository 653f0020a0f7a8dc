"""Items, sales (cash sales and account charges), payments, refunds and store credit.

Each document mirrors a QuickBooks Online transaction: a cash sale is a SalesReceipt, an account
charge an Invoice, a payment a Payment, a refund a RefundReceipt, store credit a CreditMemo. Totals
and balances are computed by ``sales.services`` and stored for fast lists; nobody types them in.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from customers.models import Customer

MONEY = {"max_digits": 12, "decimal_places": 2}
QTY = {"max_digits": 12, "decimal_places": 3}
ZERO = Decimal("0.00")
# The parts of a postal address, as the customer's bill_*/ship_* fields and QuickBooks' BillAddr/ShipAddr.
ADDRESS_PARTS = ("line1", "line2", "city", "region", "postal_code", "country")
SALE_ADDRESS_FIELDS = tuple(f"{kind}_{part}" for kind in ("bill", "ship") for part in ADDRESS_PARTS)


class TaxCode(models.Model):
    """A sales tax code with its combined rate (QuickBooks TaxCode with its TaxRate list)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=255, blank=True)
    rate = models.DecimalField(
        max_digits=6, decimal_places=4, default=Decimal("0"), help_text="Percent, e.g. 8.25"
    )
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100),
                name="taxcode_rate_percent",
                violation_error_message="A tax rate is a percentage between 0 and 100.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate.normalize()}%)"


class Item(models.Model):
    class Kind(models.TextChoices):
        INVENTORY = "inventory", "Inventory (tracks quantity on hand)"
        NON_INVENTORY = "non_inventory", "Non-inventory"
        SERVICE = "service", "Service"

    name = models.CharField(max_length=100, unique=True)
    sku = models.CharField("SKU", max_length=100, null=True, blank=True, unique=True)
    description = models.CharField(max_length=4000, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NON_INVENTORY)
    category = models.CharField(max_length=100, blank=True, help_text="Used to pick an income account.")
    unit_price = models.DecimalField(**MONEY, default=ZERO)
    taxable = models.BooleanField(default=True)
    income_account = models.CharField(
        max_length=100,
        blank=True,
        help_text="QuickBooks income account name; blank = the configured default.",
    )
    quantity_on_hand = models.DecimalField(**QTY, default=Decimal("0"), editable=False)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="item_price_not_negative",
                violation_error_message="A price cannot be negative.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tracks_inventory(self) -> bool:
        return self.kind == self.Kind.INVENTORY


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    CHECK = "check", "Check"
    OTHER = "other", "Other"


class Document(models.Model):
    """Fields every sales document shares."""

    number = models.CharField(max_length=21, unique=True, help_text="Document number (DocNumber).")
    date = models.DateField()
    memo = models.CharField(max_length=4000, blank=True)
    subtotal = models.DecimalField(**MONEY, default=ZERO, editable=False)
    discount_amount = models.DecimalField(**MONEY, default=ZERO, editable=False)
    tax_total = models.DecimalField(**MONEY, default=ZERO, editable=False)
    total = models.DecimalField(**MONEY, default=ZERO, editable=False)
    is_void = models.BooleanField("void", default=False, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name.capitalize()} {self.number}"


class Sale(Document):
    """A cash sale (paid at the register → SalesReceipt) or an account charge (→ Invoice)."""

    class Kind(models.TextChoices):
        CASH = "cash", "Cash sale"
        CHARGE = "charge", "Account charge"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales",
        help_text="Blank for a walk-in cash sale.",
    )
    customer_po = models.CharField("customer PO number", max_length=30, blank=True)
    # The order's own addresses (as typed at the register or on the web order). The sync settings
    # decide whether a new order updates its customer's addresses ("address updates from new orders").
    bill_line1 = models.CharField("billing street", max_length=500, blank=True)
    bill_line2 = models.CharField("billing street (line 2)", max_length=500, blank=True)
    bill_city = models.CharField("billing city", max_length=255, blank=True)
    bill_region = models.CharField("billing state/province", max_length=255, blank=True)
    bill_postal_code = models.CharField("billing postal code", max_length=30, blank=True)
    bill_country = models.CharField("billing country", max_length=255, blank=True)
    ship_line1 = models.CharField("shipping street", max_length=500, blank=True)
    ship_line2 = models.CharField("shipping street (line 2)", max_length=500, blank=True)
    ship_city = models.CharField("shipping city", max_length=255, blank=True)
    ship_region = models.CharField("shipping state/province", max_length=255, blank=True)
    ship_postal_code = models.CharField("shipping postal code", max_length=30, blank=True)
    ship_country = models.CharField("shipping country", max_length=255, blank=True)
    discount_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), help_text="Whole-sale discount, percent."
    )
    tax_code = models.ForeignKey(TaxCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment_method = models.CharField(
        max_length=8, choices=PaymentMethod.choices, blank=True, help_text="How a cash sale was paid."
    )
    due_date = models.DateField(null=True, blank=True)
    # Account charges only: total - payments - store credit applied. Cash sales are paid in full.
    balance_due = models.DecimalField(**MONEY, default=ZERO, editable=False)
    credit_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="Manager who allowed this charge beyond the customer's credit limit.",
    )
    credit_override_reason = models.CharField(max_length=255, blank=True, editable=False)

    class Meta(Document.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="cash") | Q(customer__isnull=False),
                name="sale_charge_needs_customer",
                violation_error_message="An account charge needs a customer; only cash sales can be walk-in.",
            ),
            models.CheckConstraint(
                condition=Q(balance_due__gte=0) & Q(balance_due__lte=F("total")),
                name="sale_balance_within_total",
                violation_error_message="The balance due must be between zero and the sale total.",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="sale_discount_percent",
                violation_error_message="A discount is a percentage between 0 and 100.",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "kind", "balance_due"], name="sale_customer_open"),
            models.Index(fields=["date"], name="sale_date"),
        ]


class LineBase(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=4000, blank=True)
    quantity = models.DecimalField(**QTY, default=Decimal("1"))
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY, editable=False)
    taxable = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["id"]
        constraints = []

    def __str__(self) -> str:
        return f"{self.quantity.normalize()} × {self.item}"


def _line_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(quantity__gt=0),
            name=f"{prefix}_qty_positive",
            violation_error_message="Quantities must be greater than zero.",
        ),
        models.CheckConstraint(
            condition=Q(unit_price__gte=0),
            name=f"{prefix}_price_not_negative",
            violation_error_message="A price cannot be negative.",
        ),
    ]


class SaleLine(LineBase):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")

    class Meta(LineBase.Meta):
        constraints = _line_constraints("saleline")


class Payment(models.Model):
    """Money received from a customer, applied to one or more account charges; the rest is credit."""

    number = models.CharField(max_length=21, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField()
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True, help_text="Check number or card reference.")
    memo = models.CharField(max_length=4000, blank=True)
    unapplied_amount = models.DecimalField(**MONEY, default=ZERO, editable=False)
    is_void = models.BooleanField("void", default=False, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(is_void=True),
                name="payment_amount_positive",
                violation_error_message="A payment amount must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(unapplied_amount__gte=0) & Q(unapplied_amount__lte=F("amount")),
                name="payment_unapplied_within_amount",
                violation_error_message="Payments cannot be applied beyond their amount.",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.number}"


class PaymentAllocation(models.Model):
    """The part of a payment applied to one account charge."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="allocation_amount_positive",
                violation_error_message="An allocation must be greater than zero.",
            ),
            models.UniqueConstraint(
                fields=["payment", "sale"],
                name="allocation_once_per_sale",
                violation_error_message=(
                    "A payment is applied to a sale at most once; change that amount instead."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment} to {self.sale}"


class Refund(Document):
    """Money given back for returned goods (→ RefundReceipt). Returned inventory goes back on hand."""

    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    original_sale = models.ForeignKey(
        Sale, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    tax_code = models.ForeignKey(TaxCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, choices=PaymentMethod.choices)


class RefundLine(LineBase):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    restock = models.BooleanField(default=True, help_text="Put the returned quantity back on hand.")

    class Meta(LineBase.Meta):
        constraints = _line_constraints("refundline")


class StoreCredit(Document):
    """Credit given to a customer account (→ CreditMemo), applied to later charges."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="store_credits")
    original_sale = models.ForeignKey(
        Sale, null=True, blank=True, on_delete=models.PROTECT, related_name="store_credits"
    )
    tax_code = models.ForeignKey(TaxCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    remaining = models.DecimalField(**MONEY, default=ZERO, editable=False)

    class Meta(Document.Meta):
        verbose_name_plural = "store credits"
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("total")),
                name="storecredit_remaining_within_total",
                violation_error_message="Store credit cannot be applied beyond its total.",
            )
        ]


class StoreCreditLine(LineBase):
    store_credit = models.ForeignKey(StoreCredit, on_delete=models.CASCADE, related_name="lines")
    restock = models.BooleanField(default=True, help_text="Put the returned quantity back on hand.")

    class Meta(LineBase.Meta):
        constraints = _line_constraints("storecreditline")


class CreditApplication(models.Model):
    """Part of a store credit applied to an account charge."""

    store_credit = models.ForeignKey(StoreCredit, on_delete=models.CASCADE, related_name="applications")
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="credit_applications")
    amount = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="creditapp_amount_positive",
                violation_error_message="An applied credit must be greater than zero.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.store_credit} to {self.sale}"
