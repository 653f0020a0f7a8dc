"""Admin for items and tax codes; saving calls the item/tax code services."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from sales.admin.base import ServiceFormAdminMixin, dollars
from sales.forms import ItemForm, TaxCodeForm
from sales.models import Item, TaxCode
from sales.services import item_create, item_deactivate, item_update, taxcode_create, taxcode_update


class NoDeleteMixin:
    """QuickBooks never deletes items or tax codes; they are made inactive and stay on old documents."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(NoDeleteMixin, ServiceFormAdminMixin, admin.ModelAdmin):
    form = ItemForm
    list_display = ["name", "sku", "kind", "category", "price_display", "taxable", "on_hand", "is_active"]
    list_filter = ["kind", "is_active", "taxable", "category"]
    search_fields = ["name", "sku", "description"]
    show_facets = admin.ShowFacets.ALWAYS
    ordering = ["name"]
    actions = ["deactivate_selected"]

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "item":
            queryset = queryset.filter(is_active=True)  # picking an item for a line: sellable ones only
        return queryset, distinct

    def get_fields(self, request, obj=None):
        fields = list(ItemForm.Meta.fields)
        return [*fields, "starting_quantity"] if obj is None else [*fields, "quantity_on_hand_display"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["quantity_on_hand_display"]

    @admin.display(description="price", ordering="unit_price")
    def price_display(self, item):
        return dollars(item.unit_price)

    @admin.display(description="on hand", ordering="quantity_on_hand")
    def on_hand(self, item):
        if not item.tracks_inventory:
            return ""
        quantity = f"{item.quantity_on_hand.normalize():f}"
        # Negative stock is allowed at the register; show it so somebody recounts.
        return (
            format_html('<strong style="color:#ba2121">{}</strong>', quantity)
            if item.quantity_on_hand < 0
            else quantity
        )

    @admin.display(description="quantity on hand")
    def quantity_on_hand_display(self, item):
        return self.on_hand(item) or "not tracked"

    def service_save(self, request, form, formsets, change):
        data = dict(form.cleaned_data)
        if change:
            changed = {field: data[field] for field in form.changed_data if field in ItemForm.Meta.fields}
            return item_update(item=form.instance, data=changed, actor=request.user)
        quantity = data.pop("starting_quantity", None) or 0
        data.pop("is_active", None)
        return item_create(**data, quantity_on_hand=quantity, actor=request.user)

    @admin.action(permissions=["change"], description="Make selected items inactive")
    def deactivate_selected(self, request, queryset):
        count = 0
        for item in queryset.filter(is_active=True):
            item_deactivate(item=item, actor=request.user)
            count += 1
        self.message_user(request, f"Made {count} item(s) inactive.")


@admin.register(TaxCode)
class TaxCodeAdmin(NoDeleteMixin, ServiceFormAdminMixin, admin.ModelAdmin):
    form = TaxCodeForm
    list_display = ["name", "rate_display", "description", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    show_facets = admin.ShowFacets.ALWAYS

    @admin.display(description="rate", ordering="rate")
    def rate_display(self, tax_code):
        return f"{tax_code.rate.normalize():f}%"

    def service_save(self, request, form, formsets, change):
        data = dict(form.cleaned_data)
        if change:
            changed = {field: data[field] for field in form.changed_data}
            return taxcode_update(tax_code=form.instance, data=changed, actor=request.user)
        data.pop("is_active", None)
        return taxcode_create(**data, actor=request.user)
