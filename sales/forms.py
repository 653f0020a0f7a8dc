"""Admin forms for sales documents, and turning their inline formsets into service input.

The forms only collect and check what a person typed; the services decide (totals, balances,
credit limits). Line prices and taxability may be left to the item's own values.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet

from sales.models import SALE_ADDRESS_FIELDS, Item, Payment, Refund, Sale, StoreCredit, TaxCode
from sales.services import AllocationInput, LineInput, ReturnLineInput


class ServiceErrorFormMixin:
    """Shows a refusal raised by a service on the form it came from.

    ``service_error`` is set on a per-request subclass by ``ServiceFormAdminMixin`` after the
    service refused and its transaction rolled back; errors keyed by a form field go to that field,
    the rest to the top of the form.
    """

    service_error: ValidationError | None = None

    def clean(self):
        cleaned_data = super().clean()
        if self.service_error is not None:
            add_service_error(self, self.service_error)
        return cleaned_data


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TaxableSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Item default"), ("true", "Yes"), ("false", "No")]


class LineForm(forms.ModelForm):
    """A document line: price and taxability default to the item's when left blank."""

    unit_price = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="Blank = the item's price."
    )
    taxable = forms.NullBooleanField(required=False, widget=TaxableSelect)

    class Meta:
        fields = ["item", "description", "quantity", "unit_price", "taxable"]


class ReturnLineForm(LineForm):
    class Meta(LineForm.Meta):
        fields = [*LineForm.Meta.fields, "restock"]


class SaleForm(ServiceErrorFormMixin, forms.ModelForm):
    override_credit_limit = forms.BooleanField(
        required=False,
        label="Manager approves going over the credit limit",
        help_text="Only honoured when a manager saves the charge.",
    )
    override_reason = forms.CharField(required=False, max_length=255, label="Reason for the override")

    class Meta:
        model = Sale
        fields = [
            "kind",
            "customer",
            "date",
            "payment_method",
            "due_date",
            "tax_code",
            "discount_percent",
            "customer_po",
            "memo",
            *SALE_ADDRESS_FIELDS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tax_code" in self.fields:
            self.fields["tax_code"].queryset = TaxCode.objects.filter(is_active=True)


class PaymentForm(ServiceErrorFormMixin, forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["customer", "date", "amount", "method", "reference", "memo"]


class RefundForm(ServiceErrorFormMixin, forms.ModelForm):
    class Meta:
        model = Refund
        fields = ["customer", "original_sale", "date", "method", "tax_code", "memo"]


class StoreCreditForm(ServiceErrorFormMixin, forms.ModelForm):
    class Meta:
        model = StoreCredit
        fields = ["customer", "original_sale", "date", "tax_code", "memo"]


class ItemForm(ServiceErrorFormMixin, forms.ModelForm):
    starting_quantity = forms.DecimalField(
        max_digits=12,
        decimal_places=3,
        required=False,
        label="Starting quantity on hand",
        help_text="Inventory items only; later, sales and returns move it.",
    )

    class Meta:
        model = Item
        fields = [
            "name",
            "sku",
            "description",
            "kind",
            "category",
            "unit_price",
            "taxable",
            "income_account",
            "is_active",
        ]


class TaxCodeForm(ServiceErrorFormMixin, forms.ModelForm):
    class Meta:
        model = TaxCode
        fields = ["name", "description", "rate", "is_active"]


class ServiceInlineFormSet(BaseInlineFormSet):
    """Inline formset whose rows are handed to a service instead of being saved one by one."""

    def kept_forms(self) -> list[forms.Form]:
        """Rows the user wants: existing rows not marked for deletion, plus new rows filled in."""
        kept = []
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or (self.can_delete and self._should_delete_form(form)):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            kept.append(form)
        return kept

    def new_forms(self) -> list[forms.Form]:
        return [f for f in self.kept_forms() if f.instance.pk is None]

    def deleted_instances(self) -> list:
        return [f.instance for f in self.initial_forms if self.can_delete and self._should_delete_form(f)]


def line_inputs(formset: ServiceInlineFormSet, *, returns: bool = False) -> list[LineInput]:
    cls = ReturnLineInput if returns else LineInput
    lines = []
    for form in formset.kept_forms():
        data = form.cleaned_data
        extra = {"restock": data.get("restock")} if returns else {}
        lines.append(
            cls(
                item=data["item"],
                quantity=data["quantity"],
                unit_price=data.get("unit_price"),
                description=data.get("description") or "",
                taxable=data.get("taxable"),
                **extra,
            )
        )
    return lines


def allocation_inputs(formset: ServiceInlineFormSet) -> list[AllocationInput]:
    return [
        AllocationInput(form.cleaned_data["sale"], form.cleaned_data["amount"])
        for form in formset.kept_forms()
    ]
