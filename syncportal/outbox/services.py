"""Writing to the outbox. Call only inside the service's ``transaction.atomic()`` block."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.utils.module_loading import import_string

from syncportal.outbox.models import Operation, OutboxEntry

__all__ = ["Operation", "Origin", "outbox_record"]


class Origin(models.TextChoices):
    """Where a change came from. Changes applied from QuickBooks write no outbox row (no echo)."""

    LOCAL = "local", "SyncPortal"
    QBO = "qbo", "QuickBooks"


def outbox_record(
    *,
    instance: models.Model,
    operation: str,
    changed_fields: Iterable[str] = (),
    details: dict | None = None,
    actor=None,
    origin: str = Origin.LOCAL,
) -> OutboxEntry | None:
    """Record that ``instance`` changed, in the caller's transaction.

    Returns ``None`` for changes that came from QuickBooks: pushing them back would be an echo.
    After the transaction commits, the callable named by ``settings.OUTBOX_COMMIT_HOOK`` (the sync
    engine's "wake up" task enqueuer) is called with the entry id. It is a dotted-path setting, as
    Django's e-mail backends are, so this app never imports the sync engine. The hook is only a
    wake-up: the rows are the source of truth and a schedule drains anything a lost wake-up left.
    """
    if origin == Origin.QBO:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_record() must run inside the service's transaction")
    entry = OutboxEntry.objects.create(
        entity=instance._meta.label_lower,
        object_id=instance.pk,
        operation=operation,
        changed_fields=sorted(set(changed_fields)),
        details=details or {},
        actor=actor if getattr(actor, "pk", None) else None,
    )
    hook_path = getattr(settings, "OUTBOX_COMMIT_HOOK", "")
    if hook_path:
        hook = import_string(hook_path)
        transaction.on_commit(lambda: hook(entry.pk))
    return entry
