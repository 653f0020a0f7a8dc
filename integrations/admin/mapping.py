"""Admin for the mapping configuration. Managers change it; bookkeepers and staff only look.

Entry points only: forms show the validation messages, saves and deletes call
``integrations.services.config``, the preview and re-sync pages live in ``mapping_views``.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportModelAdmin

from customers.models import CustomerType
from integrations.admin import mapping_views
from integrations.mapping.fields import LOCAL_FIELDS, QBO_FIELDS, mappable
from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule, SyncSettings
from integrations.resources import FieldMappingResource, MatchRuleResource
from integrations.services import config as services
from syncportal.admin_readonly import SystemRecordAdminMixin

ARROWS = {"both": "↔", "to_qbo": "→", "from_qbo": "←", "off": "⊘"}
TRANSFORM_HELP = (
    'none; name_order {"order": "first_last" | "last_first" | "company_first"}; '
    'case {"mode": "upper" | "lower" | "title"}; phone {"style": "us" | "e164" | "digits"}; '
    'trim {"max_length": 100} (optional); default {"value": "…"}; '
    'value_map {"map": {"local": "QuickBooks"} or "payment_methods" / "tax_codes", '
    '"unmapped": "keep" | "blank"}.'
)


class DatalistInput(forms.TextInput):
    """A text box that suggests the known names while still accepting anything (custom fields)."""

    def __init__(self, list_id: str, options: list[str]):
        super().__init__(attrs={"list": list_id, "size": 40, "autocomplete": "off"})
        self.list_id, self.options = list_id, options

    def render(self, name, value, attrs=None, renderer=None):
        options = format_html_join("", '<option value="{}">', ((o,) for o in self.options))
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            self.list_id,
            options,
        )


def _names(catalogue: dict) -> list[str]:
    return sorted({name for fields in catalogue.values() for name in mappable(fields)})


def _add_problems(form: forms.ModelForm, problems) -> None:
    """Errors onto the form, on their field when it is on the form; warnings wait for the save."""
    for problem in problems:
        if not problem.warning:
            form.add_error(problem.field if problem.field in form.fields else None, problem.message)


class FieldMappingForm(forms.ModelForm):
    class Meta:
        model = FieldMapping
        fields = (
            "entity",
            "local_field",
            "direction",
            "qbo_path",
            "conflict_policy",
            "transform",
            "transform_args",
            "notes",
        )
        widgets = {
            "local_field": DatalistInput("local-fields", _names(LOCAL_FIELDS)),
            "qbo_path": DatalistInput("qbo-paths", _names(QBO_FIELDS)),
            "transform_args": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }
        help_texts = {"transform": TRANSFORM_HELP}

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            _add_problems(self, services.mapping_set_problems(self.instance))


class _AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes go through the config services (validation + audit)."""

    def has_import_permission(self, request):
        # An import creates, changes and deletes (rows missing from the file).
        return all(
            check(request)
            for check in (self.has_add_permission, self.has_change_permission, self.has_delete_permission)
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def _report(self, request, saved) -> None:
        for warning in saved.warnings:
            self.message_user(request, warning, messages.WARNING)


@admin.register(FieldMapping)
class FieldMappingAdmin(_AuditedAdmin, ImportExportModelAdmin):
    form = FieldMappingForm
    resource_classes = [FieldMappingResource]
    list_display = (
        "entity",
        "local_field",
        "arrow",
        "qbo_path",
        "transform_shown",
        "conflict_policy",
        "updated_at",
    )
    list_display_links = ("local_field", "qbo_path")
    list_filter = ("entity", "direction", "conflict_policy", "transform")
    search_fields = ("local_field", "qbo_path", "notes")
    show_facets = admin.ShowFacets.ALWAYS
    actions = ["resync_selected"]
    change_list_template = "admin/integrations/fieldmapping/change_list.html"
    import_template_name = "admin/integrations/import.html"

    @admin.display(description="direction", ordering="direction")
    def arrow(self, obj: FieldMapping) -> str:
        return f"{ARROWS.get(obj.direction, '')} {obj.get_direction_display()}"

    @admin.display(description="transform", ordering="transform")
    def transform_shown(self, obj: FieldMapping) -> str:
        if obj.transform == "none":
            return "–"
        args = json.dumps(obj.transform_args, ensure_ascii=False) if obj.transform_args else ""
        return f"{obj.transform} {args}".strip()

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="integrations_fieldmapping_preview"),
            path("resync/", view(self.resync_view), name="integrations_fieldmapping_resync"),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        return mapping_views.preview(self, request)

    def resync_view(self, request):
        return mapping_views.resync(self, request)

    def changelist_view(self, request, extra_context=None):
        extra = {"can_resync": self.has_change_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # each delete is checked against the required fields
        return actions

    @admin.action(permissions=["change"], description="Re-sync the records the selected mappings affect…")
    def resync_selected(self, request, queryset):
        entities = sorted(set(queryset.values_list("entity", flat=True)))
        query = "&".join(f"entity={e}" for e in entities)
        return redirect(f"{reverse('admin:integrations_fieldmapping_resync')}?{query}")

    def save_model(self, request, obj, form, change):
        self._report(request, services.mapping_save(mapping=obj, actor=request.user))

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "POST" and obj is not None and self.has_delete_permission(request, obj):
            problems = [p.message for p in services.mapping_set_problems(obj, deleting=True) if not p.warning]
            if problems:
                self.message_user(request, "Not deleted: " + " ".join(problems), messages.ERROR)
                return redirect(reverse("admin:integrations_fieldmapping_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.mapping_delete(mapping=obj, actor=request.user)


class MatchRuleForm(forms.ModelForm):
    class Meta:
        model = MatchRule
        fields = ("position", "kind", "threshold", "applies", "enabled")

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            _add_problems(self, services.match_rule_problems(self.instance))


@admin.register(MatchRule)
class MatchRuleAdmin(_AuditedAdmin, ImportExportModelAdmin):
    form = MatchRuleForm
    resource_classes = [MatchRuleResource]
    list_display = ("position", "kind", "threshold", "applies", "enabled", "updated_at")
    list_display_links = ("position", "kind")
    list_filter = ("enabled", "applies", "kind")
    import_template_name = "admin/integrations/import.html"

    def save_model(self, request, obj, form, change):
        self._report(request, services.match_rule_save(rule=obj, actor=request.user))

    def delete_model(self, request, obj):
        for warning in services.match_rule_delete(rule=obj, actor=request.user):
            self.message_user(request, warning, messages.WARNING)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            self.delete_model(request, rule)


class SyncSettingsForm(forms.ModelForm):
    customer_types = forms.ModelMultipleChoiceField(
        queryset=CustomerType.objects.all(),
        to_field_name="name",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Used when only customers of the chosen types sync.",
    )

    class Meta:
        model = SyncSettings
        fields = (
            "realm_id",
            "customer_scope",
            "customer_types",
            "name_field",
            "unmatched_action",
            "default_customer_qbo_id",
            "address_updates",
            "item_detail",
            "income_account_source",
            "default_income_account",
            "category_income_accounts",
            "walk_in_customer_qbo_id",
            "tax_code_map",
            "payment_method_map",
            "po_destination",
            "po_custom_field_name",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["customer_types"] = list(self.instance.customer_types or [])

    def clean_customer_types(self):
        return [t.name for t in self.cleaned_data["customer_types"]]

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            # Warnings (a default customer that cannot be checked) are shown after the save.
            _add_problems(self, services.settings_problems(self.instance))


@admin.register(SyncSettings)
class SyncSettingsAdmin(_AuditedAdmin):
    form = SyncSettingsForm
    list_display = ("__str__", "customer_scope", "unmatched_action", "item_detail", "updated_at")
    fieldsets = (
        (None, {"fields": ("realm_id",)}),
        ("Which customers sync", {"fields": ("customer_scope", "customer_types")}),
        (
            "Matching customers",
            {"fields": ("name_field", "unmatched_action", "default_customer_qbo_id", "address_updates")},
        ),
        (
            "Sales",
            {
                "fields": (
                    "item_detail",
                    "income_account_source",
                    "default_income_account",
                    "category_income_accounts",
                    "walk_in_customer_qbo_id",
                    "tax_code_map",
                    "payment_method_map",
                    "po_destination",
                    "po_custom_field_name",
                )
            },
        ),
    )

    def has_delete_permission(self, request, obj=None):
        # The defaults row is what every company without its own settings uses.
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.realm_id == "")

    def save_model(self, request, obj, form, change):
        self._report(request, services.settings_save(settings=obj, actor=request.user))

    def delete_model(self, request, obj):
        services.settings_delete(settings=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for row in queryset.exclude(realm_id=""):
            self.delete_model(request, row)


@admin.register(ConfigChange)
class ConfigChangeAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    """The audit trail: read-only for everyone, whatever their permissions."""

    list_display = ("created_at", "actor", "action", "model", "object_repr", "summary")
    list_filter = ("action", "model", "created_at")
    list_select_related = ("actor",)
    search_fields = ("object_repr", "summary", "actor__username")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "action",
        "model",
        "object_id",
        "object_repr",
        "summary",
        "before_shown",
        "after_shown",
    )
    readonly_fields = fields

    @admin.display(description="before")
    def before_shown(self, obj: ConfigChange):
        return (
            format_html("<pre>{}</pre>", json.dumps(obj.before, indent=2, ensure_ascii=False))
            if obj.before
            else "–"
        )

    @admin.display(description="after")
    def after_shown(self, obj: ConfigChange):
        return (
            format_html("<pre>{}</pre>", json.dumps(obj.after, indent=2, ensure_ascii=False))
            if obj.after
            else "–"
        )
