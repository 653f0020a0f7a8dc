"""What managers configure: field mappings, match rules, sync settings, and the audit of every change.

Writes go through ``integrations.services.config``; the pure functions in ``integrations.mapping``
read these rows (as plain values, via ``integrations.selectors.config``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from integrations.mapping import validation
from integrations.mapping.choices import (
    AddressUpdates,
    Applies,
    ConflictPolicy,
    CustomerScope,
    Direction,
    Entity,
    IncomeAccountSource,
    ItemDetail,
    MatchKind,
    NameField,
    PoDestination,
    UnmatchedAction,
)
from integrations.mapping.options import DEFAULT_INCOME_ACCOUNT, DEFAULT_PAYMENT_METHODS
from integrations.mapping.transforms import CHOICES as TRANSFORM_CHOICES


def _default_payment_methods() -> dict:
    return dict(DEFAULT_PAYMENT_METHODS)


class FieldMapping(models.Model):
    """One local field ↔ one QuickBooks field path, for one kind of record."""

    entity = models.CharField(max_length=16, choices=Entity.choices, db_index=True)
    local_field = models.CharField(
        "SyncPortal field", max_length=100, help_text="e.g. email, bill_city, custom_fields[Tier]."
    )
    qbo_path = models.CharField(
        "QuickBooks field",
        max_length=200,
        help_text="Dotted path, e.g. PrimaryEmailAddr.Address, BillAddr.City, CustomField[Tier].",
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.BOTH)
    conflict_policy = models.CharField(
        max_length=12,
        choices=ConflictPolicy.choices,
        default=ConflictPolicy.NEWEST_WINS,
        help_text="Who wins when both sides changed the field since the last sync (both-ways mappings).",
    )
    transform = models.CharField(max_length=16, choices=TRANSFORM_CHOICES, default="none")
    transform_args = models.JSONField(
        "transform arguments",
        default=dict,
        blank=True,
        help_text="A JSON object; see the list of transforms.",
    )
    notes = models.CharField(max_length=255, blank=True, help_text="Why this mapping is set this way.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity", "qbo_path", "local_field"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "local_field", "qbo_path"],
                name="fieldmapping_once",
                violation_error_message=(
                    "This field is already mapped to that QuickBooks field; change that mapping."
                ),
            )
        ]

    def __str__(self) -> str:
        arrow = {"both": "↔", "to_qbo": "→", "from_qbo": "←"}.get(self.direction, "⊘")
        return f"{self.get_entity_display()}: {self.local_field} {arrow} {self.qbo_path}"

    def clean(self) -> None:
        validation.raise_errors(validation.check_mapping(self))


class MatchRule(models.Model):
    """One test, in order, for "is this local customer that QuickBooks customer?"."""

    position = models.PositiveSmallIntegerField(unique=True, help_text="Rules run from the lowest number up.")
    kind = models.CharField(max_length=16, choices=MatchKind.choices)
    threshold = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Similar-name rules only: the minimum similarity, 50-100 percent."
    )
    applies = models.CharField(max_length=8, choices=Applies.choices, default=Applies.BOTH)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"

    def clean(self) -> None:
        validation.raise_errors(validation.check_match_rule(self))


class SyncSettings(models.Model):
    """Scope, matching and sales options for one QuickBooks company; a blank realm is the default."""

    realm_id = models.CharField(
        "QuickBooks company (realm) id",
        max_length=32,
        unique=True,
        blank=True,
        help_text="Blank: the defaults for every company without settings of its own.",
    )
    customer_scope = models.CharField(
        "customers that sync", max_length=10, choices=CustomerScope.choices, default=CustomerScope.FLAGGED
    )
    customer_types = models.JSONField(
        default=list, blank=True, help_text="Names of the customer types that sync."
    )
    name_field = models.CharField(
        "QuickBooks field for customer names",
        max_length=20,
        choices=NameField.choices,
        default=NameField.DISPLAY_NAME,
    )
    unmatched_action = models.CharField(
        "when no QuickBooks customer matches",
        max_length=20,
        choices=UnmatchedAction.choices,
        default=UnmatchedAction.CREATE,
        help_text=(
            "Applies to sales of customers outside the sync scope, once the match rules found no one "
            "in QuickBooks. With the default customer, their payments, refunds and store credit follow "
            "the sale there, even after the customer starts syncing."
        ),
    )
    default_customer_qbo_id = models.CharField("default customer (QuickBooks id)", max_length=32, blank=True)
    address_updates = models.CharField(
        "update customer addresses from new sales",
        max_length=10,
        choices=AddressUpdates.choices,
        default=AddressUpdates.NONE,
    )
    item_detail = models.CharField(max_length=16, choices=ItemDetail.choices, default=ItemDetail.ALL)
    income_account_source = models.CharField(
        "income account from",
        max_length=10,
        choices=IncomeAccountSource.choices,
        default=IncomeAccountSource.ITEM,
    )
    default_income_account = models.CharField(
        max_length=100, default=DEFAULT_INCOME_ACCOUNT, help_text="QuickBooks account name."
    )
    category_income_accounts = models.JSONField(
        default=dict,
        blank=True,
        help_text='Category → QuickBooks account name, e.g. {"Books": "Book Sales"}.',
    )
    walk_in_customer_qbo_id = models.CharField(
        "walk-in customer (QuickBooks id)",
        max_length=32,
        blank=True,
        help_text="Cash sales without a customer are posted to this QuickBooks customer; blank = none.",
    )
    tax_code_map = models.JSONField(
        default=dict,
        blank=True,
        help_text='SyncPortal tax code → QuickBooks tax code name, e.g. {"CA": "California"}.',
    )
    payment_method_map = models.JSONField(
        default=_default_payment_methods,
        blank=True,
        help_text=(
            "Payment method (cash, card, check, other) → QuickBooks payment method name, "
            'e.g. {"card": "Visa"}.'
        ),
    )
    po_destination = models.CharField(
        "customer PO number goes to", max_length=16, choices=PoDestination.choices, default=PoDestination.POS
    )
    po_custom_field_name = models.CharField(
        "PO custom field name", max_length=100, default="P.O. Number", blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sync settings"
        verbose_name_plural = "sync settings"
        ordering = ["realm_id"]

    def __str__(self) -> str:
        return f"Sync settings for company {self.realm_id}" if self.realm_id else "Sync settings (defaults)"


class ConfigChange(models.Model):
    """Append-only audit of configuration changes: who, when, what, before and after."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"
        IMPORTED = "imported", "Imported"
        RESYNC = "resync", "Re-sync requested"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=60, help_text='"<app>.<model>", e.g. integrations.fieldmapping.')
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField("record", max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    summary = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name = "configuration change"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="changed") | (Q(before__isnull=False) & Q(after__isnull=False)),
                name="configchange_changed_has_both",
                violation_error_message="A change records the values before and after.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
