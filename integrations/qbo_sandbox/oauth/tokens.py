"""Token storage: authorization codes, grants (one per connection), refresh and access tokens.

Only sha256 hashes of token values are stored. Refresh and access token values are derived from a
per-sandbox secret (``meta``) and the row's random nonce, so in ``intuit`` rotation mode the sandbox
can hand back the *current* refresh value (or, for a concurrent refresh, the same access token)
without ever writing a token to disk.

All times are simulated POSIX seconds from the sandbox clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_code (
    hash TEXT PRIMARY KEY,            -- sha256 of the code
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    realm_id TEXT,                    -- NULL when no accounting/payment scope was granted
    scope TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL                      -- codes are single use
);
CREATE TABLE IF NOT EXISTS oauth_grant (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    realm_id TEXT,
    scope TEXT NOT NULL,
    auth_time REAL NOT NULL,
    hard_expires_at REAL NOT NULL,    -- the 5-year cap from the original authorization
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS oauth_refresh (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id INTEGER NOT NULL REFERENCES oauth_grant(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,         -- rolling; pushed forward by each successful refresh
    replaced_at REAL,                 -- set when a newer value was issued
    successor_id INTEGER
);
CREATE TABLE IF NOT EXISTS oauth_access (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id INTEGER NOT NULL REFERENCES oauth_grant(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked_at REAL,
    source_hash TEXT                  -- hash of the refresh value that produced it (concurrent-refresh rule)
);
CREATE INDEX IF NOT EXISTS oauth_access_source ON oauth_access(source_hash, issued_at);
CREATE TABLE IF NOT EXISTS oauth_realm_access (
    realm_id TEXT PRIMARY KEY,
    admin_lost INTEGER NOT NULL DEFAULT 0  -- the connecting user lost admin rights (error 120)
);
"""

# Real access tokens are JWEs; every one starts with this header, so the "Token expired: <first 10
# chars>" detail of a 401 looks like Intuit's and reveals nothing about the token.
_ACCESS_PREFIX = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0.."
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
MIN_TOKEN_LEN, MAX_TOKEN_LEN = 20, 4096


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _base62(data: bytes) -> str:
    number, out = int.from_bytes(data, "big"), []
    while number:
        number, digit = divmod(number, 62)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out)) or "0"


def new_code() -> str:
    return "AB11" + _base62(secrets.token_bytes(32))


@dataclass(frozen=True)
class Grant:
    id: int
    client_id: str
    realm_id: str | None
    scope: str
    auth_time: float
    hard_expires_at: float
    revoked_at: float | None

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())


class TokenStore:
    """Rows and derived values; callers hold the write transaction (``db.transaction()``)."""

    def __init__(self, db) -> None:
        self.db = db
        db.register_schema(SCHEMA)
        secret = db.get_meta("oauth.token_secret")
        if secret is None:
            db.set_meta("oauth.token_secret", secrets.token_hex(32))
            secret = db.get_meta("oauth.token_secret")
        self._secret = bytes.fromhex(secret)

    # -- values ---------------------------------------------------------------------------------
    def _mac(self, label: str) -> bytes:
        return hmac.new(self._secret, label.encode(), hashlib.sha256).digest()

    def refresh_value(self, row_id: int, nonce: str) -> str:
        return "AB11" + _base62(self._mac(f"rt:{row_id}:{nonce}"))

    def access_value(self, row_id: int, nonce: str) -> str:
        parts = [_base62(self._mac(f"at:{row_id}:{nonce}:{i}")) for i in range(6)]
        return _ACCESS_PREFIX + parts[0] + parts[1] + "." + "".join(parts[2:])

    # -- codes ----------------------------------------------------------------------------------
    def add_code(self, conn, code, client_id, redirect_uri, realm_id, scope, now, ttl) -> None:
        conn.execute(
            "INSERT INTO oauth_code(hash, client_id, redirect_uri, realm_id, scope, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash(code), client_id, redirect_uri, realm_id, scope, now, now + ttl),
        )

    def take_code(self, conn, code: str, now: float) -> sqlite3.Row | None:
        """The code's row if it was unused; marks it used either way (single use)."""
        row = conn.execute("SELECT * FROM oauth_code WHERE hash = ?", (token_hash(code),)).fetchone()
        if row is None or row["used_at"] is not None:
            return None
        conn.execute("UPDATE oauth_code SET used_at = ? WHERE hash = ?", (now, row["hash"]))
        return row

    # -- grants ---------------------------------------------------------------------------------
    def add_grant(self, conn, client_id, realm_id, scope, now, hard_ttl) -> int:
        cur = conn.execute(
            "INSERT INTO oauth_grant(client_id, realm_id, scope, auth_time, hard_expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (client_id, realm_id, scope, now, now + hard_ttl),
        )
        return int(cur.lastrowid)

    def grant(self, conn, grant_id: int) -> Grant:
        row = conn.execute("SELECT * FROM oauth_grant WHERE id = ?", (grant_id,)).fetchone()
        return Grant(**{k: row[k] for k in row.keys()})  # noqa: SIM118 (sqlite3.Row)

    def revoke_grant(self, conn, grant_id: int, now: float) -> None:
        conn.execute(
            "UPDATE oauth_grant SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, grant_id)
        )

    # -- refresh tokens -------------------------------------------------------------------------
    def add_refresh(self, conn, grant_id: int, now: float, expires_at: float) -> tuple[int, str]:
        nonce = secrets.token_hex(8)
        cur = conn.execute(
            "INSERT INTO oauth_refresh(grant_id, nonce, hash, issued_at, expires_at) VALUES (?, ?, '', ?, ?)",
            (grant_id, nonce, now, expires_at),
        )
        row_id = int(cur.lastrowid)
        value = self.refresh_value(row_id, nonce)
        conn.execute("UPDATE oauth_refresh SET hash = ? WHERE id = ?", (token_hash(value), row_id))
        return row_id, value

    def refresh_row(self, conn, value: str) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM oauth_refresh WHERE hash = ?", (token_hash(value),)).fetchone()

    def refresh_by_id(self, conn, row_id: int) -> sqlite3.Row:
        return conn.execute("SELECT * FROM oauth_refresh WHERE id = ?", (row_id,)).fetchone()

    def current_refresh(self, conn, row: sqlite3.Row) -> sqlite3.Row:
        """Follow the rotation chain to the value in use now."""
        while row["successor_id"] is not None:
            row = self.refresh_by_id(conn, row["successor_id"])
        return row

    def replace_refresh(self, conn, row_id: int, successor_id: int, now: float) -> None:
        conn.execute(
            "UPDATE oauth_refresh SET replaced_at = ?, successor_id = ? WHERE id = ?",
            (now, successor_id, row_id),
        )

    def extend_refresh(self, conn, row_id: int, expires_at: float) -> None:
        conn.execute("UPDATE oauth_refresh SET expires_at = ? WHERE id = ?", (expires_at, row_id))

    # -- access tokens --------------------------------------------------------------------------
    def add_access(self, conn, grant_id, now, expires_at, source_hash=None) -> tuple[str, float]:
        nonce = secrets.token_hex(8)
        cur = conn.execute(
            "INSERT INTO oauth_access(grant_id, nonce, hash, issued_at, expires_at, source_hash)"
            " VALUES (?, ?, '', ?, ?, ?)",
            (grant_id, nonce, now, expires_at, source_hash),
        )
        row_id = int(cur.lastrowid)
        value = self.access_value(row_id, nonce)
        conn.execute("UPDATE oauth_access SET hash = ? WHERE id = ?", (token_hash(value), row_id))
        return value, expires_at

    def recent_access_from(
        self, conn, source_hash: str, since: float, now: float
    ) -> tuple[str, float] | None:
        row = conn.execute(
            "SELECT id, nonce, expires_at FROM oauth_access WHERE source_hash = ? AND issued_at >= ?"
            " AND revoked_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1",
            (source_hash, since, now),
        ).fetchone()
        return (self.access_value(row["id"], row["nonce"]), row["expires_at"]) if row else None

    def access_row(self, conn, value: str) -> sqlite3.Row | None:
        return conn.execute(
            "SELECT a.*, g.client_id, g.realm_id, g.scope, g.revoked_at AS grant_revoked_at"
            " FROM oauth_access a JOIN oauth_grant g ON g.id = a.grant_id WHERE a.hash = ?",
            (token_hash(value),),
        ).fetchone()

    def revoke_access(self, conn, row_id: int, now: float) -> None:
        conn.execute("UPDATE oauth_access SET revoked_at = ? WHERE id = ?", (now, row_id))

    # -- realm-level state ----------------------------------------------------------------------
    def admin_lost(self, conn, realm_id: str) -> bool:
        row = conn.execute(
            "SELECT admin_lost FROM oauth_realm_access WHERE realm_id = ?", (realm_id,)
        ).fetchone()
        return bool(row and row[0])

    def set_admin_lost(self, conn, realm_id: str, lost: bool) -> None:
        conn.execute(
            "INSERT INTO oauth_realm_access(realm_id, admin_lost) VALUES (?, ?)"
            " ON CONFLICT(realm_id) DO UPDATE SET admin_lost = excluded.admin_lost",
            (realm_id, int(lost)),
        )
