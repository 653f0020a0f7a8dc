"""Shared admin machinery: forms that save through a service, a confirmed "void" action, money display."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import construct_change_message
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone

from sales.forms import ServiceErrorFormMixin


def dollars(amount: Decimal | None) -> str:
    return "" if amount is None else f"${amount:,.2f}"


class ServiceFormAdminMixin:
    """Add/change forms (with their inlines) whose submit calls one service, never ``Model.save()``.

    The admin validates the form and inline formsets as usual, then ``service_save`` hands the
    cleaned data to the service inside the admin's transaction. If the service refuses
    (``ValidationError``) that transaction rolls back, so nothing is written, and the same submission
    is shown again with the refusal on the form.
    """

    def service_save(self, request, form, formsets, change: bool) -> models.Model:
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            request._sales_service_error = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_sales_service_error", None)
        if error is None:
            return form_class
        bases = (
            (form_class,)
            if issubclass(form_class, ServiceErrorFormMixin)
            else (ServiceErrorFormMixin, form_class)
        )
        return type(form_class.__name__, bases, {"service_error": error})

    def save_model(self, request, obj, form, change):
        """Nothing here: the service writes the record together with its lines in ``save_related``."""

    def save_related(self, request, form, formsets, change):
        saved = self.service_save(request, form, formsets, change)
        # The admin goes on with ``form.instance`` (log entry, redirect): make it the saved record.
        for field in saved._meta.concrete_fields:
            setattr(form.instance, field.attname, getattr(saved, field.attname))
        form.instance._state.adding = False
        form.instance._state.db = saved._state.db

    def construct_change_message(self, request, form, formsets, add=False):
        return construct_change_message(form, [], add)

    def formset_rows(self, formsets, model: type[models.Model]):
        return next(formset for formset in formsets if formset.model is model)


def void_action(service: Callable, *, description: str = "Void selected"):
    """A "void selected" admin action with a confirmation page; each record goes through ``service``."""

    @admin.action(permissions=["change"], description=description)
    def void_selected(modeladmin, request, queryset):
        queryset = queryset.filter(is_void=False)
        if request.POST.get("post") == "yes":
            done, refused = 0, []
            for document in queryset:
                try:
                    service(document, actor=request.user)
                    done += 1
                except ValidationError as error:
                    refused.append(" ".join(error.messages))
            if done:
                modeladmin.message_user(request, f"Voided {done} record(s).", messages.SUCCESS)
            for reason in refused:
                modeladmin.message_user(request, reason, messages.ERROR)
            return None
        opts = modeladmin.model._meta
        return TemplateResponse(
            request,
            "admin/sales/void_selected_confirmation.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": f"Void {opts.verbose_name_plural}?",
                "opts": opts,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action_name": "void_selected",
            },
        )

    return void_selected


class DocumentAdminMixin:
    """Documents are voided, not deleted; a manager may delete one that is already void."""

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_void)

    def get_changeform_initial_data(self, request):
        return {"date": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would bypass the void-first rule
        return actions

    def delete_model(self, request, obj):
        from sales.services import document_delete

        document_delete(document=obj, actor=request.user)
