"""What every convergence example must satisfy once faults are over and both directions drained
(issue #5): both sides equal on mapped fields or the difference is an open conflict keeping both
versions; no QuickBooks entity twice; no acknowledged edit lost; per customer, payments − refunds
equal to the cent on both sides; no echo (QuickBooks writes ≤ local edits + resolutions, and a pull
never writes an outbox row)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from integrations.models import QBOConnection, QBOLink, SyncConflict, SyncEvent, SyncFailure
from integrations.pull.cdc import pull
from sales.models import Payment, Refund, Sale
from syncportal.outbox.models import OutboxEntry
from tests.integrations.pull import convergence_machine as machine_module

QBO_READ = {
    "email": lambda d: (d.get("PrimaryEmailAddr") or {}).get("Address", ""),
    "phone": lambda d: (d.get("PrimaryPhone") or {}).get("FreeFormNumber", ""),
    "notes": lambda d: d.get("Notes", ""),
}
MONEY = [("Payment", Payment, "sales.payment"), ("RefundReceipt", Refund, "sales.refund")]
CENT = Decimal("0.01")


def customer_tokens(qbo, qbo_ids: list[str]) -> dict[str, int]:
    ids = ", ".join(f"'{i}'" for i in qbo_ids)
    docs = qbo.query(f"SELECT * FROM Customer WHERE Id IN ({ids})").get("Customer", [])
    return {doc["Id"]: int(doc["SyncToken"]) for doc in docs}


def owed_writes(connection, customers) -> dict[int, int]:
    """Customers an earlier example still owes QuickBooks one write for: a change not yet pushed, or
    a push failure waiting for its retry (one write each, however many edits it coalesces)."""
    position = QBOConnection.objects.get(pk=connection.pk).outbox_position
    owed = {}
    for who, customer in enumerate(customers):
        waiting = (
            OutboxEntry.objects.filter(
                entity="customers.customer", object_id=customer.pk, id__gt=position
            ).exists()
            or SyncFailure.objects.filter(
                connection=connection,
                entity="customers.customer",
                object_id=customer.pk,
                status__in=[SyncFailure.Status.OPEN, SyncFailure.Status.RETRYING],
            ).exists()
        )
        owed[who] = 1 if waiting else 0
    return owed


def settle(machine) -> bool:
    """Faults over, waits elapsed: pull and push until nothing moves (True) or give up (False)."""
    machine.sandbox.hook("faults", method="DELETE")
    connection_id = machine.connection.pk
    for _ in range(6):
        QBOConnection.objects.filter(pk=connection_id).update(paused_until=None)
        SyncFailure.objects.filter(status=SyncFailure.Status.RETRYING).update(next_retry_at=timezone.now())
        before = machine.echo_rows
        machine._pull()
        applied = pull(connection_id).applied  # the second read must find nothing new
        pushed = machine_module.push_once(connection_id)
        quiet = not set(applied) - {"seen"} and machine.echo_rows == before
        if pushed and quiet and not (pushed.pushed or pushed.failed or pushed.stopped):
            return True
    return False


def after_settling(m) -> None:
    stats = machine_module.STATS
    assert settle(m), "pull and push keep finding work: an echo or a flip-flop"
    _customers(m, stats)
    for who, customer in enumerate(m.customers):
        _money(m, who, customer, stats)
    # No echo: applying QuickBooks' changes never queued a write back to QuickBooks ...
    assert m.echo_rows == 0, f"{m.echo_rows} outbox rows written while applying QuickBooks' changes"
    # ... and QuickBooks saw no more customer writes from us than local edits + resolutions.
    tokens = customer_tokens(m.qbo, m.qbo_ids)
    for who, qbo_id in enumerate(m.qbo_ids):
        ours = tokens[qbo_id] - m.tokens_start[qbo_id] - m.qbo_edits[who]
        allowed = m.customer_writes[who]
        assert 0 <= ours <= allowed, (
            f"customer {who}: {ours} QuickBooks writes for {allowed} edits/resolutions"
        )
        stats["qbo_writes"] += ours
        stats["qbo_writes_expected_at_most"] += m.customer_writes[who]
    stats["conflicts_opened"] += SyncConflict.objects.filter(id__gt=m.conflicts_start).count()
    stats["conflicts_open_at_end"] = SyncConflict.objects.filter(status=SyncConflict.Status.OPEN).count()


def _customers(m, stats) -> None:
    docs = m.qbo.query(f"SELECT * FROM Customer WHERE DisplayName LIKE '{m.pool['prefix']}%'")["Customer"]
    assert len(docs) == len(m.customers), "a customer exists twice in QuickBooks"
    stats["duplicates_found"] += len(docs) - len({d["Id"] for d in docs})
    by_id = {doc["Id"]: doc for doc in docs}
    for who, customer in enumerate(m.customers):
        customer.refresh_from_db()
        doc = by_id[m.qbo_ids[who]]
        for field, read in QBO_READ.items():
            local, remote = getattr(customer, field), read(doc)
            if local != remote:
                conflict = SyncConflict.objects.filter(
                    object_id=customer.pk,
                    entity="customers.customer",
                    field=field,
                    status=SyncConflict.Status.OPEN,
                ).first()
                assert conflict is not None, (
                    f"customer {who} {field}: {local!r} here, {remote!r} there, no conflict"
                )
                # Both versions kept: ours in the record, QuickBooks' in the conflict.
                assert conflict.qbo_value == remote
            edits = m.edits.get((who, field), {})
            if edits and not {local, remote} & set(edits.values()):
                stats["lost_edits"] += 1
                raise AssertionError(f"edits to {field} of customer {who} lost: {edits}")


def _money(m, who: int, customer, stats) -> None:
    """Per document: QuickBooks holds what we hold, or an open conflict keeps both amounts; per
    customer: payments − refunds to the cent; every QuickBooks document is linked to one of ours."""
    qbo_customer = m.qbo_ids[who]
    net_here, net_there, disputed = Decimal(0), Decimal(0), Decimal(0)
    for qbo_type, model, entity in MONEY:
        where = f"SELECT * FROM {qbo_type} WHERE CustomerRef = '{qbo_customer}' MAXRESULTS 1000"
        there = {
            d["Id"]: Decimal(str(d.get("TotalAmt", 0))).quantize(CENT)
            for d in m.qbo.query(where).get(qbo_type, [])
        }
        links = dict(
            QBOLink.objects.filter(
                connection=m.connection, qbo_type=qbo_type, qbo_id__in=list(there)
            ).values_list("qbo_id", "object_id")
        )
        orphans = set(there) - set(links)
        stats["duplicates_found"] += len(orphans)
        assert not orphans, f"{qbo_type} {sorted(orphans)} in QuickBooks belong to nothing here (a duplicate)"
        linked = dict(
            QBOLink.objects.filter(connection=m.connection, entity=entity).values_list("object_id", "qbo_id")
        )
        sign = 1 if qbo_type == "Payment" else -1
        for document in model.objects.filter(customer=customer):
            amount = document.amount if model is Payment else document.total
            held_here = Decimal(0) if document.is_void else amount
            qbo_id = linked.get(document.pk)
            if qbo_id is None:
                stats["lost_edits"] += 0 if document.is_void else 1
                assert document.is_void, f"{document} never reached QuickBooks"
                continue
            actual = there.get(qbo_id, Decimal(0))  # deleted there: gone from the query
            if actual != held_here:  # only as an open conflict keeping both amounts
                conflict = SyncConflict.objects.filter(
                    entity=entity, object_id=document.pk, field="amount", status=SyncConflict.Status.OPEN
                ).first()
                assert conflict is not None and Decimal(conflict.qbo_value) == actual, (
                    f"{document}: {held_here} here, {actual} in QuickBooks, no open conflict keeping both; "
                    f"{_history(entity, document)}"
                )
                assert Decimal(conflict.local_value) == amount, (conflict.local_value, amount)
                disputed += sign * (actual - held_here)
            net_here += sign * held_here
        net_there += sign * sum(there.values(), Decimal(0))
    # Equal to the cent, or the whole difference is held in open conflicts (both amounts kept).
    assert net_here + disputed == net_there, (
        f"customer {who}: payments − refunds {net_here} here, {net_there} there, {disputed} disputed"
    )
    stats["money_checked_customers"] += 1
    stats["money_disputed_customers"] += 1 if disputed else 0
    charges = Sale.objects.filter(customer=customer, kind=Sale.Kind.CHARGE, is_void=False)
    missing = charges.exclude(pk__in=QBOLink.objects.filter(entity="sales.sale").values("object_id"))
    assert not missing.exists(), f"charges never pushed: {list(missing)}"


def _history(entity: str, document) -> str:
    """What happened to one document, for a failure message (a pooled run cannot be shrunk)."""
    link = QBOLink.objects.filter(entity=entity, object_id=document.pk).values(
        "qbo_id", "sync_token", "fingerprint"
    )
    events = SyncEvent.objects.filter(entity=entity, object_id=document.pk).order_by("id")
    trail = [(e.direction, e.operation, e.outcome, e.summary) for e in events]
    conflicts = SyncConflict.objects.filter(entity=entity, object_id=document.pk).values_list(
        "field", "status", "local_value", "qbo_value"
    )
    return f"void here={document.is_void}, link={list(link)}, conflicts={list(conflicts)}, events={trail}"
