"""The initial export: store customers that QuickBooks has never seen are queued once, after the import.

A store connecting QuickBooks for the first time already has customers. The initial import links
those the match rules recognise; the rest of the customers in sync scope are queued here as
"create" changes so the ordinary push sends them (dependency order, batches, limits, failures as
records). Changes already waiting in the outbox are pushed as usual. Only customers are exported:
sales loaded without outbox rows (the demo's history, or records brought over from another system)
predate the connection and are assumed to be in the store's books already; posting them again
would double the income.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.module_loading import import_string

from customers.models import Customer
from integrations.mapping.choices import CustomerScope
from integrations.models import QBOConnection
from integrations.selectors.config import sync_options
from integrations.selectors.outbox import pending_q
from syncportal.outbox.models import Operation, OutboxEntry

ENTITY = "customers.customer"
BATCH = 2000


def _in_scope(connection: QBOConnection):
    options = sync_options(connection.realm_id)
    customers = Customer.objects.filter(is_active=True, merged_into__isnull=True)
    if options.customer_scope == CustomerScope.FLAGGED:
        return customers.filter(sync_with_quickbooks=True)
    if options.customer_scope == CustomerScope.BY_TYPE:
        return customers.filter(customer_type__name__in=options.customer_types)
    return customers


def initial_export_queue(connection: QBOConnection) -> int:
    """Queue every in-scope customer not yet linked to this company; returns how many were queued.

    Idempotent: a customer already linked, or already waiting in the outbox, is not queued again,
    so an import that finishes twice (a resumed run) queues nothing twice.
    """
    linked = connection.links.filter(entity=ENTITY).values("object_id")
    waiting = OutboxEntry.objects.filter(pending_q(connection), entity=ENTITY).values("object_id")
    ids = list(
        _in_scope(connection)
        .exclude(pk__in=linked)
        .exclude(pk__in=waiting)
        # Parents first: the push orders by dependency anyway, this keeps the queue readable.
        .order_by(F("parent_id").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            OutboxEntry.objects.bulk_create(
                OutboxEntry(
                    entity=ENTITY,
                    object_id=pk,
                    operation=Operation.CREATE,
                    details={"reason": "initial export"},
                )
                for pk in ids[start : start + BATCH]
            )
        hook_path = getattr(settings, "OUTBOX_COMMIT_HOOK", "")
        if ids and hook_path:
            hook = import_string(hook_path)
            transaction.on_commit(lambda: hook(None))
    return len(ids)
