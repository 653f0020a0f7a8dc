"""The QuickBooks side of customer merges, step by step: read-only (the push engine writes it).

Bookkeepers and managers see how far each merge got in QuickBooks; a refused step is a sync failure
on the merge, retried from the failures queue, so there is nothing to edit here.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from integrations.models.merge import QBOMergeJob
from integrations.sync.merge_steps import STEPS
from syncportal.admin_readonly import SystemRecordAdminMixin

_STEP_WORDS = {
    "transactions": "sales moved",
    "sub_customers": "sub-customers moved",
    "survivor": "survivor updated",
    "deactivate": "duplicate made inactive",
    "duplicate": "duplicate reactivated",
    "sub_customers_back": "sub-customers moved back",
    "transactions_back": "sales moved back",
}


@admin.register(QBOMergeJob)
class QBOMergeJobAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    list_display = ["merge_link", "action", "status", "steps_done", "created_at", "finished_at"]
    list_filter = ["status", "action", "connection", "created_at"]
    search_fields = ["=merge_id", "=survivor_id", "=duplicate_id"]
    list_select_related = ["connection"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "connection",
        "merge_link",
        "action",
        "status",
        "steps_done",
        "survivor_id",
        "duplicate_id",
        "created_at",
        "finished_at",
    ]
    exclude = ["details", "progress", "outbox_entry_id", "merge_id"]

    @admin.display(description="merge")
    def merge_link(self, job: QBOMergeJob):
        url = reverse("admin:customers_customermerge_change", args=[job.merge_id])
        return format_html('<a href="{}">Merge #{}</a>', url, job.merge_id)

    @admin.display(description="steps done in QuickBooks")
    def steps_done(self, job: QBOMergeJob) -> str:
        done = set(job.progress.get("done", []))
        steps = STEPS[job.action]
        words = [_STEP_WORDS[step] for step in steps if step in done]
        return f"{len(words)} of {len(steps)}" + (f": {', '.join(words)}" if words else "")
