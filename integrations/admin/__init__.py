"""Admin of the integrations app, one module per screen group (importing registers the admins)."""

from integrations.admin import (
    connection,  # noqa: F401
    mapping,  # noqa: F401
)
