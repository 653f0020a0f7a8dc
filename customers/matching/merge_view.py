"""The side-by-side merge page, shared by the review queue and "merge these two" (admin views)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from customers.matching.merge_form import LEFT, RIGHT, MergeForm
from customers.merging import MERGE_PERMISSION, customer_merge, customer_merge_preview
from customers.models import Customer, CustomerMerge

TEMPLATE = "admin/customers/dedupe/merge.html"


def merge_page(model_admin, request: HttpRequest, left: Customer, right: Customer, candidate=None):
    """The side-by-side page: pick the record to keep and each differing value, preview, merge."""
    can_merge = request.user.has_perm(MERGE_PERMISSION)
    form = MergeForm(request.POST or None, left=left, right=right)
    if request.method == "POST" and "merge" in request.POST:
        if not can_merge:
            raise PermissionDenied
        if form.is_valid():
            survivor, duplicate = form.roles(form.cleaned_data["keep"])
            try:
                merge = customer_merge(
                    survivor=survivor,
                    duplicate=duplicate,
                    field_choices=form.field_choices(),
                    actor=request.user,
                    sync_quickbooks=form.cleaned_data["sync_quickbooks"],
                )
            except ValidationError as error:
                model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                model_admin.message_user(
                    request,
                    f"Merged '{duplicate_name(merge)}' into '{merge.survivor}': "
                    f"{merge.moved_count} record(s) moved. You can undo this from the merge record.",
                )
                return HttpResponseRedirect(reverse("admin:customers_customermerge_change", args=[merge.pk]))
    keep = form.data.get("keep") if form.is_bound else form.fields["keep"].initial
    survivor, duplicate = form.roles(keep if keep in (LEFT, RIGHT) else form.fields["keep"].initial)
    preview = customer_merge_preview(
        survivor=survivor, duplicate=duplicate, field_choices=form.field_choices()
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Duplicate? {left} / {right}",
        "opts": model_admin.model._meta,
        "candidate": candidate,
        "left": left,
        "right": right,
        "form": form,
        "rows": form.rows(),
        "survivor": survivor,
        "duplicate": duplicate,
        "moves": [(relation.title, count) for relation, count in preview.moves],
        "problems": preview.problems,
        "can_merge": can_merge,
        "can_decide": candidate is not None and request.user.has_perm("customers.change_duplicatecandidate"),
        "score": f"{candidate.score:.0%}" if candidate is not None and candidate.score < 0.995 else "99%+",
        "likely": candidate is not None and candidate.score >= settings.DEDUPE_AUTO_SUGGEST_THRESHOLD,
    }
    return TemplateResponse(request, TEMPLATE, context)


def duplicate_name(merge: CustomerMerge) -> str:
    return merge.duplicate_before.get("display_name") or str(merge.duplicate)
