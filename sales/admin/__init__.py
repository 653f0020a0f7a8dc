"""Sales admin: every add/change form and action saves through ``sales.services``."""

from sales.admin import items, payments, returns, sales  # noqa: F401  (registers the ModelAdmins)
