"""Admin for refunds and store credit; saving calls ``refund_create``, ``store_credit_create``,
``store_credit_apply`` and ``store_credit_unapply``."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from sales.admin.base import DocumentAdminMixin, ServiceFormAdminMixin, dollars, void_action
from sales.forms import RefundForm, ReturnLineForm, ServiceInlineFormSet, StoreCreditForm, line_inputs
from sales.models import CreditApplication, Refund, RefundLine, StoreCredit, StoreCreditLine
from sales.services import (
    refund_create,
    refund_void,
    store_credit_apply,
    store_credit_create,
    store_credit_unapply,
    store_credit_void,
)


class ReturnLineInline(admin.TabularInline):
    form = ReturnLineForm
    formset = ServiceInlineFormSet
    fields = ["item", "description", "quantity", "unit_price", "taxable", "restock", "amount"]
    readonly_fields = ["amount"]
    autocomplete_fields = ["item"]
    extra = 3

    # Lines are fixed once the document exists: a wrong one is voided and entered again.
    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class RefundLineInline(ReturnLineInline):
    model = RefundLine


class StoreCreditLineInline(ReturnLineInline):
    model = StoreCreditLine


class ReturnAdminMixin(DocumentAdminMixin, ServiceFormAdminMixin):
    list_filter = ["is_void", "date"]
    search_fields = ["number", "customer__display_name", "original_sale__number", "memo"]
    date_hierarchy = "date"
    show_facets = admin.ShowFacets.ALWAYS
    list_select_related = ["customer", "original_sale"]
    autocomplete_fields = ["customer", "original_sale"]
    actions = ["void_selected"]
    derived = [
        "number",
        "subtotal",
        "discount_amount",
        "tax_total",
        "total",
        "is_void",
        "voided_at",
        "created_by",
        "created_at",
    ]

    @admin.display(description="total", ordering="total")
    def total_display(self, document):
        return dollars(document.total)

    @admin.display(description="customer", ordering="customer__display_name")
    def customer_name(self, document):
        return document.customer.display_name if document.customer_id else "Walk-in"


@admin.register(Refund)
class RefundAdmin(ReturnAdminMixin, admin.ModelAdmin):
    form = RefundForm
    inlines = [RefundLineInline]
    list_display = ["number", "date", "customer_name", "original_sale", "total_display", "method", "is_void"]
    list_filter = ["is_void", "method", "date"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*self.derived, *RefundForm.Meta.fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": RefundForm.Meta.fields})]
        if obj is not None:
            fieldsets.append(("Totals", {"fields": self.derived}))
        return fieldsets

    def has_change_permission(self, request, obj=None):
        # A refund is money already handed over: it can be viewed and voided, not edited.
        return obj is None and super().has_change_permission(request, obj)

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        return refund_create(
            customer=data.get("customer"),
            original_sale=data.get("original_sale"),
            date=data["date"],
            method=data["method"],
            tax_code=data.get("tax_code"),
            memo=data.get("memo", ""),
            lines=line_inputs(self.formset_rows(formsets, RefundLine), returns=True),
            actor=request.user,
        )

    void_selected = void_action(lambda refund, actor: refund_void(refund=refund, actor=actor))


class CreditApplicationForm(forms.ModelForm):
    class Meta:
        model = CreditApplication
        fields = ["sale", "amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # an application is removed and re-added, never edited in place
            for field in self.fields.values():
                field.disabled = True


class CreditApplicationInline(admin.TabularInline):
    model = CreditApplication
    form = CreditApplicationForm
    formset = ServiceInlineFormSet
    fields = ["sale", "amount", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["sale"]
    extra = 1
    verbose_name = "applied to charge"
    verbose_name_plural = "applied to charges (tick Delete to take an application back)"

    def has_add_permission(self, request, obj=None):
        return obj is not None and not obj.is_void and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is not None and not obj.is_void and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(StoreCredit)
class StoreCreditAdmin(ReturnAdminMixin, admin.ModelAdmin):
    form = StoreCreditForm
    inlines = [StoreCreditLineInline, CreditApplicationInline]
    list_display = [
        "number",
        "date",
        "customer_name",
        "original_sale",
        "total_display",
        "remaining_display",
        "is_void",
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else [StoreCreditLineInline]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*self.derived, "remaining", *StoreCreditForm.Meta.fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": StoreCreditForm.Meta.fields})]
        if obj is not None:
            fieldsets.append(("Totals", {"fields": [*self.derived, "remaining"]}))
        return fieldsets

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_void)

    @admin.display(description="left to apply", ordering="remaining")
    def remaining_display(self, credit):
        return dollars(credit.remaining)

    def service_save(self, request, form, formsets, change):
        if not change:
            data = form.cleaned_data
            return store_credit_create(
                customer=data.get("customer"),
                original_sale=data.get("original_sale"),
                date=data["date"],
                tax_code=data.get("tax_code"),
                memo=data.get("memo", ""),
                lines=line_inputs(self.formset_rows(formsets, StoreCreditLine), returns=True),
                actor=request.user,
            )
        credit = form.instance
        applications = self.formset_rows(formsets, CreditApplication)
        for application in applications.deleted_instances():
            credit = store_credit_unapply(application=application, actor=request.user)
        for row in applications.new_forms():
            store_credit_apply(
                store_credit=credit,
                sale=row.cleaned_data["sale"],
                amount=row.cleaned_data["amount"],
                actor=request.user,
            )
        credit.refresh_from_db()
        return credit

    void_selected = void_action(lambda credit, actor: store_credit_void(store_credit=credit, actor=actor))
