"""Configuration import/export (django-import-export), to move a tested setup from staging to production.

An import replaces the whole configuration of its kind: rows in the file are created or updated,
rows missing from the file are deleted. Each row is validated on its own (per-row errors), then the
result is validated as a whole (required QuickBooks fields, contradicting rules); any error rolls
everything back, so nothing is saved unless the whole file is good. Every change is audited.

Sync settings are not exported: they hold QuickBooks ids, which differ between companies.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.results import RowResult

from integrations.mapping.choices import Entity
from integrations.mapping.validation import check_mapping_set, check_match_rules
from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule
from integrations.selectors.config import mapping_specs, match_rule_specs, name_fields
from integrations.services.config import config_change_record, config_snapshot


class ArgumentsWidget(widgets.Widget):
    """Transform arguments as a JSON object; an empty cell is ``{}``."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return {}
        try:
            parsed = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            raise ValueError(
                f'Transform arguments must be a JSON object, e.g. {{"mode": "upper"}}; got {value}.'
            )
        return parsed

    def render(self, value, obj=None, **kwargs):
        return json.dumps(value or {}, sort_keys=True, ensure_ascii=False)


class _ReplacingResource(resources.ModelResource):
    """Audits each saved row; deletes rows absent from the file; validates the whole result."""

    def _key(self, values) -> tuple:
        raise NotImplementedError

    def _problems(self) -> list:
        raise NotImplementedError

    def before_save_instance(self, instance, row, **kwargs):
        model = type(instance)
        instance._audit_before = config_snapshot(model.objects.get(pk=instance.pk)) if instance.pk else None

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run") and not kwargs.get("using_transactions"):
            return  # nothing was saved
        config_change_record(
            actor=kwargs.get("user"),
            action=ConfigChange.Action.IMPORTED,
            instance=instance,
            before=getattr(instance, "_audit_before", None),
            after=config_snapshot(instance),
        )

    def after_import(self, dataset, result, **kwargs):
        if result.has_errors() or result.has_validation_errors():
            return  # the import rolls back anyway; whole-set checks would only repeat the row errors
        in_file = {self._key(row) for row in dataset.dict}
        for instance in self._meta.model.objects.all():
            if self._key({name: getattr(instance, name) for name in self.get_import_id_fields()}) in in_file:
                continue
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_DELETE
            row_result.add_instance_info(instance)
            diff = self.get_diff_class()(self, instance, False)
            diff.compare_with(self, None)
            row_result.diff = diff.as_html()
            config_change_record(
                actor=kwargs.get("user"),
                action=ConfigChange.Action.DELETED,
                instance=instance,
                before=config_snapshot(instance),
                after=None,
                summary="Not in the imported file.",
            )
            instance.delete()
            result.increment_row_result_total(row_result)
            result.append_row_result(row_result)
        errors = [p.message for p in self._problems() if not p.warning]
        if errors:
            raise ValidationError(errors)


class FieldMappingResource(_ReplacingResource):
    transform_args = fields.Field(
        attribute="transform_args", column_name="transform_args", widget=ArgumentsWidget()
    )

    class Meta:
        model = FieldMapping
        fields = (
            "entity",
            "local_field",
            "qbo_path",
            "direction",
            "conflict_policy",
            "transform",
            "transform_args",
            "notes",
        )
        export_order = fields
        import_id_fields = ("entity", "local_field", "qbo_path")
        clean_model_instances = True
        skip_unchanged = True
        use_transactions = True

    def _key(self, values) -> tuple:
        return tuple(str(values.get(name) or "").strip() for name in ("entity", "local_field", "qbo_path"))

    def _problems(self) -> list:
        specs, names = mapping_specs(), name_fields()
        return [p for entity in Entity.values for p in check_mapping_set(entity, specs, name_fields=names)]


class MatchRuleResource(_ReplacingResource):
    class Meta:
        model = MatchRule
        fields = ("position", "kind", "threshold", "applies", "enabled")
        export_order = fields
        import_id_fields = ("position",)
        clean_model_instances = True
        skip_unchanged = True
        use_transactions = True

    def _key(self, values) -> tuple:
        return (str(values.get("position") or "").strip(),)

    def _problems(self) -> list:
        return check_match_rules(match_rule_specs())
