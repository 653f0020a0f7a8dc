"""Admin of the integrations app, one module per screen group (importing registers the admins)."""

from integrations.admin import (  # noqa: F401
    bulk_runs,
    conflicts,
    connection,
    events,
    failures,
    importing,
    mapping,
    merges,
    outbox,
)
