"""Frozen dataclasses that cross the gateway boundary (no SDK objects, no Django models)."""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.qbo.errors import QBOError


@dataclass(frozen=True)
class BatchOp:
    """One item of a QBO batch request."""

    bid: str  # ≤ 10 characters when the batch carries a requestid
    operation: str  # create | update | delete
    qbo_type: str
    body: dict
    options: str = ""  # "void" for a batch void


@dataclass(frozen=True)
class BatchResult:
    bid: str
    entity: dict | None = None
    error: QBOError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    realm_id: str = ""
    extra: dict = field(default_factory=dict)
