"""Admin for customer types and customer notes."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from customers.admin.common import RefusedDeleteMixin
from customers.forms import CustomerTypeAdminForm
from customers.models import CustomerNote, CustomerType
from customers.selectors import customer_type_delete_refusal
from customers.services import (
    customer_note_add,
    customer_type_create,
    customer_type_delete,
    customer_type_rename,
)


@admin.register(CustomerType)
class CustomerTypeAdmin(RefusedDeleteMixin, admin.ModelAdmin):
    form = CustomerTypeAdminForm
    list_display = ["name", "customer_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(customer_count=Count("customers"))

    @admin.display(description="customers", ordering="customer_count")
    def customer_count(self, obj):
        return obj.customer_count

    def save_model(self, request, obj, form, change):
        name = form.cleaned_data["name"]
        if change:
            stored = CustomerType.objects.get(pk=obj.pk)
            customer_type_rename(customer_type=stored, name=name, actor=request.user)
        else:
            obj.pk = customer_type_create(name=name, actor=request.user).pk
            obj._state.adding = False
        obj.refresh_from_db()

    def delete_refusal(self, obj):
        return customer_type_delete_refusal(customer_type=obj)

    def delete_model(self, request, obj):
        customer_type_delete(customer_type=obj, actor=request.user)


@admin.register(CustomerNote)
class CustomerNoteAdmin(admin.ModelAdmin):
    list_display = ["customer", "created_at", "author", "short_body"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    search_fields = ["customer__display_name", "body"]
    list_select_related = ["customer", "author"]
    show_facets = admin.ShowFacets.ALWAYS
    autocomplete_fields = ["customer"]
    fields = ["customer", "body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    @admin.display(description="note")
    def short_body(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    def has_change_permission(self, request, obj=None):
        return False  # a note is a dated record: add a new one rather than rewrite an old one

    def save_model(self, request, obj, form, change):
        note = customer_note_add(customer=form.cleaned_data["customer"], body=form.cleaned_data["body"],
                                 actor=request.user)  # fmt: skip
        obj.pk = note.pk
        obj._state.adding = False
        obj.refresh_from_db()
