"""Admin for customers. Thin: every save, delete and action calls a service, so the admin, the import
and pull sync apply the same rules and write the same outbox rows."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from customers.admin.common import RefusedDeleteMixin, plural
from customers.admin.filters import BalanceFilter, HasParentFilter
from customers.forms import CustomerAdminForm
from customers.models import Customer, CustomerNote
from customers.resources import CustomerResource
from customers.selectors import (
    customer_delete_refusal,
    customer_get_subtree,
    customer_list_for_admin,
    customer_search,
)
from customers.services import (
    customer_create,
    customer_deactivate,
    customer_delete,
    customer_note_add,
    customer_reactivate,
    customer_update,
)
from customers.services.validation import deactivation_errors
from syncportal.admin_scale import LargeTableAdminMixin


class SubCustomerInline(admin.TabularInline):
    """The customer's direct sub-customers, read-only, each linking to its own page."""

    model = Customer
    fk_name = "parent"
    verbose_name = "sub-customer"
    verbose_name_plural = "sub-customers"
    fields = ["customer_link", "customer_type", "balance", "bill_with_parent", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="customer")
    def customer_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:customers_customer_change", args=[obj.pk]), obj
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CustomerNoteInline(admin.TabularInline):
    """Earlier notes read-only (a note is a dated record), plus a blank one to add."""

    model = CustomerNote
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 1
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(LargeTableAdminMixin, RefusedDeleteMixin, ImportExportModelAdmin):
    form = CustomerAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    resource_classes = [CustomerResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    import_template_name = "admin/customers/customer/import.html"
    list_display = [
        "display_name",
        "company_name",
        "phone",
        "email",
        "parent",
        "customer_type",
        "balance_display",
        "available_credit_display",
        "is_active",
        "sync_with_quickbooks",
    ]
    list_filter = [
        "is_active",
        "sync_with_quickbooks",
        "customer_type",
        "tax_exempt",
        HasParentFilter,
        BalanceFilter,
    ]
    search_fields = ["display_name", "company_name", "given_name", "family_name", "email", "phone"]
    search_help_text = "Name, company, email or phone (digits are enough for a phone)."
    list_select_related = ["parent", "customer_type"]
    autocomplete_fields = ["parent", "customer_type"]
    readonly_fields = [
        "full_name",
        "depth",
        "balance_display",
        "available_credit_display",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        ("Name", {"fields": ["display_name", ("title", "given_name", "middle_name", "family_name", "suffix"),
                             "company_name"]}),
        ("Contact", {"fields": ["email", ("phone", "mobile"), "website"]}),
        ("Billing address", {"fields": ["bill_line1", "bill_line2", ("bill_city", "bill_region"),
                                        ("bill_postal_code", "bill_country")]}),
        ("Shipping address", {"fields": ["ship_line1", "ship_line2", ("ship_city", "ship_region"),
                                         ("ship_postal_code", "ship_country")]}),
        ("Tax", {"fields": ["tax_exempt", "tax_exemption_reason", "resale_number"]}),
        ("Account", {"fields": ["customer_type", "parent", "bill_with_parent", "full_name", "depth",
                                "credit_limit", "balance_display", "available_credit_display", "is_active"]}),
        ("QuickBooks", {"fields": ["sync_with_quickbooks", "custom_fields"]}),
        ("Notes", {"fields": ["notes", ("created_at", "updated_at")]}),
    ]  # fmt: skip
    inlines = [SubCustomerInline, CustomerNoteInline]
    actions = [
        "deactivate_selected",
        "reactivate_selected",
        "use_with_quickbooks",
        "stop_using_with_quickbooks",
    ]

    def get_queryset(self, request):
        queryset = customer_list_for_admin()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return customer_search(q=search_term, queryset=queryset), False

    def get_inline_instances(self, request, obj=None):
        # Sub-customers only exist once the customer does.
        inlines = super().get_inline_instances(request, obj)
        return inlines if obj is not None else [i for i in inlines if not isinstance(i, SubCustomerInline)]

    @admin.display(description="balance", ordering="balance")
    def balance_display(self, obj):
        return f"{obj.balance:,.2f}"

    @admin.display(description="available credit", ordering="available_credit_value")
    def available_credit_display(self, obj):
        available = obj.available_credit
        return "No limit" if available is None else f"{available:,.2f}"

    def save_model(self, request, obj, form, change):
        if change:
            stored = Customer.objects.get(pk=obj.pk)
            customer_update(customer=stored, changes=form.changes(), actor=request.user)
        else:
            created = customer_create(actor=request.user, **form.create_fields())
            obj.pk = created.pk
            obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not CustomerNote:
            formset.new_objects = formset.changed_objects = formset.deleted_objects = []
            return  # the sub-customer list is read-only
        formset.new_objects = [
            customer_note_add(customer=form.instance, body=note.body, actor=request.user)
            for note in formset.save(commit=False)
        ]

    def delete_refusal(self, obj):
        return customer_delete_refusal(customer=obj)

    def delete_model(self, request, obj):
        customer_delete(customer=obj, actor=request.user)

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The file changed meaning between the preview and the confirmation: nothing was written.
            self.message_user(
                request,
                "Nothing was imported: some rows no longer pass the checks. "
                "Upload the file again to see which.",
                messages.ERROR,
            )
            return redirect("admin:customers_customer_import")
        return super().process_result(result, request)

    @admin.action(
        description="Deactivate selected customers (with their sub-customers)", permissions=["change"]
    )
    def deactivate_selected(self, request, queryset):
        customers = list(queryset.filter(is_active=True).order_by("depth", "display_name"))
        if request.POST.get("post") != "yes":
            return self._deactivate_confirmation(request, customers)
        deactivated, refused = 0, []
        for customer in customers:  # parents first: their sub-customers are then already done
            try:
                deactivated += len(customer_deactivate(customer=customer, actor=request.user))
            except ValidationError as error:
                refused += error.messages
        self._report(request, f"Deactivated {plural(deactivated, 'customer')}.", refused)
        return None

    def _deactivate_confirmation(self, request, customers):
        rows = [
            {
                "customer": customer,
                "sub_customers": customer_get_subtree(customer=customer)[1:],
                "refusals": deactivation_errors(customer=customer),
            }
            for customer in customers
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Deactivate customers?",
            "opts": self.opts,
            "rows": rows,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/customers/customer/deactivate_confirmation.html", context)

    @admin.action(description="Reactivate selected customers", permissions=["change"])
    def reactivate_selected(self, request, queryset):
        reactivated, refused = 0, []
        for customer in queryset.filter(is_active=False).order_by("depth", "display_name"):
            try:
                reactivated += len(customer_reactivate(customer=customer, actor=request.user))
            except ValidationError as error:
                refused += error.messages
        self._report(request, f"Reactivated {plural(reactivated, 'customer')}.", refused)

    @admin.action(description="Use with QuickBooks", permissions=["change"])
    def use_with_quickbooks(self, request, queryset):
        self._set_sync_flag(request, queryset, True)

    @admin.action(description="Stop using with QuickBooks", permissions=["change"])
    def stop_using_with_quickbooks(self, request, queryset):
        self._set_sync_flag(request, queryset, False)

    def _set_sync_flag(self, request, queryset, value: bool) -> None:
        changed, refused = 0, []
        for customer in queryset.exclude(sync_with_quickbooks=value):
            try:
                customer_update(
                    customer=customer, changes={"sync_with_quickbooks": value}, actor=request.user
                )
                changed += 1
            except ValidationError as error:
                refused += [f"'{customer}': {message}" for message in error.messages]
        verb = "Marked" if value else "Unmarked"
        self._report(request, f"{verb} {plural(changed, 'customer')} “use with QuickBooks”.", refused)

    def _report(self, request, done: str, refused: list[str]) -> None:
        self.message_user(request, done, messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not changed: {' '.join(refused)}", messages.ERROR)
