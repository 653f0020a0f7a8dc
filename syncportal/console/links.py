"""Links from a figure to the admin list behind it, only when that list exists for this user."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse


def changelist_url(user, label: str, **filters) -> str:
    """``label`` is "app.model"; "" when the list is not registered or the user may not view it."""
    app, model = label.split(".")
    if not user.has_perm(f"{app}.view_{model}"):
        return ""
    try:
        url = reverse(f"admin:{app}_{model}_changelist")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(filters)}" if filters else url


def change_url(user, label: str, pk: int) -> str:
    app, model = label.split(".")
    if not user.has_perm(f"{app}.view_{model}"):
        return ""
    try:
        return reverse(f"admin:{app}_{model}_change", args=[pk])
    except NoReverseMatch:
        return ""
