"""Admin for duplicates: the review queue, the side-by-side merge page, scans, and the merge audit.

Thin entry points: every write goes through ``customers.merging`` or ``customers.matching.review``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from customers.matching.merge_view import duplicate_name, merge_page
from customers.matching.relations import relation_by_label
from customers.matching.review import candidate_mark_not_duplicate, dedupe_run_cancel, dedupe_run_start
from customers.merging import MERGE_PERMISSION, customer_merge_undo
from customers.models import Customer, CustomerMerge, DedupeRun, DuplicateCandidate
from syncportal.admin_readonly import SystemRecordAdminMixin

TEMPLATES = "admin/customers/dedupe/"


def score_text(score: float) -> str:
    return "99%+" if score >= 0.995 else f"{score:.0%}"


def _customer_link(customer: Customer) -> str:
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    return format_html('<a href="{}">{}</a>', url, customer)


class LikelihoodFilter(admin.SimpleListFilter):
    title = "likelihood"
    parameter_name = "likely"

    def lookups(self, request, model_admin):
        return [("yes", "Likely duplicate"), ("no", "Possible duplicate")]

    def queryset(self, request, queryset):
        cut = settings.DEDUPE_AUTO_SUGGEST_THRESHOLD
        if self.value() == "yes":
            return queryset.filter(score__gte=cut)
        if self.value() == "no":
            return queryset.filter(score__lt=cut)
        return queryset


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = [
        "score_display",
        "first_customer",
        "second_customer",
        "reasons_display",
        "status",
        "found_at",
        "review",
    ]
    list_display_links = ["score_display"]
    list_filter = ["status", LikelihoodFilter, "found_at"]
    search_fields = [
        "customer_a__display_name",
        "customer_b__display_name",
        "customer_a__email",
        "customer_b__email",
    ]
    list_select_related = ["customer_a", "customer_b"]
    ordering = ["-score", "id"]
    actions = ["mark_not_duplicate"]
    change_list_template = TEMPLATES + "candidate_change_list.html"
    show_facets = admin.ShowFacets.ALWAYS

    @admin.display(description="score", ordering="score")
    def score_display(self, obj: DuplicateCandidate) -> str:
        likely = obj.score >= settings.DEDUPE_AUTO_SUGGEST_THRESHOLD
        return format_html("<strong>{}</strong>{}", score_text(obj.score), " · likely" if likely else "")

    @admin.display(description="customer", ordering="customer_a__display_name")
    def first_customer(self, obj: DuplicateCandidate) -> str:
        return _customer_link(obj.customer_a)

    @admin.display(description="possible duplicate", ordering="customer_b__display_name")
    def second_customer(self, obj: DuplicateCandidate) -> str:
        return _customer_link(obj.customer_b)

    @admin.display(description="why")
    def reasons_display(self, obj: DuplicateCandidate) -> str:
        return format_html(
            "<ul style='margin:0'>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in obj.reasons))
        )

    @admin.display(description="")
    def review(self, obj: DuplicateCandidate) -> str:
        url = reverse("admin:customers_duplicatecandidate_review", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">{}</a>', url, "Merge…" if obj.status == "open" else "View"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer_a", "customer_b")

    def changelist_view(self, request, extra_context=None):
        # Open the queue on what needs a decision.
        if not request.GET and request.method == "GET":
            return HttpResponseRedirect(f"{request.path}?status__exact={DuplicateCandidate.Status.OPEN}")
        run = DedupeRun.objects.first()
        extra = {
            "latest_run": run,
            "can_scan": self.has_change_permission(request),
            "scan_url": reverse("admin:customers_duplicatecandidate_scan"),
            "progress_url": reverse("admin:customers_duplicatecandidate_progress", args=[run.pk])
            if run
            else "",
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    @admin.action(description="Not a duplicate (remember)", permissions=["change"])
    def mark_not_duplicate(self, request, queryset):
        done = 0
        for candidate in queryset.filter(status=DuplicateCandidate.Status.OPEN):
            candidate_mark_not_duplicate(candidate=candidate, actor=request.user)
            done += 1
        self.message_user(
            request, f"{done} pair(s) marked as not duplicates; later scans will leave them alone."
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("scan/", view(self.scan_view), name="customers_duplicatecandidate_scan"),
            path(
                "scan/<int:run_id>/progress.json",
                view(self.progress_view),
                name="customers_duplicatecandidate_progress",
            ),
            path("<int:pk>/review/", view(self.review_view), name="customers_duplicatecandidate_review"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:customers_duplicatecandidate_review", args=[object_id]))

    def scan_view(self, request: HttpRequest):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:customers_duplicatecandidate_changelist"))
        if not self.has_change_permission(request):
            raise PermissionDenied
        run, started = dedupe_run_start(actor=request.user)
        if started:
            self.message_user(request, f"Scan #{run.pk} queued; the bar below shows its progress.")
        else:
            self.message_user(request, f"Scan #{run.pk} is already under way.", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:customers_duplicatecandidate_changelist"))

    def progress_view(self, request: HttpRequest, run_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(DedupeRun, pk=run_id)
        return JsonResponse(
            {
                "id": run.pk,
                "status": run.status,
                "status_label": run.get_status_display(),
                "stage": run.stage,
                "percent": run.percent,
                "customers": run.customers,
                "pairs_found": run.pairs_found,
                "new_pairs": run.new_pairs,
                "active": run.is_active,
                "error": run.error,
            }
        )

    def review_view(self, request: HttpRequest, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        candidate = get_object_or_404(
            DuplicateCandidate.objects.select_related("customer_a", "customer_b"), pk=pk
        )
        if request.method == "POST" and "not_duplicate" in request.POST:
            if not self.has_change_permission(request):
                raise PermissionDenied
            candidate_mark_not_duplicate(candidate=candidate, actor=request.user)
            self.message_user(request, "Marked as not a duplicate; later scans will leave this pair alone.")
            return HttpResponseRedirect(reverse("admin:customers_duplicatecandidate_changelist"))
        return merge_page(self, request, candidate.customer_a, candidate.customer_b, candidate)


@admin.register(CustomerMerge)
class CustomerMergeAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "survivor_link", "duplicate_display", "actor", "moved_count", "undone"]
    list_filter = [("undone_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["survivor__display_name", "duplicate__display_name"]
    list_select_related = ["survivor", "duplicate", "actor"]
    actions = ["undo_merge"]
    fields = [
        "survivor_link",
        "duplicate_display",
        "actor",
        "created_at",
        "undone_at",
        "undone_by",
        "choices_display",
        "moved_display",
        "sync_quickbooks",
    ]
    readonly_fields = fields
    change_form_template = TEMPLATES + "merge_change_form.html"

    @admin.display(description="kept customer", ordering="survivor__display_name")
    def survivor_link(self, obj: CustomerMerge) -> str:
        return _customer_link(obj.survivor)

    @admin.display(description="merged-away customer")
    def duplicate_display(self, obj: CustomerMerge) -> str:
        return format_html("{} ({})", duplicate_name(obj), _customer_link(obj.duplicate))

    @admin.display(description="undone", boolean=True, ordering="undone_at")
    def undone(self, obj: CustomerMerge) -> bool:
        return obj.undone_at is not None

    @admin.display(description="values chosen")
    def choices_display(self, obj: CustomerMerge) -> str:
        taken = [key for key, side in obj.field_choices.items() if side == "duplicate"]
        return (
            ", ".join(taken) + " taken from the merged-away customer"
            if taken
            else "All from the kept customer"
        )

    @admin.display(description="records moved")
    def moved_display(self, obj: CustomerMerge) -> str:
        if not obj.moved:
            return "None"
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            ((relation_by_label(label).title.capitalize(), len(ids)) for label, ids in obj.moved.items()),
        )

    def has_merge_permission(self, request) -> bool:
        return request.user.has_perm(MERGE_PERMISSION)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/undo/", view(self.undo_view), name="customers_customermerge_undo"),
            path(
                "merge/<int:left>/<int:right>/", view(self.merge_view), name="customers_customermerge_merge"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_undo": self.has_merge_permission(request)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.action(description="Undo merge…", permissions=["merge"])
    def undo_merge(self, request, queryset):
        chosen = list(queryset.filter(undone_at__isnull=True).values_list("pk", flat=True))
        if len(chosen) != 1:
            self.message_user(
                request, "Undo one merge at a time (and only one not yet undone).", messages.WARNING
            )
            return None
        return HttpResponseRedirect(reverse("admin:customers_customermerge_undo", args=chosen))

    def undo_view(self, request: HttpRequest, pk: int):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        merge = get_object_or_404(CustomerMerge.objects.select_related("survivor", "duplicate"), pk=pk)
        if request.method == "POST":
            try:
                customer_merge_undo(merge=merge, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request, f"Undone: '{duplicate_name(merge)}' and '{merge.survivor}' are separate again."
                )
            return HttpResponseRedirect(reverse("admin:customers_customermerge_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Undo this merge?",
            "opts": self.model._meta,
            "merge": merge,
            "moved": [(relation_by_label(label).title, len(ids)) for label, ids in merge.moved.items()],
        }
        return TemplateResponse(request, TEMPLATES + "undo_confirm.html", context)

    def merge_view(self, request: HttpRequest, left: int, right: int):
        if not request.user.has_perm(MERGE_PERMISSION):
            raise PermissionDenied
        first, second = get_object_or_404(Customer, pk=left), get_object_or_404(Customer, pk=right)
        return merge_page(self, request, first, second)


@admin.register(DedupeRun)
class DedupeRunAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "trigger",
        "status",
        "progress",
        "customers",
        "pairs_found",
        "new_pairs",
        "started_at",
        "finished_at",
        "requested_by",
    ]
    list_filter = ["status", "trigger", "created_at"]
    actions = ["cancel"]

    @admin.display(description="progress")
    def progress(self, obj: DedupeRun) -> str:
        return f"{obj.percent}% {obj.stage}".strip()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("customers.change_duplicatecandidate")

    @admin.action(description="Cancel the scan", permissions=["cancel"])
    def cancel(self, request, queryset):
        for run in queryset:
            dedupe_run_cancel(run=run)
        self.message_user(request, "Asked the scan(s) to stop; they stop within a few seconds.")
