"""Admin for payments; saving calls ``payment_create`` or ``payment_update_allocations``."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from sales.admin.base import DocumentAdminMixin, ServiceFormAdminMixin, dollars, void_action
from sales.forms import PaymentForm, ServiceInlineFormSet, allocation_inputs
from sales.models import Payment, PaymentAllocation
from sales.services import payment_create, payment_update_allocations, payment_void


class AllocationForm(forms.ModelForm):
    class Meta:
        model = PaymentAllocation
        fields = ["sale", "amount"]


class AllocationInline(admin.TabularInline):
    model = PaymentAllocation
    form = AllocationForm
    formset = ServiceInlineFormSet
    fields = ["sale", "sale_balance", "amount"]
    readonly_fields = ["sale_balance"]
    autocomplete_fields = ["sale"]
    extra = 3
    verbose_name = "applied to charge"
    verbose_name_plural = "applied to charges"

    @admin.display(description="balance due now")
    def sale_balance(self, allocation):
        return dollars(allocation.sale.balance_due) if allocation.sale_id else ""

    def _locked(self, obj):
        return bool(obj and obj.is_void)

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Removing a row un-applies that money (it becomes unapplied credit): a change, not a delete.
        return not self._locked(obj) and super().has_change_permission(request, obj)


@admin.register(Payment)
class PaymentAdmin(DocumentAdminMixin, ServiceFormAdminMixin, admin.ModelAdmin):
    form = PaymentForm
    inlines = [AllocationInline]
    list_display = [
        "number",
        "date",
        "customer",
        "amount_display",
        "unapplied_display",
        "method",
        "reference",
        "is_void",
    ]
    list_filter = ["method", "is_void", "date"]
    search_fields = ["number", "customer__display_name", "reference", "memo"]
    date_hierarchy = "date"
    show_facets = admin.ShowFacets.ALWAYS
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    actions = ["void_selected"]
    derived = ["number", "unapplied_amount", "is_void", "voided_at", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Only the allocations change after a payment is recorded; a wrong amount is voided and re-entered.
        return [*self.derived, "customer", "date", "amount", "method", "reference", "memo"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ["customer", "date", "amount", "method", "reference", "memo"]})]
        if obj is not None:
            fieldsets.insert(0, ("Document", {"fields": ["number", "created_by", "created_at"]}))
            fieldsets.append(("Status", {"fields": ["unapplied_amount", "is_void", "voided_at"]}))
        return fieldsets

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_void)

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, payment):
        return dollars(payment.amount)

    @admin.display(description="unapplied (credit)", ordering="unapplied_amount")
    def unapplied_display(self, payment):
        return dollars(payment.unapplied_amount)

    def service_save(self, request, form, formsets, change):
        allocations = allocation_inputs(self.formset_rows(formsets, PaymentAllocation))
        if change:
            return payment_update_allocations(
                payment=form.instance, allocations=allocations, actor=request.user
            )
        data = form.cleaned_data
        return payment_create(
            customer=data["customer"],
            amount=data["amount"],
            date=data["date"],
            method=data["method"],
            reference=data.get("reference", ""),
            memo=data.get("memo", ""),
            allocations=allocations,
            actor=request.user,
        )

    void_selected = void_action(lambda payment, actor: payment_void(payment=payment, actor=actor))
