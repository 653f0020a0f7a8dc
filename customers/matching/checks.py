"""Startup checks for the duplicate finder's and the merge's settings (``manage.py check``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def check_dedupe_settings(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    review = getattr(settings, "DEDUPE_REVIEW_THRESHOLD", None)
    auto = getattr(settings, "DEDUPE_AUTO_SUGGEST_THRESHOLD", None)
    numbers = all(isinstance(v, int | float) for v in (review, auto))
    if not numbers or not 0 < review <= auto <= 1:
        errors.append(
            Error(
                f"DEDUPE_REVIEW_THRESHOLD ({review!r}) and DEDUPE_AUTO_SUGGEST_THRESHOLD ({auto!r}) must be "
                "numbers with 0 < review <= auto-suggest <= 1.",
                hint="E.g. DEDUPE_REVIEW_THRESHOLD=0.5 and DEDUPE_AUTO_SUGGEST_THRESHOLD=0.9.",
                id="customers.E001",
            )
        )
    path = getattr(settings, "CUSTOMER_BALANCE_REFRESH", "")
    try:
        refresh = import_string(path)
    except ImportError as error:
        refresh = None
        problem = str(error)
    else:
        problem = "" if callable(refresh) else "it is not callable"
    if refresh is None or problem:
        errors.append(
            Error(
                f"CUSTOMER_BALANCE_REFRESH = {path!r} cannot be used: {problem}.",
                hint="Name the function that recomputes a customer's balance: f(customer=..., actor=...).",
                id="customers.E002",
            )
        )
    return errors
