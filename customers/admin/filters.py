"""List filters for the customer list."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F


class HasParentFilter(admin.SimpleListFilter):
    title = "sub-customer"
    parameter_name = "has_parent"

    def lookups(self, request, model_admin):
        return [("yes", "Sub-customers"), ("no", "Top-level customers")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(parent__isnull=self.value() == "no")
        return queryset


class BalanceFilter(admin.SimpleListFilter):
    title = "balance"
    parameter_name = "balance_state"

    def lookups(self, request, model_admin):
        return [("owes", "Owes money"), ("credit", "Has credit"), ("over", "Over credit limit")]

    def queryset(self, request, queryset):
        match self.value():
            case "owes":
                return queryset.filter(balance__gt=0)
            case "credit":
                return queryset.filter(balance__lt=0)
            case "over":
                return queryset.filter(credit_limit__isnull=False, balance__gt=F("credit_limit"))
        return queryset
