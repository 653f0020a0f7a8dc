"""The OAuth2 rules, without HTTP: consent -> code, code -> tokens, refresh with rotation, revoke.

Spec §8.2/§8.3. Every rule that is Intuit's documented behaviour is fixed here; the guesses
(rotation cadence, grace period, concurrent refreshes) read ``SandboxConfig``.
"""

from __future__ import annotations

import time
import uuid

from .keys import SigningKey
from .tokens import MAX_TOKEN_LEN, MIN_TOKEN_LEN, Grant, TokenStore, new_code, token_hash

ACCOUNTING = "com.intuit.quickbooks.accounting"
PAYMENT = "com.intuit.quickbooks.payment"
OPENID_SCOPES = {"openid", "profile", "email", "phone", "address", "intuit_name"}
KNOWN_SCOPES = {ACCOUNTING, PAYMENT, *OPENID_SCOPES}


class OAuthError(Exception):
    """An RFC 6749 error: ``error`` code, optional description, HTTP status for the token endpoints."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error, self.description, self.status = error, description, status


class TokenRejected(Exception):
    """An access token that cannot be used; ``reason`` is malformed | expired | revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_scope(scope: str | None) -> str:
    """Normalise a scope string; raise ``invalid_scope`` for unknown or unusable scopes."""
    parts = list(dict.fromkeys((scope or "").split()))
    if not parts or any(p not in KNOWN_SCOPES for p in parts):
        raise OAuthError("invalid_scope", "unknown or empty scope")
    if not {ACCOUNTING, PAYMENT, "openid"} & set(parts):
        raise OAuthError("invalid_scope", f"scope must include {ACCOUNTING}, {PAYMENT} or openid")
    return " ".join(parts)


def needs_realm(scope: str) -> bool:
    """Intuit returns a realmId only for the QuickBooks (accounting/payment) scopes."""
    return bool({ACCOUNTING, PAYMENT} & set(scope.split()))


class TokenService:
    def __init__(self, db, clock, config) -> None:
        self.db, self.clock, self.config = db, clock, config
        self.store = TokenStore(db)
        self.key = SigningKey(db)
        sub = db.get_meta("oauth.user_sub")
        if sub is None:
            db.set_meta("oauth.user_sub", str(uuid.uuid4()))
            sub = db.get_meta("oauth.user_sub")
        self.user_sub = sub

    @property
    def issuer(self) -> str:
        return f"{self.config.base_url}/op/v1"

    # -- consent --------------------------------------------------------------------------------
    def check_client(self, client_id: str | None, redirect_uri: str | None) -> None:
        if client_id != self.config.client_id:
            raise OAuthError("invalid_client", "unknown client_id")
        if redirect_uri not in self.config.redirect_uris:
            raise OAuthError("invalid_request", "redirect_uri is not registered for this app")

    def realms(self) -> list[tuple[str, str]]:
        rows = self.db.conn.execute("SELECT id, company_name FROM realm ORDER BY created_at, id").fetchall()
        return [(r["id"], r["company_name"]) for r in rows]

    def approve(self, client_id, redirect_uri, realm_id, scope, state=None) -> str:
        """Record the user's consent and return a single-use authorization code."""
        self.check_client(client_id, redirect_uri)
        scope = parse_scope(scope)
        if needs_realm(scope):
            if realm_id not in {rid for rid, _ in self.realms()}:
                raise OAuthError("invalid_request", "choose an existing company (realm)")
        else:
            realm_id = None
        code, now = new_code(), self.clock.timestamp()
        with self.db.transaction() as conn:
            self.store.add_code(
                conn, code, client_id, redirect_uri, realm_id, scope, now, self.config.auth_code_ttl
            )
        return code

    # -- token endpoint -------------------------------------------------------------------------
    def exchange_code(self, client_id: str, code: str, redirect_uri: str, include_hard: bool) -> dict:
        now = self.clock.timestamp()
        with self.db.transaction() as conn:  # commits the "used" mark even when the checks below fail
            row = self.store.take_code(conn, code, now)
        if row is None:
            raise OAuthError("invalid_grant", "authorization code is unknown or was already used")
        if now >= row["expires_at"]:
            raise OAuthError("invalid_grant", "authorization code expired")
        if row["client_id"] != client_id:
            raise OAuthError("invalid_grant", "authorization code was issued to another client")
        if row["redirect_uri"] != redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
        cfg = self.config
        with self.db.transaction() as conn:
            grant_id = self.store.add_grant(
                conn, client_id, row["realm_id"], row["scope"], now, cfg.refresh_token_hard_ttl
            )
            grant = self.store.grant(conn, grant_id)
            refresh_expires = min(now + cfg.refresh_token_ttl, grant.hard_expires_at)
            _, refresh_value = self.store.add_refresh(conn, grant_id, now, refresh_expires)
            access = self.store.add_access(conn, grant_id, now, now + cfg.access_token_ttl)
        return self._body(grant, access, refresh_value, refresh_expires, now, include_hard)

    def refresh(self, client_id: str, presented: str, include_hard: bool) -> dict:
        cfg, now, store = self.config, self.clock.timestamp(), self.store
        mode = cfg.refresh_rotation
        with self.db.transaction() as conn:  # BEGIN IMMEDIATE: concurrent refreshes run one at a time
            row = store.refresh_row(conn, presented)
            if row is None:
                raise OAuthError("invalid_grant", "refresh token is unknown")
            grant = store.grant(conn, row["grant_id"])
            if grant.client_id != client_id:
                raise OAuthError("invalid_grant", "refresh token was issued to another client")
            if grant.revoked_at is not None:
                raise OAuthError("invalid_grant", "refresh token was revoked")
            if now >= grant.hard_expires_at:
                raise OAuthError("invalid_grant", "refresh token reached its 5-year hard expiry")
            # A rotated-out value: only intuit mode keeps accepting it, for the grace period.
            if row["replaced_at"] is not None and (
                mode != "intuit" or now - row["replaced_at"] > cfg.refresh_grace_seconds
            ):
                raise OAuthError("invalid_grant", "refresh token was replaced by a newer one")
            current = store.current_refresh(conn, row)
            if now >= current["expires_at"]:
                raise OAuthError("invalid_grant", "refresh token expired")
            presented_hash = token_hash(presented)
            if mode == "intuit":
                # Concurrent refresh with the same value: the later caller gets the same pair.
                recent = store.recent_access_from(
                    conn, presented_hash, now - cfg.refresh_concurrent_window_seconds, now
                )
                if recent is not None:
                    value = store.refresh_value(current["id"], current["nonce"])
                    return self._body(grant, recent, value, current["expires_at"], now, include_hard)
            rotate = mode == "always" or (
                mode == "intuit" and now - current["issued_at"] >= cfg.refresh_rotation_interval
            )
            refresh_expires = min(now + cfg.refresh_token_ttl, grant.hard_expires_at)
            if rotate:
                new_id, value = store.add_refresh(conn, grant.id, now, refresh_expires)
                store.replace_refresh(conn, current["id"], new_id, now)
            else:
                store.extend_refresh(conn, current["id"], refresh_expires)
                value = store.refresh_value(current["id"], current["nonce"])
            access = store.add_access(conn, grant.id, now, now + cfg.access_token_ttl, presented_hash)
        return self._body(grant, access, value, refresh_expires, now, include_hard)

    def _body(self, grant: Grant, access, refresh_value, refresh_expires, now, include_hard) -> dict:
        access_value, access_expires = access
        body = {
            "token_type": "bearer",
            "access_token": access_value,
            "refresh_token": refresh_value,
            "expires_in": max(0, round(access_expires - now)),
            "x_refresh_token_expires_in": max(0, round(refresh_expires - now)),
        }
        if "openid" in grant.scopes:
            body["id_token"] = self.id_token(grant)
        if include_hard:
            body["x_refresh_token_hard_expires_in"] = max(0, round(grant.hard_expires_at - now))
        return body

    def id_token(self, grant: Grant) -> str:
        # Relying parties check iat/exp against their own (real) clock; see config.id_token_wall_clock.
        issued = time.time() if self.config.id_token_wall_clock else self.clock.timestamp()
        offset = issued - self.clock.timestamp()
        claims = {
            "iss": self.issuer,
            "aud": [grant.client_id],
            "sub": self.user_sub,
            "auth_time": int(grant.auth_time + offset),
            "iat": int(issued),
            "exp": int(issued + self.config.id_token_ttl),
        }
        if grant.realm_id:
            claims["realmid"] = grant.realm_id
        return self.key.sign(claims)

    # -- revocation -----------------------------------------------------------------------------
    def revoke(self, client_id: str, value: str) -> None:
        now = self.clock.timestamp()
        with self.db.transaction() as conn:
            row = self.store.refresh_row(conn, value)
            if row is not None:
                grant = self.store.grant(conn, row["grant_id"])
                if grant.client_id != client_id or grant.revoked_at is not None:
                    raise OAuthError("invalid_request", "token is not valid")
                self.store.revoke_grant(conn, grant.id, now)
                return
            access = self.store.access_row(conn, value)
            if access is None or access["client_id"] != client_id:
                raise OAuthError("invalid_request", "token is not valid")
            if access["revoked_at"] is not None or access["grant_revoked_at"] is not None:
                raise OAuthError("invalid_request", "token is not valid")
            if self.config.revoke_access_token_revokes_grant:
                self.store.revoke_grant(conn, access["grant_id"], now)
            else:
                self.store.revoke_access(conn, access["id"], now)

    # -- resource side --------------------------------------------------------------------------
    def check_access(self, value: str | None):
        """The access token's row (joined with its grant) or ``TokenRejected``."""
        if not value or not MIN_TOKEN_LEN <= len(value) <= MAX_TOKEN_LEN:
            raise TokenRejected("malformed")
        row = self.store.access_row(self.db.conn, value)
        if row is None:
            raise TokenRejected("expired")  # Intuit's gateway answers unknown tokens the same way
        if row["revoked_at"] is not None or row["grant_revoked_at"] is not None:
            raise TokenRejected("revoked")
        if self.clock.timestamp() >= row["expires_at"]:
            raise TokenRejected("expired")
        return row

    def admin_lost(self, realm_id: str) -> bool:
        return self.store.admin_lost(self.db.conn, realm_id)

    def set_admin_lost(self, realm_id: str, lost: bool) -> None:
        with self.db.transaction() as conn:
            self.store.set_admin_lost(conn, realm_id, lost)
