"""Overwriting QuickBooks' version of a record, when a person asked for it.

A force push (failure admin) or *Keep SyncPortal* (conflict admin) means "our version wins". The
stored SyncToken may be older than QuickBooks' (that is usually why the push failed), and an update
with an old token is refused (5010). So, for those records only, the current SyncToken is read
first: one metered read per record a person chose to overwrite, never for ordinary changes, whose
stale-token case must go through the three-way merge instead of silently overwriting.
"""

from __future__ import annotations

import logging

from integrations.models.sync import QBOLink
from integrations.qbo import errors
from integrations.sync.plan import Change

log = logging.getLogger(__name__)


def _changed_in_quickbooks(connection, gateway, wanted: set[tuple[str, int]], purpose: str):
    """(link, QuickBooks' current version) for each wanted record whose SyncToken moved since ours.

    One metered read per record; a record QuickBooks will not give us is left to the push itself,
    which fails and says why in a failure record.
    """
    links = QBOLink.objects.filter(
        connection=connection,
        entity__in={entity for entity, _ in wanted},
        object_id__in={object_id for _, object_id in wanted},
    )
    for link in links:
        if (link.entity, link.object_id) not in wanted or link.fingerprint == "deleted":
            continue
        try:
            current = gateway.read(link.qbo_type, link.qbo_id)
        except errors.QBOError as exc:
            log.info("%s: could not read %s %s: %s", purpose, link.qbo_type, link.qbo_id, type(exc).__name__)
            continue
        token = str(current.get("SyncToken", ""))
        if token and token != link.sync_token:
            yield link, current


def refresh_sync_tokens(connection, gateway, changes: list[Change]) -> int:
    """Store QuickBooks' current SyncToken on the links of ``overwrite`` changes; returns how many."""
    wanted = {(c.entity, c.object_id) for c in changes if c.overwrite}
    if not wanted:
        return 0
    refreshed = 0
    for link, current in _changed_in_quickbooks(connection, gateway, wanted, "overwrite"):
        QBOLink.objects.filter(pk=link.pk).update(sync_token=str(current["SyncToken"]))
        refreshed += 1
    return refreshed


def take_in_quickbooks_edits(connection, gateway, changes: list[Change]) -> int:
    """Before a settled conflict is sent: take in what QuickBooks changed since we last read it.

    A person who settled one field (Keep SyncPortal, Edit) decided that field only. Edits a
    bookkeeper made meanwhile to other fields are applied here first, as a pull would apply them,
    so the sparse update that follows carries the settled field without undoing them there, and our
    next pull does not mistake their version for our own echo. Returns how many records changed here.
    """
    from integrations.pull.customers import apply_customer  # pull builds on the push's documents

    wanted = {(c.entity, c.object_id) for c in changes if c.settles}
    if not wanted:
        return 0
    applied = 0
    for link, current in _changed_in_quickbooks(connection, gateway, wanted, "settle"):
        if link.qbo_type == "Customer":
            apply_customer(connection, current)
            applied += 1
        else:
            QBOLink.objects.filter(pk=link.pk).update(sync_token=str(current["SyncToken"]))
    return applied
