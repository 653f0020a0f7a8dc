"""Admin for cash sales and account charges; saving the form calls ``sale_create``/``sale_update``."""

from __future__ import annotations

from django.contrib import admin, messages

from sales.admin.base import DocumentAdminMixin, ServiceFormAdminMixin, dollars, void_action
from sales.forms import LineForm, SaleForm, ServiceInlineFormSet, line_inputs
from sales.models import SALE_ADDRESS_FIELDS, CreditApplication, PaymentAllocation, Sale, SaleLine
from sales.selectors import sale_credit_applied, sale_items_below_zero, sale_list, sale_payments_applied
from sales.services import balances_recompute, sale_create, sale_update, sale_void
from syncportal.admin_scale import LargeTableAdminMixin, SplitSearchMixin


def has_money_applied(sale: Sale | None) -> bool:
    return bool(sale and sale.pk and (sale_payments_applied(sale=sale) or sale_credit_applied(sale=sale)))


class SaleLineInline(admin.TabularInline):
    model = SaleLine
    form = LineForm
    formset = ServiceInlineFormSet
    fields = ["item", "description", "quantity", "unit_price", "taxable", "amount"]
    readonly_fields = ["amount"]
    autocomplete_fields = ["item"]
    extra = 3

    # Lines of a sale that cannot change are read-only because SaleAdmin.has_change_permission says so.
    def has_delete_permission(self, request, obj=None):
        # Removing a line changes the sale (sale_update replaces the lines); no delete right needed.
        return super().has_change_permission(request, obj)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AllocationReadOnlyInline(ReadOnlyInline):
    model = PaymentAllocation
    verbose_name = "payment applied"
    verbose_name_plural = "payments applied"
    fields = ["payment", "payment_date", "amount", "payment_void"]
    readonly_fields = fields

    @admin.display(description="date")
    def payment_date(self, allocation):
        return allocation.payment.date

    @admin.display(description="payment void", boolean=True)
    def payment_void(self, allocation):
        return allocation.payment.is_void


class CreditApplicationReadOnlyInline(ReadOnlyInline):
    model = CreditApplication
    verbose_name = "store credit applied"
    verbose_name_plural = "store credit applied"
    fields = ["store_credit", "amount", "created_at"]
    readonly_fields = fields


class OpenChargeFilter(admin.SimpleListFilter):
    title = "balance"
    parameter_name = "balance"

    def lookups(self, request, model_admin):
        return [("open", "Money due"), ("paid", "Paid in full")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(kind=Sale.Kind.CHARGE, is_void=False, balance_due__gt=0)
        if self.value() == "paid":
            return queryset.filter(is_void=False, balance_due=0)
        return queryset


@admin.register(Sale)
class SaleAdmin(
    LargeTableAdminMixin, SplitSearchMixin, DocumentAdminMixin, ServiceFormAdminMixin, admin.ModelAdmin
):
    form = SaleForm
    inlines = [SaleLineInline, AllocationReadOnlyInline, CreditApplicationReadOnlyInline]
    list_display = [
        "number",
        "date",
        "kind",
        "customer_name",
        "total_display",
        "balance_display",
        "status",
        "created_by",
    ]
    list_filter = ["kind", "is_void", OpenChargeFilter, "date", "payment_method"]
    search_fields = ["number", "customer__display_name", "customer_po", "memo"]
    # No date_hierarchy: its DISTINCT-year scan costs ~1 s on a million sales; the date filter stays.
    list_select_related = ["customer", "created_by"]
    autocomplete_fields = ["customer"]
    ordering = ["-date", "-id"]
    actions = ["void_selected", "recompute_balances"]
    derived = [
        "number",
        "subtotal",
        "discount_amount",
        "tax_total",
        "total",
        "balance_due",
        "is_void",
        "voided_at",
        "credit_override_by",
        "credit_override_reason",
        "created_by",
        "created_at",
    ]
    fixed_after_create = ["kind", "customer", "date", "payment_method", "tax_code"]

    def get_queryset(self, request):
        return sale_list()

    def get_inlines(self, request, obj):
        # Payments and credit are applied from their own forms; on a new sale there are none yet.
        return self.inlines if obj is not None else [SaleLineInline]

    def get_fieldsets(self, request, obj=None):
        main = [
            "kind",
            "customer",
            "date",
            "payment_method",
            "due_date",
            "tax_code",
            "discount_percent",
            "customer_po",
            "memo",
        ]
        fieldsets = [
            (None, {"fields": main}),
            (
                "Order addresses",
                {
                    "fields": list(SALE_ADDRESS_FIELDS),
                    "classes": ["collapse"],
                    "description": "The sync settings decide whether these update the customer's addresses.",
                },
            ),
        ]
        if obj is None or obj.kind == Sale.Kind.CHARGE:
            fieldsets.append(
                (
                    "Credit limit",
                    {
                        "fields": ["override_credit_limit", "override_reason"],
                        "description": "A charge beyond the customer's available credit needs a manager.",
                    },
                )
            )
        if obj is not None:
            fieldsets.insert(0, ("Document", {"fields": ["number", "created_by", "created_at"]}))
            fieldsets.append(
                (
                    "Totals",
                    {
                        "fields": [
                            "subtotal",
                            "discount_amount",
                            "tax_total",
                            "total",
                            "balance_due",
                            "is_void",
                            "voided_at",
                        ]
                    },
                )
            )
            if obj.credit_override_by_id:
                fieldsets[-2][1]["fields"] = ["credit_override_by", "credit_override_reason"]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = [*self.fixed_after_create, *SALE_ADDRESS_FIELDS]
        if obj.credit_override_by_id:
            fixed = [*fixed, "credit_override_by", "credit_override_reason"]
        return [*self.derived, *fixed]

    def has_change_permission(self, request, obj=None):
        # A void sale, or one money was applied to, is only viewed (sale_update would refuse anyway).
        return super().has_change_permission(request, obj) and not (
            obj and (obj.is_void or has_money_applied(obj))
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        source = (request.GET.get("model_name"), request.GET.get("field_name"))
        if source in {("paymentallocation", "sale"), ("creditapplication", "sale")}:
            # Picking a charge to pay: only charges with money still due.
            queryset = queryset.filter(kind=Sale.Kind.CHARGE, is_void=False, balance_due__gt=0)
        elif source[1] == "original_sale":
            queryset = queryset.filter(is_void=False)
        return queryset, distinct

    @admin.display(description="customer", ordering="customer__display_name")
    def customer_name(self, sale):
        return sale.customer.display_name if sale.customer_id else "Walk-in"

    @admin.display(description="total", ordering="total")
    def total_display(self, sale):
        return dollars(sale.total)

    @admin.display(description="balance due", ordering="balance_due")
    def balance_display(self, sale):
        return dollars(sale.balance_due) if sale.kind == Sale.Kind.CHARGE else ""

    @admin.display(description="status")
    def status(self, sale):
        if sale.is_void:
            return "Void"
        if sale.kind == Sale.Kind.CASH:
            return "Paid at register"
        if sale.balance_due == 0:
            return "Paid"
        return "Partly paid" if sale.balance_due < sale.total else "Open"

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        lines_formset = self.formset_rows(formsets, SaleLine)
        override_by = request.user if data.get("override_credit_limit") else None
        override = {
            "credit_override_by": override_by,
            "credit_override_reason": data.get("override_reason", ""),
        }
        if change:
            editable_lines = not has_money_applied(form.instance)
            sale = sale_update(
                sale=form.instance,
                lines=line_inputs(lines_formset) if editable_lines else None,
                memo=data.get("memo"),
                customer_po=data.get("customer_po"),
                discount_percent=data.get("discount_percent"),
                due_date=data.get("due_date"),
                actor=request.user,
                **override,
            )
        else:
            sale = sale_create(
                kind=data["kind"],
                customer=data.get("customer"),
                date=data["date"],
                lines=line_inputs(lines_formset),
                discount_percent=data.get("discount_percent") or 0,
                tax_code=data.get("tax_code"),
                customer_po=data.get("customer_po", ""),
                memo=data.get("memo", ""),
                payment_method=data.get("payment_method", ""),
                due_date=data.get("due_date"),
                addresses={name: data.get(name, "") for name in SALE_ADDRESS_FIELDS},
                actor=request.user,
                **override,
            )
        for item in sale_items_below_zero(sale=sale):
            self.message_user(
                request,
                f"{item} is now at {item.quantity_on_hand.normalize():f} on hand; please recount it.",
                messages.WARNING,
            )
        return sale

    void_selected = void_action(lambda sale, actor: sale_void(sale=sale, actor=actor))

    @admin.action(
        permissions=["change"], description="Recompute balances of selected sales and their customers"
    )
    def recompute_balances(self, request, queryset):
        sales, customers = balances_recompute(sales=queryset, actor=request.user)
        self.message_user(request, f"Recomputed {sales} sale(s) and {customers} customer balance(s).")
