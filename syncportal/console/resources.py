"""CSV/XLSX export of a reconciliation run (django-import-export: the same tool as the other exports)."""

from import_export import fields, resources

from integrations.models import ReconciliationRow


class ReconciliationRowResource(resources.ModelResource):
    explanation = fields.Field(attribute="get_explanation_display", column_name="explanation")

    class Meta:
        model = ReconciliationRow
        fields = (
            "customer_name",
            "customer",
            "qbo_id",
            "local_balance",
            "qbo_balance",
            "difference",
            "explanation",
            "pending_changes",
            "open_failures",
        )
        export_order = fields
