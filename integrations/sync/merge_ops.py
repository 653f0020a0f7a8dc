"""The steps of a QuickBooks merge and of its undo (the order and bookkeeping live in ``merge_steps``).

Each step reads what QuickBooks holds now and changes only what is not done yet. The QuickBooks ids
a step is about to change are written to the job *before* the call, so an undo can move back objects
SyncPortal does not hold locally too. Request ids are derived from the job, the object and its
SyncToken: a lost answer is replayed by QuickBooks instead of being applied twice, and a retry after
a refusal (new SyncToken or not) is a new request rather than a replay of the refusal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from customers.models import Customer, CustomerMerge
from integrations.models.sync import Direction, QBOLink, SyncEvent
from integrations.qbo import errors
from integrations.sync import builders, plan

# Documents a payment can be applied to go first: QuickBooks refuses a payment applied to another
# customer's invoice, so the invoice moves before the payment does (both ways).
TRANSACTION_TYPES = ("Invoice", "CreditMemo", "SalesReceipt", "RefundReceipt", "Payment")
_WORDS = {
    "Invoice": "invoice",
    "CreditMemo": "credit memo",
    "SalesReceipt": "sales receipt",
    "RefundReceipt": "refund receipt",
    "Payment": "payment",
    "Customer": "customer",
}
_NAMESPACE = uuid.UUID("0e7b9d54-4c1a-4f5e-9a3b-6d2c8e1f7a20")
CUSTOMER = "customers.customer"


class StepRefused(Exception):
    """A step QuickBooks (or a missing prerequisite) stopped; the message is for a bookkeeper."""

    def __init__(self, *, step, title, message, cause, retry, error=None, qbo_type="", qbo_id="") -> None:
        super().__init__(message)
        self.step, self.title, self.message, self.cause, self.retry = step, title, message, cause, retry
        self.error, self.qbo_type, self.qbo_id = error, qbo_type, qbo_id


@dataclass
class StepRun:
    connection: object
    gateway: object
    job: object
    refs_cache: dict
    writes: int = 0
    step: str = ""
    _names: dict = field(default_factory=dict)

    # -- names for messages ----------------------------------------------------------------------
    def name(self, role: str) -> str:
        if not self._names:
            merge = CustomerMerge.objects.filter(pk=self.job.merge_id).select_related("survivor").first()
            survivor = merge.survivor.display_name if merge else f"customer #{self.job.survivor_id}"
            duplicate = (merge.duplicate_before or {}).get("display_name") if merge else None
            self._names = {
                "survivor": survivor,
                "duplicate": duplicate or f"customer #{self.job.duplicate_id}",
            }
        return self._names[role]

    @property
    def title(self) -> str:
        pair = f"‘{self.name('duplicate')}’ into ‘{self.name('survivor')}’"
        return f"Undoing the merge of {pair}" if self.job.action == "undo" else f"Merging {pair}"

    # -- QuickBooks state ------------------------------------------------------------------------
    def qbo_id(self, customer_id: int) -> str:
        link = QBOLink.objects.filter(
            connection=self.connection, entity=CUSTOMER, object_id=customer_id
        ).first()
        return link.qbo_id if link else ""

    def remember(self, key: str, qbo_id: str) -> None:
        """Write down an object the job is about to change (committed before the call)."""
        ids = self.job.progress.get(key, [])
        if qbo_id not in ids:
            self.job.progress = {**self.job.progress, key: [*ids, qbo_id]}
            self.job.save(update_fields=["progress", "updated_at"])

    def update(self, qbo_type: str, doc: dict, changes: dict, *, what: str) -> dict:
        """One sparse update of ``doc`` (as just read) with ``changes``; refusals become StepRefused."""
        body = {"Id": doc["Id"], "SyncToken": doc["SyncToken"], **changes}
        key = f"{self.connection.realm_id}:merge:{self.job.pk}:{self.step}:{qbo_type}"
        key += f":{doc['Id']}:{doc['SyncToken']}"
        saved = self.call(
            lambda: self.gateway.update(qbo_type, body, request_id=str(uuid.uuid5(_NAMESPACE, key))),
            what=what,
            qbo_type=qbo_type,
            qbo_id=doc["Id"],
        )
        self.after_write(qbo_type, saved)
        return saved

    def call(self, fn, *, what: str, qbo_type: str = "", qbo_id: str = ""):
        try:
            return fn()
        except (errors.RateLimited, errors.ReconnectRequired):
            raise
        except errors.QBOError as error:
            raise self.refused(error, what=what, qbo_type=qbo_type, qbo_id=qbo_id) from error

    def after_write(self, qbo_type: str, saved: dict) -> None:
        self.writes += 1
        # The moved records' links stay valid; only their SyncToken moved on.
        QBOLink.objects.filter(connection=self.connection, qbo_type=qbo_type, qbo_id=str(saved["Id"])).update(
            sync_token=str(saved.get("SyncToken", ""))
        )
        SyncEvent.objects.create(
            connection=self.connection,
            direction=Direction.PUSH,
            entity="customers.customermerge",
            object_id=self.job.merge_id,
            qbo_type=qbo_type,
            qbo_id=str(saved["Id"]),
            operation=self.job.action,
            outcome=SyncEvent.Outcome.OK,
            summary={"job": self.job.pk, "step": self.step},
        )

    def refused(self, error, *, what: str, qbo_type: str = "", qbo_id: str = "") -> StepRefused:
        cause, advice, retry = _advice(error, self)
        said = f"“{error.message}”" + (f" ({error.detail})" if error.detail else "")
        message = (
            f"{self.title}: QuickBooks refused to {what} because {said}. {advice} "
            "The remaining merge steps wait until this one goes through."
        )
        return StepRefused(
            step=self.step,
            title=self.title,
            message=message,
            cause=cause,
            retry=retry,
            error=error,
            qbo_type=qbo_type,
            qbo_id=qbo_id,
        )


def _advice(error, run: StepRun) -> tuple[str, str, bool]:
    if isinstance(error, errors.StaleObject):
        return (
            "changed_in_quickbooks",
            "It was changed in QuickBooks meanwhile; it is re-read and retried.",
            True,
        )
    if isinstance(error, errors.DuplicateName):
        return (
            "duplicate_name",
            "Another customer, vendor or employee in QuickBooks uses that name; rename one of them, "
            "then retry.",
            False,
        )
    if isinstance(error, errors.NotFoundOrInactive):
        return (
            "inactive_reference",
            "Something it refers to is inactive or deleted in QuickBooks; reactivate it there, then retry.",
            False,
        )
    if run.step == "deactivate":
        return (
            "duplicate_has_balance",
            f"‘{run.name('duplicate')}’ probably still has a balance in QuickBooks (an opening balance, "
            "for example, which QuickBooks' API cannot move); clear it in QuickBooks, then retry.",
            False,
        )
    if error.transient:
        return (
            "quickbooks_unavailable",
            "QuickBooks did not answer normally; it is retried automatically.",
            True,
        )
    return "rejected", "Correct it in QuickBooks (or the record here), then retry.", False


def _doc_label(qbo_type: str, doc: dict) -> str:
    number = doc.get("DocNumber") or doc.get("PaymentRefNum")
    return f"{_WORDS.get(qbo_type, qbo_type)} {number or '#' + str(doc['Id'])}"


def _ref(doc: dict, key: str) -> str:
    return str((doc.get(key) or {}).get("value", ""))


def _read(run: StepRun, qbo_type: str, qbo_id: str) -> dict | None:
    try:
        return run.gateway.read(qbo_type, qbo_id)
    except errors.NotFoundOrInactive:
        return None  # deleted in QuickBooks since: nothing left to move
    except (errors.RateLimited, errors.ReconnectRequired):
        raise
    except errors.QBOError as error:
        raise run.refused(error, what=f"read {_WORDS.get(qbo_type, qbo_type)} #{qbo_id}") from error


def _query(run: StepRun, entity: str, where: str, *, what: str) -> list[dict]:
    # Every page is read before anything changes: moving rows while paging would shift the pages.
    pages = run.call(lambda: list(run.gateway.query_all(entity, where)), what=what)
    return [doc for page in pages for doc in page]


def _ids_for(run: StepRun, role: str, *, required: bool) -> str:
    customer_id = run.job.survivor_id if role == "survivor" else run.job.duplicate_id
    qbo_id = run.qbo_id(customer_id)
    if not qbo_id and required:
        raise StepRefused(
            step=run.step,
            title=run.title,
            message=f"{run.title}: ‘{run.name(role)}’ is not in QuickBooks yet, so nothing can be moved "
            "to it. Send it (check its sync failures), then retry.",
            cause="not_in_quickbooks",
            retry=True,
        )
    return qbo_id


# -- merge steps -------------------------------------------------------------------------------------


def step_transactions(run: StepRun) -> None:
    run.step = "transactions"
    duplicate = _ids_for(run, "duplicate", required=False)
    if not duplicate:
        return  # never sent: QuickBooks holds nothing of it
    survivor = _ids_for(run, "survivor", required=True)
    for qbo_type in TRANSACTION_TYPES:
        what = f"list the {_WORDS[qbo_type]}s of ‘{run.name('duplicate')}’"
        for doc in _query(run, qbo_type, f"CustomerRef = '{duplicate}'", what=what):
            run.remember(qbo_type, str(doc["Id"]))
            what = f"move {_doc_label(qbo_type, doc)} to ‘{run.name('survivor')}’"
            run.update(qbo_type, doc, {"CustomerRef": {"value": survivor}}, what=what)


def step_sub_customers(run: StepRun) -> None:
    run.step = "sub_customers"
    duplicate = _ids_for(run, "duplicate", required=False)
    if not duplicate:
        return
    survivor = _ids_for(run, "survivor", required=True)
    where = f"ParentRef = '{duplicate}' AND Active IN (true, false)"
    for doc in _query(run, "Customer", where, what=f"list the sub-customers of ‘{run.name('duplicate')}’"):
        run.remember("sub_customers", str(doc["Id"]))
        what = f"move sub-customer ‘{doc.get('DisplayName')}’ under ‘{run.name('survivor')}’"
        run.update("Customer", doc, {"Job": True, "ParentRef": {"value": survivor}}, what=what)


def step_survivor(run: StepRun) -> None:
    run.step = "survivor"
    _push_customer(run, run.job.survivor_id, role="survivor")


def step_deactivate(run: StepRun) -> None:
    run.step = "deactivate"
    duplicate = _ids_for(run, "duplicate", required=False)
    doc = _read(run, "Customer", duplicate) if duplicate else None
    if doc is None or doc.get("Active") is False:
        return
    run.update("Customer", doc, {"Active": False}, what=f"make ‘{run.name('duplicate')}’ inactive")


# -- undo steps --------------------------------------------------------------------------------------


def step_duplicate(run: StepRun) -> None:
    run.step = "duplicate"
    _push_customer(run, run.job.duplicate_id, role="duplicate", reactivate=True)


def step_sub_customers_back(run: StepRun) -> None:
    run.step = "sub_customers_back"
    survivor, duplicate = _ids_for(run, "survivor", required=False), _ids_for(run, "duplicate", required=True)
    for qbo_id in _moved_back(run, "customers.customer.parent", "Customer", "sub_customers"):
        doc = _read(run, "Customer", qbo_id)
        if doc is None or _ref(doc, "ParentRef") != survivor:
            continue  # not under the survivor any more: someone placed it since
        what = f"move sub-customer ‘{doc.get('DisplayName')}’ back under ‘{run.name('duplicate')}’"
        run.update("Customer", doc, {"Job": True, "ParentRef": {"value": duplicate}}, what=what)


def step_transactions_back(run: StepRun) -> None:
    run.step = "transactions_back"
    survivor, duplicate = _ids_for(run, "survivor", required=False), _ids_for(run, "duplicate", required=True)
    for qbo_type in TRANSACTION_TYPES:
        for qbo_id in _moved_back(run, None, qbo_type, qbo_type):
            doc = _read(run, qbo_type, qbo_id)
            if doc is None or _ref(doc, "CustomerRef") != survivor:
                continue
            what = f"move {_doc_label(qbo_type, doc)} back to ‘{run.name('duplicate')}’"
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


def _push_customer(run: StepRun, customer_id: int, *, role: str, reactivate: bool = False) -> None:
    """Send the customer's current state through the ordinary builder (the configured mapping)."""
    record = Customer.objects.filter(pk=customer_id).select_related("customer_type").first()
    if record is None:
        return
    link = QBOLink.objects.filter(connection=run.connection, entity=CUSTOMER, object_id=customer_id).first()
    # An unlinked survivor must exist before anything moves to it, even if not flagged for QuickBooks;
    # a reactivated duplicate goes even if its fields match what was last sent (QuickBooks has it inactive).
    change = plan.Change(CUSTOMER, customer_id, operations=["merge"], force=reactivate or link is None)
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
    if built.op.operation == "update":
        current = _read(run, "Customer", link.qbo_id)
        if current is None:
            return
        if role == "survivor":
            _step_aside(run, body.get("DisplayName", ""))
        body["SyncToken"] = current["SyncToken"]
        changes = {k: v for k, v in body.items() if k not in {"Id", "SyncToken"}}
        saved = run.update("Customer", current, changes, what=what)
    else:
        key = f"{run.connection.realm_id}:merge:{run.job.pk}:{run.step}:create:{customer_id}"
        request_id = str(uuid.uuid5(_NAMESPACE, key))
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


def _step_aside(run: StepRun, survivor_name: str) -> None:
    """The survivor takes the duplicate's name: rename the duplicate in QuickBooks first (to the name
    it has here, "… (merged into #N)"), because names are unique there, inactive ones included."""
    duplicate = _ids_for(run, "duplicate", required=False)
    doc = _read(run, "Customer", duplicate) if duplicate else None
    if doc is None or (doc.get("DisplayName") or "").strip().casefold() != survivor_name.strip().casefold():
        return
    local = Customer.objects.filter(pk=run.job.duplicate_id).values_list("display_name", flat=True).first()
    if not local or local.strip().casefold() == survivor_name.strip().casefold():
        return
    run.update("Customer", doc, {"DisplayName": local}, what=f"rename ‘{doc['DisplayName']}’ to ‘{local}’")
