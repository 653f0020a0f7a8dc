"""Links from sync records to the local record's admin page ("Fix the record")."""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def record_admin_url(entity: str, object_id: int | None) -> str:
    """The admin change page of ``"<app>.<model>"`` #object_id, or "" if it has none."""
    if not object_id or "." not in entity:
        return ""
    app_label, model_name = entity.split(".", 1)
    try:
        apps.get_model(app_label, model_name)
        return reverse(f"admin:{app_label}_{model_name}_change", args=[object_id])
    except (LookupError, NoReverseMatch):
        return ""
