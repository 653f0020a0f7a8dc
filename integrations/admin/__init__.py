"""Admin of the integrations app, one module per screen group (importing registers the admins)."""

from integrations.admin import conflicts, connection, events, failures, importing, mapping, merges  # noqa: F401
