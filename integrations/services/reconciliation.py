"""Balance reconciliation: every linked customer's SyncPortal balance against QuickBooks' Balance.

A run reads QuickBooks' customers page by page through the gateway (1,000 a read), compares, and
explains each difference by what is still on its way (pending outbox rows) or stuck (open failures)
for that customer and its documents. Fixes are explicit: re-sync one customer from QuickBooks, or
force-push it with its documents.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import Customer
from customers.services import customer_set_balance
from integrations.models import QBOConnection, QBOLink, ReconciliationRow, ReconciliationRun, SyncFailure
from integrations.qbo.errors import QBOError
from integrations.selectors.outbox import pending_q
from integrations.services.connection import gateway_for
from integrations.sync.plan import CHILD_ENTITIES
from sales.models import Payment, Refund, Sale, StoreCredit
from syncportal.outbox.models import Operation, OutboxEntry
from syncportal.outbox.services import Origin, outbox_record

CUSTOMER = "customers.customer"
DOCUMENTS = {
    "sales.sale": Sale,
    "sales.payment": Payment,
    "sales.refund": Refund,
    "sales.storecredit": StoreCredit,
}
Explanation = ReconciliationRow.Explanation


def _money(value) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))


def reconciliation_run(*, connection: QBOConnection, actor=None, gateway=None) -> ReconciliationRun:
    """Compare every linked customer's balance with QuickBooks; returns the finished (or failed) run.

    A QuickBooks error stops the run with the reason in plain words and stores no rows, so a half-read
    company never shows as a wall of false differences.
    """
    run = ReconciliationRun.objects.create(connection=connection, started_by=actor if actor else None)
    gateway = gateway or gateway_for(connection)
    linked = dict(
        QBOLink.objects.filter(connection=connection, entity=CUSTOMER).values_list("qbo_id", "object_id")
    )
    remote: dict[int, Decimal] = {}
    try:
        # Inactive customers too: a customer deactivated on one side still carries a balance.
        for page in gateway.query_all("Customer", "Active IN (true, false)"):
            for entity in page:
                if entity.get("Id") in linked:
                    remote[linked[entity["Id"]]] = _money(entity.get("Balance"))
    except QBOError as error:
        run.status = ReconciliationRun.Status.FAILED
        run.error = f"QuickBooks could not be read ({error}). Nothing was compared; try again later."[:500]
        run.qbo_reads, run.finished_at = gateway.calls, timezone.now()
        run.save()
        return run

    # Read after QuickBooks: a change pushed meanwhile has moved the position on.
    connection.refresh_from_db(fields=["outbox_position", "outbox_gaps"])
    pending = _per_customer(_pending_keys(connection))
    failed = _per_customer(_failure_keys(connection))
    qbo_ids = {object_id: qbo_id for qbo_id, object_id in linked.items()}
    rows = []
    for customer in Customer.objects.filter(pk__in=qbo_ids).only("pk", "display_name", "balance").iterator():
        qbo_balance = remote.get(customer.pk)
        rows.append(
            ReconciliationRow(
                run=run,
                customer=customer,
                customer_name=customer.display_name,
                qbo_id=qbo_ids[customer.pk],
                local_balance=customer.balance,
                qbo_balance=qbo_balance,
                difference=(customer.balance - qbo_balance) if qbo_balance is not None else Decimal("0"),
                pending_changes=pending[customer.pk],
                open_failures=failed[customer.pk],
                explanation=_explain(
                    customer.balance, qbo_balance, pending[customer.pk], failed[customer.pk]
                ),
            )
        )
    with transaction.atomic():
        ReconciliationRow.objects.bulk_create(rows, batch_size=2000)
        run.compared = sum(1 for row in rows if row.qbo_balance is not None)
        run.matching = sum(1 for row in rows if row.explanation == Explanation.MATCH)
        run.qbo_reads, run.finished_at = gateway.calls, timezone.now()
        run.status = ReconciliationRun.Status.DONE
        run.save()
    return run


def _explain(local: Decimal, remote: Decimal | None, pending: int, failed: int) -> str:
    if remote is None:
        return Explanation.MISSING
    if local == remote:
        return Explanation.MATCH
    if failed:
        return Explanation.FAILED
    if pending:
        return Explanation.PENDING
    return Explanation.UNEXPLAINED


def _pending_keys(connection: QBOConnection) -> list[tuple[str, int]]:
    """(entity, id) of every record with an outbox row this company has not handled yet."""
    keys = []
    for entity, object_id, details in OutboxEntry.objects.filter(pending_q(connection)).values_list(
        "entity", "object_id", "details"
    ):
        if entity in CHILD_ENTITIES:
            entity, parent_id = CHILD_ENTITIES[entity][0], (details or {}).get("parent_id")
            if not parent_id:
                continue
            object_id = int(parent_id)
        keys.append((entity, object_id))
    return keys


def _failure_keys(connection: QBOConnection) -> list[tuple[str, int]]:
    active = Q(status__in=[SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING])
    return list(SyncFailure.objects.filter(active, connection=connection).values_list("entity", "object_id"))


def _per_customer(keys: list[tuple[str, int]]) -> Counter:
    """Count (entity, id) keys per customer: a customer's own rows plus those of its documents."""
    counts: Counter = Counter()
    by_entity: dict[str, list[int]] = {}
    for entity, object_id in keys:
        if entity == CUSTOMER:
            counts[object_id] += 1
        elif entity in DOCUMENTS:
            by_entity.setdefault(entity, []).append(object_id)
    for entity, ids in by_entity.items():
        owners = dict(DOCUMENTS[entity].objects.filter(pk__in=set(ids)).values_list("pk", "customer_id"))
        for object_id in ids:
            if owners.get(object_id):
                counts[owners[object_id]] += 1
    return counts


def reconciliation_resync_customer(*, row: ReconciliationRow, actor=None, gateway=None) -> ReconciliationRow:
    """Re-read the customer from QuickBooks and take its Balance (origin QBO: nothing is pushed back)."""
    if row.customer_id is None:
        raise ValueError("This customer no longer exists in SyncPortal (merged or deleted).")
    gateway = gateway or gateway_for(row.run.connection)
    remote = _money(gateway.read("Customer", row.qbo_id).get("Balance"))
    with transaction.atomic():
        customer = customer_set_balance(customer=row.customer, balance=remote, actor=actor, origin=Origin.QBO)
        row.local_balance, row.qbo_balance, row.difference = customer.balance, remote, Decimal("0")
        row.explanation = Explanation.MATCH
        row.save(update_fields=["local_balance", "qbo_balance", "difference", "explanation"])
    return row


def reconciliation_force_push(*, row: ReconciliationRow, actor=None) -> int:
    """Queue the customer and its non-void documents to be sent again even if unchanged; returns how many.

    The outbox rows carry ``force`` so the push engine re-sends them past its "unchanged" check; the
    next drain overwrites QuickBooks with SyncPortal's version.
    """
    if row.customer_id is None:
        raise ValueError("This customer no longer exists in SyncPortal (merged or deleted).")
    details = {"force": True, "reason": "reconciliation"}
    with transaction.atomic():
        records = [row.customer]
        for model in DOCUMENTS.values():
            records += list(model.objects.filter(customer_id=row.customer_id, is_void=False))
        for record in records:
            outbox_record(instance=record, operation=Operation.UPDATE, details=details, actor=actor)
        ReconciliationRow.objects.filter(pk=row.pk).update(pending_changes=len(records))
    return len(records)
