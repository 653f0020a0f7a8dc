"""Connecting a QuickBooks company and keeping its tokens fresh.

Refresh is single-flight per company: the connection row is locked (``select_for_update``) while one
worker refreshes, and the rotated refresh token is stored before anything uses the new access
token, because Intuit invalidates the old refresh token once a newer one has been issued. A refused
refresh (``invalid_grant``) marks the company *needs reconnect* and pauses its sync; changes keep
queueing in the outbox and nothing is lost.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.models.connection import QBOConnection
from integrations.qbo import tokens
from integrations.qbo.contracts import TokenSet
from integrations.qbo.errors import QBOError, ReconnectRequired
from integrations.qbo.gateway import QBOGateway

log = logging.getLogger(__name__)

# Refresh a little before expiry so a long batch never starts with a token about to die.
REFRESH_MARGIN = timedelta(seconds=120)


def new_state_token() -> str:
    return secrets.token_urlsafe(24)


def _store_tokens(connection: QBOConnection, token_set: TokenSet) -> None:
    now = timezone.now()
    connection.access_token = token_set.access_token
    connection.refresh_token = token_set.refresh_token
    connection.access_token_expires_at = now + timedelta(seconds=token_set.expires_in)
    connection.refresh_token_expires_at = now + timedelta(seconds=token_set.refresh_expires_in)
    connection.token_refreshed_at = now


def connection_complete(*, code: str, realm_id: str, actor=None) -> QBOConnection:
    """Finish the authorization-code flow: exchange the code and store the company's tokens."""
    token_set = tokens.exchange_code(code, realm_id)
    with transaction.atomic():
        connection, created = QBOConnection.objects.select_for_update().get_or_create(realm_id=realm_id)
        _store_tokens(connection, token_set)
        connection.status = QBOConnection.Status.CONNECTED
        connection.status_message = ""
        connection.connected_by = actor if getattr(actor, "pk", None) else None
        connection.connected_at = timezone.now()
        connection.paused_until = None
        connection.save()
    try:
        info = gateway_for(connection).read("CompanyInfo", realm_id)
        QBOConnection.objects.filter(pk=connection.pk).update(company_name=info.get("CompanyName", "")[:255])
        connection.refresh_from_db()
    except QBOError:
        log.warning("connected realm %s but could not read its company name", realm_id)
    log.info("QuickBooks company %s connected (new=%s)", realm_id, created)
    if created:
        # A company connected for the first time brings its customers, items and open documents in.
        # Explicit, not a signal; a reconnect does not re-import (the manager can run qbo_import).
        from integrations.importing.services import initial_import_start

        initial_import_start(connection=connection, actor=actor)
    return connection


def connection_access_token(*, connection_id: int, force_refresh: bool = False) -> str:
    """A valid access token for the company, refreshing (once, under a lock) when needed."""
    connection = QBOConnection.objects.get(pk=connection_id)
    if not force_refresh and _fresh(connection):
        return connection.access_token
    try:
        with transaction.atomic():
            connection = QBOConnection.objects.select_for_update().get(pk=connection_id)
            if connection.status != QBOConnection.Status.CONNECTED:
                raise ReconnectRequired(connection.status_message or "QuickBooks needs to be reconnected")
            # Another worker may have refreshed while we waited for the lock.
            if _fresh(connection) and not (force_refresh and _refreshed_long_ago(connection)):
                return connection.access_token
            token_set = tokens.refresh(connection.refresh_token)
            _store_tokens(connection, token_set)
            connection.save(
                update_fields=[
                    "access_token",
                    "refresh_token",
                    "access_token_expires_at",
                    "refresh_token_expires_at",
                    "token_refreshed_at",
                ]
            )
            return connection.access_token
    except ReconnectRequired as exc:
        connection_mark_needs_reconnect(connection_id=connection_id, reason=exc.message)
        raise


def _fresh(connection: QBOConnection) -> bool:
    expires = connection.access_token_expires_at
    return bool(connection.access_token and expires and expires - REFRESH_MARGIN > timezone.now())


def _refreshed_long_ago(connection: QBOConnection) -> bool:
    # A forced refresh (after a 401) is skipped if someone refreshed in the last few seconds.
    refreshed = connection.token_refreshed_at
    return not refreshed or timezone.now() - refreshed > timedelta(seconds=5)


def connection_mark_needs_reconnect(*, connection_id: int, reason: str) -> None:
    QBOConnection.objects.filter(pk=connection_id).update(
        status=QBOConnection.Status.NEEDS_RECONNECT,
        status_message=(
            f"{reason}. Sync is paused and changes are queued; a manager must reconnect QuickBooks."
        )[:500],
    )
    log.warning("QuickBooks company connection %s needs reconnect", connection_id)


def connection_disconnect(*, connection: QBOConnection, actor=None) -> None:
    """Revoke the tokens at Intuit and stop syncing. Links and history are kept for a reconnect."""
    token = connection.refresh_token
    with transaction.atomic():
        QBOConnection.objects.filter(pk=connection.pk).update(
            status=QBOConnection.Status.DISCONNECTED,
            status_message="Disconnected by a manager.",
            access_token="",
            refresh_token="",
        )
    if token:
        try:
            tokens.revoke(token)
        except QBOError:
            log.warning("could not revoke the token of connection %s at Intuit", connection.pk)


def refresh_token_expiring(connection: QBOConnection) -> bool:
    expires = connection.refresh_token_expires_at
    warning = timedelta(days=getattr(settings, "QBO_REFRESH_WARNING_DAYS", 14))
    connected = connection.status == QBOConnection.Status.CONNECTED
    return bool(connected and expires and expires - timezone.now() < warning)


def gateway_for(connection: QBOConnection, *, pace=None) -> QBOGateway:
    def provider(force_refresh: bool) -> str:
        return connection_access_token(connection_id=connection.pk, force_refresh=force_refresh)

    kwargs = {"pace": pace} if pace else {}
    return QBOGateway(realm_id=connection.realm_id, token_provider=provider, **kwargs)
