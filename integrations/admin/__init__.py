"""Admin of the integrations app, one module per screen group (importing registers the admins)."""

from integrations.admin import importing, mapping  # noqa: F401
