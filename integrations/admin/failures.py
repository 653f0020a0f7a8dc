"""The failure queue: grouped by root cause, with *Retry now*, *Ignore*, *Force push* and a link to fix
the record. Bookkeepers and managers act (``retry_syncfailure``); staff only look.

Thin: every change is one call to ``integrations.services.failures``; failure rows are never edited
through a form (they are the engine's account of what happened).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from integrations.admin.links import record_admin_url
from integrations.models.sync import SyncFailure
from integrations.selectors.failures import failure_cause_counts, failure_causes
from integrations.selectors.record_sync import qbo_open_url
from integrations.services import failures as services
from integrations.services.bulk_runs import bulk_retry_start
from integrations.sync.outcomes import cause_label
from syncportal.admin_readonly import SystemRecordAdminMixin

CONFIRM_TEMPLATE = "admin/integrations/syncfailure/confirm.html"


def _company_id(raw) -> int | None:
    """The company (connection) a page is narrowed to, from its query string; None for all."""
    return int(raw) if raw and str(raw).isdigit() else None


class StatusFilter(admin.SimpleListFilter):
    """Defaults to the queue (needs attention + retrying); resolved and ignored are one click away."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Needs attention or retrying"), *SyncFailure.Status.choices, ("all", "All")]

    def choices(self, changelist):
        current = self.value() or "active"
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "active"
        if value == "active":
            return queryset.filter(status__in=services.ACTIVE)
        if value in SyncFailure.Status.values:
            return queryset.filter(status=value)
        return queryset


class CauseFilter(admin.SimpleListFilter):
    title = "root cause"
    parameter_name = "cause"

    def lookups(self, request, model_admin):
        return failure_causes()

    def queryset(self, request, queryset):
        return queryset.filter(cause=self.value()) if self.value() else queryset


@admin.register(SyncFailure)
class SyncFailureAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/integrations/syncfailure/change_list.html"
    change_form_template = "admin/integrations/syncfailure/change_form.html"
    list_display = [
        "record_display",
        "cause_display",
        "message",
        "status",
        "attempts",
        "next_retry_at",
        "last_attempt_at",
        "connection",
    ]
    list_filter = [StatusFilter, CauseFilter, "entity", "direction", "connection"]
    list_select_related = ["connection"]
    search_fields = ["record_label", "message"]
    search_help_text = "Record name or words of the message."
    ordering = ["-last_attempt_at", "-id"]
    list_per_page = 50
    actions = ["retry_now", "ignore_selected", "force_push_selected"]
    fields = [
        "record_display",
        "message",
        "cause_display",
        "status",
        "attempts",
        "next_retry_at",
        "force_push",
        "operation",
        "direction",
        "connection",
        "qbo_code",
        "qbo_detail",
        "first_seen_at",
        "last_attempt_at",
        "resolved_at",
        "resolved_by",
    ]
    readonly_fields = fields

    # -- permissions: acting on a failure needs retry_syncfailure --------------------------------
    def has_retry_permission(self, request, obj=None):
        return request.user.has_perm("integrations.retry_syncfailure")

    # -- columns ---------------------------------------------------------------------------------
    @admin.display(description="record", ordering="record_label")
    def record_display(self, obj):
        label = obj.record_label or f"{obj.entity} #{obj.object_id}"
        if obj.entity.startswith("qbo:"):
            # A QuickBooks document that could not be recorded here: the fix is made in QuickBooks
            # (or here, to what it points at), so the link opens it there.
            url = qbo_open_url(
                realm_id=obj.connection.realm_id, qbo_type=obj.entity[4:], qbo_id=str(obj.object_id)
            )
            return format_html(
                '{} <a href="{}" class="fix-record" target="_blank" rel="noopener">Open in QuickBooks</a>',
                label,
                url,
            )
        url = record_admin_url(obj.entity, obj.object_id)
        if not url:
            return label
        return format_html('{} <a href="{}" class="fix-record">Fix the record</a>', label, url)

    @admin.display(description="root cause", ordering="cause")
    def cause_display(self, obj):
        return cause_label(obj.cause)

    # -- pages -----------------------------------------------------------------------------------
    def get_urls(self):
        own = [
            path("<int:pk>/retry/", self.admin_site.admin_view(require_POST(self.retry_view)),
                 name="integrations_syncfailure_retry"),
            path("<int:pk>/ignore/", self.admin_site.admin_view(self.confirm_view), {"what": "ignore"},
                 name="integrations_syncfailure_ignore"),
            path("<int:pk>/force/", self.admin_site.admin_view(self.confirm_view), {"what": "force"},
                 name="integrations_syncfailure_force"),
            path("cause/<str:cause>/retry/", self.admin_site.admin_view(self.cause_retry_view),
                 name="integrations_syncfailure_cause_retry"),
        ]  # fmt: skip
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        company = _company_id(request.GET.get("connection__id__exact"))
        extra = {
            "cause_counts": failure_cause_counts(connection_id=company),
            "company_id": company,
            "can_retry": self.has_retry_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        failure = self.get_object(request, object_id)
        extra = {
            "can_retry": self.has_retry_permission(request),
            "fix_url": record_admin_url(failure.entity, failure.object_id) if failure else "",
            "is_active": failure is not None and failure.status in services.ACTIVE,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _require_retry(self, request) -> None:
        if not self.has_retry_permission(request):
            raise PermissionDenied

    def retry_view(self, request, pk: int):
        self._require_retry(request)
        failure = get_object_or_404(SyncFailure, pk=pk)
        if services.failures_retry(failure_ids=[pk], actor=request.user):
            self.message_user(request, f"{failure.record_label or 'The record'} will be sent again now.")
        else:
            self.message_user(request, "Nothing to retry: this failure is resolved, or the record already "
                              "has a newer failure.", messages.WARNING)  # fmt: skip
        return redirect("admin:integrations_syncfailure_change", pk)

    def confirm_view(self, request, pk: int, what: str):
        """*Ignore* and *Force push* of one failure: a confirmation page, then the service."""
        self._require_retry(request)
        failure = get_object_or_404(SyncFailure, pk=pk)
        if request.method == "POST":
            self._apply(request, what, [pk])
            return redirect("admin:integrations_syncfailure_change", pk)
        return self._confirmation(request, what, [failure])

    def cause_retry_view(self, request, cause: str):
        """Bulk retry of every active failure with one root cause (after a confirmation page)."""
        self._require_retry(request)
        company = _company_id(request.GET.get("connection"))
        if request.method == "POST":
            run = bulk_retry_start(cause=cause, connection_id=company, actor=request.user)
            self.message_user(
                request,
                f"Sending {run.total} record(s) with “{cause_label(cause)}” again; this page follows it.",
            )
            return redirect(reverse("admin:integrations_bulkrun_change", args=[run.pk]))
        active = SyncFailure.objects.filter(cause=cause, status__in=services.ACTIVE)
        if company is not None:
            active = active.filter(connection_id=company)
        return self._confirmation(request, "retry_cause", list(active.order_by("pk")[:20]),
                                  total=active.count(), cause=cause)  # fmt: skip

    # -- actions ---------------------------------------------------------------------------------
    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request, queryset):
        count = services.failures_retry(failure_ids=queryset.values_list("pk", flat=True), actor=request.user)
        self.message_user(request, f"{count} record(s) will be sent again now.")

    @admin.action(description="Ignore (stop retrying)", permissions=["retry"])
    def ignore_selected(self, request, queryset):
        if request.POST.get("post") != "yes":
            return self._confirm_selection(request, "ignore", queryset, "ignore_selected")
        self._apply(request, "ignore", list(queryset.values_list("pk", flat=True)))
        return None

    @admin.action(description="Force push (overwrite QuickBooks' version)", permissions=["retry"])
    def force_push_selected(self, request, queryset):
        if request.POST.get("post") != "yes":
            return self._confirm_selection(request, "force", queryset, "force_push_selected")
        self._apply(request, "force", list(queryset.values_list("pk", flat=True)))
        return None

    def _apply(self, request, what: str, ids: list[int]) -> None:
        if what == "ignore":
            count = services.failures_ignore(failure_ids=ids, actor=request.user)
            self.message_user(request, f"Ignored {count} failure(s): those records are no longer retried.")
            return
        count, refused = services.failures_force_push(failure_ids=ids, actor=request.user)
        self.message_user(request, f"{count} record(s) will overwrite QuickBooks' version on the next push.")
        if refused:
            self.message_user(request, "Not forced: " + " ".join(refused), messages.WARNING)

    def _confirm_selection(self, request, what: str, queryset, action: str):
        # Every selected id goes back with the answer (as Django's delete confirmation does); the
        # page lists the first 50 so it stays readable.
        ids = list(queryset.values_list("pk", flat=True))
        return self._confirmation(request, what, list(queryset[:50]), action=action, total=len(ids), ids=ids)

    def _confirmation(
        self, request, what: str, failures, *, action: str = "", total=None, cause: str = "", ids=()
    ):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "what": what,
            "title": {"ignore": "Ignore these failures?", "force": "Force push these records?",
                      "retry_cause": f"Retry every “{cause_label(cause)}” failure?"}[what],
            "failures": failures,
            "ids": ids,
            "total": total if total is not None else len(failures),
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }  # fmt: skip
        return TemplateResponse(request, CONFIRM_TEMPLATE, context)
