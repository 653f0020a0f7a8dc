"""Admin pages of the field mapping screen: the preview (nothing is sent) and the re-sync confirmation."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from customers.models import Customer
from integrations.mapping.choices import Entity
from integrations.mapping.engine import qbo_json
from integrations.selectors.config import realm_choices
from integrations.selectors.preview import preview_customer, preview_sale
from integrations.services.bulk_runs import bulk_resync_start
from integrations.services.config import resync_affected_count
from sales.models import Sale


def _realm_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="QuickBooks company", choices=realm_choices() or [("", "Defaults")], required=False
    )


class PreviewForm(forms.Form):
    record = forms.ChoiceField(choices=[("customer", "Customer"), ("sale", "Sale")])
    reference = forms.CharField(
        label="Customer or sale",
        help_text="A customer's name or id, or a sale's number or id.",
        max_length=500,
    )
    candidates = forms.CharField(
        label="Test against these QuickBooks customers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Optional: a JSON list of QuickBooks Customer objects. Empty: the customers SyncPortal "
        "knows from QuickBooks.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["realm_id"] = _realm_field()

    def clean_candidates(self):
        raw = self.cleaned_data["candidates"].strip()
        if not raw:
            return None
        try:
            found = json.loads(raw)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"This is not valid JSON ({error.msg}, line {error.lineno})."
            ) from None
        found = found.get("QueryResponse", {}).get("Customer", []) if isinstance(found, dict) else found
        if not isinstance(found, list) or not all(isinstance(c, dict) for c in found):
            raise forms.ValidationError(
                'Paste a JSON list of QuickBooks Customer objects, e.g. [{"Id": "58", …}].'
            )
        return found

    def clean(self):
        data = super().clean()
        reference = (data.get("reference") or "").strip()
        if data.get("record") == "customer" and reference:
            by_id = (
                Customer.objects.filter(pk=int(reference)) if reference.isdigit() else Customer.objects.none()
            )
            data["object"] = by_id.first() or Customer.objects.filter(display_name__iexact=reference).first()
        elif reference:
            by_id = Sale.objects.filter(pk=int(reference)) if reference.isdigit() else Sale.objects.none()
            data["object"] = Sale.objects.filter(number=reference).first() or by_id.first()
        if reference and data.get("object") is None:
            self.add_error("reference", f"No {data.get('record')} ‘{reference}’ was found.")
        return data


def preview(model_admin, request):
    """Pick a customer or sale; see the QuickBooks JSON and the match decision. Sends nothing."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET if "reference" in request.GET else None)
    form = PreviewForm(data)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Preview what QuickBooks would receive",
    }
    if data is not None and form.is_valid():
        target, realm = form.cleaned_data["object"], form.cleaned_data["realm_id"] or ""
        candidates = form.cleaned_data["candidates"]
        if form.cleaned_data["record"] == "customer":
            result = preview_customer(target, realm_id=realm, candidates=candidates)
            context.update(customer=result, customer_json=qbo_json(result.qbo_json))
        else:
            result = preview_sale(target, realm_id=realm, candidates=candidates)
            context.update(
                sale=result,
                sale_json=qbo_json({result.document.qbo_type: result.document.body}),
                customer=result.customer,
                customer_json=qbo_json(result.customer.qbo_json) if result.customer else "",
            )
    context.update(form=form, opts=model_admin.model._meta)
    return TemplateResponse(request, "admin/integrations/mapping_preview.html", context)


class ResyncForm(forms.Form):
    entity = forms.MultipleChoiceField(
        label="Records to re-sync", choices=Entity.choices, widget=forms.CheckboxSelectMultiple
    )
    since = forms.DateField(
        required=False,
        help_text="Sales, payments, refunds and credit: only those dated on or after this day. Empty: all.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["realm_id"] = _realm_field()


def resync(model_admin, request):
    """Count the records a re-sync would queue; on confirmation, start a run that re-sends them."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET if "entity" in request.GET else None)
    form = ResyncForm(data)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Re-sync records after a configuration change",
    }
    if data is not None and form.is_valid():
        options = {
            "entities": form.cleaned_data["entity"],
            "realm_id": form.cleaned_data["realm_id"] or "",
            "since": form.cleaned_data["since"],
        }
        if request.method == "POST" and "confirm" in request.POST:
            run = bulk_resync_start(**options, actor=request.user)
            model_admin.message_user(
                request,
                f"Re-sending {run.total} record(s) to QuickBooks; this page follows it.",
                messages.SUCCESS,
            )
            return redirect(reverse("admin:integrations_bulkrun_change", args=[run.pk]))
        counts = resync_affected_count(**options)
        context.update(counts=[(Entity(e).label, n) for e, n in counts.items()], total=sum(counts.values()))
    context.update(form=form, opts=model_admin.model._meta)
    return TemplateResponse(request, "admin/integrations/resync.html", context)
