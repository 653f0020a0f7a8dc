"""Customer import/export (CSV and XLSX) with django-import-export.

An import is all or nothing: it runs in one transaction that is rolled back if any row is invalid,
so a bad row 50 leaves rows 1-49 unwritten. Rows are saved through the customer services, so an
import is checked exactly like the admin form and every new or changed customer gets its outbox row.
Rows are matched to existing customers by display name, ignoring case.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from customers.models import Customer, CustomerType, TaxExemptionReason
from customers.services import customer_create, customer_update, customer_validate

COLUMNS = [
    "display_name", "title", "given_name", "middle_name", "family_name", "suffix", "company_name",
    "email", "phone", "mobile", "website",
    "bill_line1", "bill_line2", "bill_city", "bill_region", "bill_postal_code", "bill_country",
    "ship_line1", "ship_line2", "ship_city", "ship_region", "ship_postal_code", "ship_country",
    "tax_exempt", "tax_exemption_reason", "resale_number",
    "customer_type", "parent", "bill_with_parent", "credit_limit", "notes",
    "is_active", "sync_with_quickbooks", "custom_fields",
]  # fmt: skip


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class TextWidget(widgets.CharWidget):
    """Text cells, trimmed. Spreadsheets turn 5551234567 into a number (even 5551234567.0): undo that."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


class YesNoWidget(widgets.Widget):
    """yes/no (also true/false, 1/0). A blank cell keeps the current value, or the default for a new row."""

    TRUE, FALSE = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0"}

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower().removesuffix(".0")
        if text in self.TRUE or text in self.FALSE:
            return text in self.TRUE
        raise ValueError(f"Write yes or no here, not '{value}'.")

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("yes" if value else "no")


class MoneyWidget(widgets.Widget):
    """Amounts like 1500 or 1,500.00. A blank cell means no amount (for a credit limit: no limit)."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        try:
            amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
        except InvalidOperation:
            raise ValueError(f"Enter an amount like 1500.00, not '{value}'.") from None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"Enter an amount with at most 2 decimal places, not '{value}'.")
        return amount.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else f"{value:.2f}"


class TaxExemptionReasonWidget(widgets.Widget):
    """The reason by name as QuickBooks lists it ("Resale"), or by its QuickBooks number (9)."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        text = str(value).strip().removesuffix(".0")
        for reason in TaxExemptionReason:
            if text.lower() == reason.label.lower() or text == str(reason.value):
                return reason.value
        raise ValueError(
            f"There is no tax exemption reason '{value}'. Use one of: "
            + ", ".join(reason.label for reason in TaxExemptionReason)
            + "."
        )

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else TaxExemptionReason(value).label


class NameLookupWidget(widgets.Widget):
    """A related record by its name (ignoring case); an unknown name is a row error, never created."""

    def __init__(self, model, field: str, missing: str):
        super().__init__()
        self.model, self.field, self.missing = model, field, missing

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        name = str(value).strip()
        found = self.model.objects.filter(**{f"{self.field}__iexact": name}).first()
        if found is None:
            raise ValueError(self.missing.format(name=name))
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


class JSONObjectWidget(widgets.Widget):
    """Custom fields as a JSON object, e.g. {"Region": "North"}. A blank cell means none."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return {}
        try:
            return json.loads(str(value))
        except json.JSONDecodeError:
            raise ValueError('Write custom fields as JSON, e.g. {"Region": "North"}.') from None

    def render(self, value, obj=None, **kwargs):
        return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else ""


def _yes_no(name: str) -> fields.Field:
    # saves_null_values=False: a blank cell leaves the value alone instead of resetting it.
    return fields.Field(attribute=name, column_name=name, widget=YesNoWidget(), saves_null_values=False)


class CustomerResource(resources.ModelResource):
    tax_exempt = _yes_no("tax_exempt")
    bill_with_parent = _yes_no("bill_with_parent")
    is_active = _yes_no("is_active")
    sync_with_quickbooks = _yes_no("sync_with_quickbooks")
    credit_limit = fields.Field(attribute="credit_limit", column_name="credit_limit", widget=MoneyWidget())
    tax_exemption_reason = fields.Field(
        attribute="tax_exemption_reason",
        column_name="tax_exemption_reason",
        widget=TaxExemptionReasonWidget(),
    )
    custom_fields = fields.Field(
        attribute="custom_fields", column_name="custom_fields", widget=JSONObjectWidget()
    )
    customer_type = fields.Field(
        attribute="customer_type",
        column_name="customer_type",
        widget=NameLookupWidget(
            CustomerType,
            "name",
            "There is no customer type named '{name}'. Add it under Customer types first.",
        ),
    )
    parent = fields.Field(
        attribute="parent",
        column_name="parent",
        widget=NameLookupWidget(
            Customer,
            "display_name",
            "There is no customer named '{name}' to be the parent. "
            "Add it first, or put its row above this one.",
        ),
    )

    WIDGETS_MAP = {**resources.ModelResource.WIDGETS_MAP, "CharField": TextWidget, "TextField": TextWidget}

    class Meta:
        model = Customer
        name = "Customers"
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["display_name"]
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """Always one transaction, rolled back if any row is invalid: an import is all or nothing."""
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs
        )

    def before_import(self, dataset, **kwargs):
        self._rows_by_name: dict[str, int] = {}
        # "Display name" and "display_name " are the same column to a person.
        dataset.headers = [str(header or "").strip().lower().replace(" ", "_") for header in dataset.headers]
        unknown = [header for header in dataset.headers if header and header not in COLUMNS]
        if unknown:
            # Silently ignoring a misspelt column would drop that data without anyone noticing.
            raise ValueError(
                f"This file has columns SyncPortal does not know: {', '.join(unknown)}. "
                f"The columns are: {', '.join(COLUMNS)}."
            )

    def before_import_row(self, row, **kwargs):
        name = str(row.get("display_name") or "").strip()
        first = self._rows_by_name.setdefault(name.casefold(), kwargs["row_number"])
        if name and first != kwargs["row_number"]:
            raise ValidationError(
                {"display_name": f"'{name}' is already on row {first} of this file; list each customer once."}
            )

    def get_instance(self, instance_loader, row):
        name = str(row.get("display_name") or "").strip()
        return Customer.objects.filter(display_name__iexact=name).first() if name else None

    def get_queryset(self):
        return Customer.objects.select_related("parent", "customer_type")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            customer_validate(customer=instance, exclude=errors)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save through the services (same checks, outbox rows), signed by the importing user."""
        actor = kwargs.get("user")
        values = {
            field.attribute: getattr(instance, field.attribute)
            for field in self.get_import_fields()
            if field.column_name in row and not field.readonly
        }
        if is_create:
            created = customer_create(actor=actor, **values)
            instance.pk, instance.depth = created.pk, created.depth
            instance._state.adding = False
        else:
            stored = Customer.objects.get(pk=instance.pk)
            customer_update(customer=stored, changes=values, actor=actor)
