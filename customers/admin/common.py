"""Pieces the customer admins share."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.shortcuts import redirect
from django.urls import reverse


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class RefusedDeleteMixin:
    """Say in words why a record cannot be deleted, instead of Django's list of protected objects."""

    def delete_refusal(self, obj) -> str | None:
        raise NotImplementedError

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            refusal = self.delete_refusal(obj)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return redirect(
                    reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
                )
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        # Bulk delete would skip the services (and their outbox rows): delete one at a time, or deactivate.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
