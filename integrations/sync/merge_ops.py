"""The steps of a QuickBooks merge and of its undo (the order and bookkeeping live in ``merge_steps``).

Each step reads what QuickBooks holds now and changes only what is not done yet; the objects it is
about to change are written to the job first (``StepRun.remember``), so an undo can reverse objects
SyncPortal does not hold locally too.
"""

from __future__ import annotations

import uuid

from customers.models import Customer
from integrations.models.sync import QBOLink
from integrations.sync import builders, plan
from integrations.sync.merge_run import (
    CUSTOMER,
    REQUEST_NAMESPACE,
    TRANSACTION_TYPES,
    WORDS,
    StepRefused,
    StepRun,
    doc_label,
    ids_for,
    query,
    read,
    ref,
)

__all__ = ["StepRefused", "StepRun"]


# -- merge steps -------------------------------------------------------------------------------------


def step_transactions(run: StepRun) -> None:
    run.step = "transactions"
    duplicate = ids_for(run, "duplicate", required=False)
    if not duplicate:
        return  # never sent: QuickBooks holds nothing of it
    survivor = _survivor_in_quickbooks(run)
    for qbo_type in TRANSACTION_TYPES:
        what = f"list the {WORDS[qbo_type]}s of ‘{run.name('duplicate')}’"
        for doc in query(run, qbo_type, f"CustomerRef = '{duplicate}'", what=what):
            if _voided(doc):
                # QuickBooks refuses to edit a voided transaction; with nothing left to pay it can
                # stay with the inactive duplicate (the local copy moved, for the history).
                continue
            run.remember(qbo_type, str(doc["Id"]))
            what = f"move {doc_label(qbo_type, doc)} to ‘{run.name('survivor')}’"
            run.update(qbo_type, doc, {"CustomerRef": {"value": survivor}}, what=what)


def _voided(doc: dict) -> bool:
    return not doc.get("TotalAmt") and str(doc.get("PrivateNote") or "").startswith("Voided")


def step_sub_customers(run: StepRun) -> None:
    run.step = "sub_customers"
    duplicate = ids_for(run, "duplicate", required=False)
    if not duplicate:
        return
    survivor = _survivor_in_quickbooks(run)
    where = f"ParentRef = '{duplicate}' AND Active IN (true, false)"
    for doc in query(run, "Customer", where, what=f"list the sub-customers of ‘{run.name('duplicate')}’"):
        run.remember("sub_customers", str(doc["Id"]))
        what = f"move sub-customer ‘{doc.get('DisplayName')}’ under ‘{run.name('survivor')}’"
        run.update("Customer", doc, {"Job": True, "ParentRef": {"value": survivor}}, what=what)


def step_survivor(run: StepRun) -> None:
    run.step = "survivor"
    _push_customer(run, run.job.survivor_id, role="survivor", force=False)


def step_deactivate(run: StepRun) -> None:
    run.step = "deactivate"
    duplicate = ids_for(run, "duplicate", required=False)
    doc = read(run, "Customer", duplicate) if duplicate else None
    if doc is None or doc.get("Active") is False:
        return
    run.update("Customer", doc, {"Active": False}, what=f"make ‘{run.name('duplicate')}’ inactive")


# -- undo steps --------------------------------------------------------------------------------------


def step_duplicate(run: StepRun) -> None:
    run.step = "duplicate"
    # Sent even if its fields match what was last sent: QuickBooks has it inactive (and renamed).
    linked = bool(ids_for(run, "duplicate", required=False))
    _push_customer(run, run.job.duplicate_id, role="duplicate", force=linked)


def step_sub_customers_back(run: StepRun) -> None:
    run.step = "sub_customers_back"
    survivor, duplicate = ids_for(run, "survivor", required=False), ids_for(run, "duplicate", required=False)
    if not duplicate:
        return  # QuickBooks never had the duplicate, so nothing there was moved away from it
    for qbo_id in _moved_back(run, "customers.customer.parent", "Customer", "sub_customers"):
        doc = read(run, "Customer", qbo_id)
        if doc is None or ref(doc, "ParentRef") != survivor:
            continue  # not under the survivor any more: someone placed it since
        what = f"move sub-customer ‘{doc.get('DisplayName')}’ back under ‘{run.name('duplicate')}’"
        run.update("Customer", doc, {"Job": True, "ParentRef": {"value": duplicate}}, what=what)


def step_transactions_back(run: StepRun) -> None:
    run.step = "transactions_back"
    survivor, duplicate = ids_for(run, "survivor", required=False), ids_for(run, "duplicate", required=False)
    if not duplicate:
        return  # QuickBooks never had the duplicate, so nothing there was moved away from it
    for qbo_type in TRANSACTION_TYPES:
        for qbo_id in _moved_back(run, None, qbo_type, qbo_type):
            doc = read(run, qbo_type, qbo_id)
            if doc is None or ref(doc, "CustomerRef") != survivor:
                continue
            what = f"move {doc_label(qbo_type, doc)} back to ‘{run.name('duplicate')}’"
            run.update(qbo_type, doc, {"CustomerRef": {"value": duplicate}}, what=what)


def _moved_back(run: StepRun, only_label: str | None, qbo_type: str, progress_key: str) -> list[str]:
    """QuickBooks ids of ``qbo_type`` to move back: those of local rows the undo moved back, plus
    the objects the merge moved in QuickBooks that SyncPortal does not hold locally."""
    moved, missing = run.job.details.get("moved", {}), run.job.details.get("not_moved_back", {})
    ids: list[str] = []
    for label, local_ids in moved.items():
        if (only_label and label != only_label) or (not only_label and label.startswith(CUSTOMER)):
            continue
        back = set(local_ids) - set(missing.get(label, []))
        entity = label.rsplit(".", 1)[0]
        ids += QBOLink.objects.filter(
            connection=run.connection, entity=entity, object_id__in=back, qbo_type=qbo_type
        ).values_list("qbo_id", flat=True)
    merged = run.job.__class__.objects.filter(
        connection=run.connection, merge_id=run.job.merge_id, action="merge"
    ).exclude(pk=run.job.pk)
    remote = {qbo_id for job in merged for qbo_id in job.progress.get(progress_key, [])}
    linked = set(
        QBOLink.objects.filter(connection=run.connection, qbo_type=qbo_type, qbo_id__in=remote).values_list(
            "qbo_id", flat=True
        )
    )
    return sorted(set(ids) | (remote - linked), key=lambda v: (len(v), v))


# -- sending a whole customer ---------------------------------------------------------------------


def _push_customer(run: StepRun, customer_id: int, *, role: str, force: bool) -> None:
    """Send the customer's current state through the ordinary builder (the configured mapping);
    ``force`` sends it even when unchanged or not flagged for QuickBooks."""
    record = Customer.objects.filter(pk=customer_id).select_related("customer_type").first()
    if record is None:
        return
    link = QBOLink.objects.filter(connection=run.connection, entity=CUSTOMER, object_id=customer_id).first()
    # overwrite: the merge steps edit QuickBooks outside the link's base (re-parenting, deactivating),
    # so a diff against the base would miss fields; send the customer's whole mapped state.
    change = plan.Change(CUSTOMER, customer_id, operations=["merge"], force=force, overwrite=True)
    refs = builders.load_refs(run.connection, run.gateway, run.refs_cache)
    built = builders.build_operation(run.connection, change, record, refs)
    if built.skip_reason:
        return
    if built.blocked_by:
        raise StepRefused(
            step=run.step,
            title=run.title,
            message=f"{run.title}: ‘{record}’ is waiting for {built.blocked_by}, which is not in "
            "QuickBooks yet. The remaining merge steps wait until it is sent.",
            cause="waiting_for_dependency",
            retry=True,
        )
    body = dict(built.op.body)
    what = f"update ‘{record}’ with the merged details" if role == "survivor" else f"reactivate ‘{record}’"
    if role == "survivor":
        _step_aside(run, body.get("DisplayName", ""))
    if built.op.operation == "update":
        current = read(run, "Customer", link.qbo_id)
        if current is None:
            return
        body["SyncToken"] = current["SyncToken"]
        changes = {k: v for k, v in body.items() if k not in {"Id", "SyncToken"}}
        saved = run.update("Customer", current, changes, what=what)
    else:
        # No run number: a create whose answer was lost must be replayed, not made twice; a changed
        # body (after a person fixed a refusal) is a new request.
        key = f"{run.connection.realm_id}:merge:{run.job.pk}:create:{customer_id}"
        key += f":{built.meta.get('fingerprint')}"
        request_id = str(uuid.uuid5(REQUEST_NAMESPACE, key))
        saved = run.call(
            lambda: run.gateway.create("Customer", body, request_id=request_id),
            what=f"add ‘{record}’ to QuickBooks",
            qbo_type="Customer",
        )
        run.writes += 1
    QBOLink.objects.update_or_create(
        connection=run.connection,
        entity=CUSTOMER,
        object_id=customer_id,
        defaults={
            "qbo_type": "Customer",
            "qbo_id": str(saved["Id"]),
            "sync_token": str(saved.get("SyncToken", "")),
            "fingerprint": built.meta.get("fingerprint", ""),
        },
    )


def _survivor_in_quickbooks(run: StepRun) -> str:
    """The survivor's QuickBooks id; a survivor never sent is added first (even if not flagged for
    QuickBooks): the duplicate's records need somewhere to go."""
    if not ids_for(run, "survivor", required=False):
        _push_customer(run, run.job.survivor_id, role="survivor", force=True)
    return ids_for(run, "survivor", required=True)


def _step_aside(run: StepRun, survivor_name: str) -> None:
    """The survivor takes the duplicate's name: rename the duplicate in QuickBooks first (to the name
    it has here, "… (merged into #N)"), because names are unique there, inactive ones included."""
    duplicate = ids_for(run, "duplicate", required=False)
    doc = read(run, "Customer", duplicate) if duplicate else None
    if doc is None or (doc.get("DisplayName") or "").strip().casefold() != survivor_name.strip().casefold():
        return
    local = Customer.objects.filter(pk=run.job.duplicate_id).values_list("display_name", flat=True).first()
    if not local or local.strip().casefold() == survivor_name.strip().casefold():
        return
    run.update("Customer", doc, {"DisplayName": local}, what=f"rename ‘{doc['DisplayName']}’ to ‘{local}’")
