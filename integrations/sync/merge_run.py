"""What every step of a QuickBooks merge shares: the run, its calls, and refusals in plain words.

Each step reads what QuickBooks holds now and changes only what is not done yet. The QuickBooks ids
a step is about to change are written to the job *before* the call, so an undo can move back objects
SyncPortal does not hold locally too. Request ids are derived from the job, the object and its
SyncToken: a lost answer is replayed by QuickBooks instead of being applied twice, and a retry after
a refusal (new SyncToken or not) is a new request rather than a replay of the refusal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from customers.models import CustomerMerge
from integrations.models.sync import Direction, QBOLink, SyncEvent
from integrations.qbo import errors

# Documents a payment can be applied to go first: QuickBooks refuses a payment applied to another
# customer's invoice, so the invoice moves before the payment does (both ways).
TRANSACTION_TYPES = ("Invoice", "CreditMemo", "SalesReceipt", "RefundReceipt", "Payment")
WORDS = {
    "Invoice": "invoice",
    "CreditMemo": "credit memo",
    "SalesReceipt": "sales receipt",
    "RefundReceipt": "refund receipt",
    "Payment": "payment",
    "Customer": "customer",
}
REQUEST_NAMESPACE = uuid.UUID("0e7b9d54-4c1a-4f5e-9a3b-6d2c8e1f7a20")
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
        # The run number: a retry after a refusal is a new request, not a replay of the refusal (a
        # write that did happen is seen by the re-read and not sent again).
        key += f":{doc['Id']}:{doc['SyncToken']}:run{self.job.progress.get('runs', 0)}"
        saved = self.call(
            lambda: self.gateway.update(qbo_type, body, request_id=str(uuid.uuid5(REQUEST_NAMESPACE, key))),
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
    if error.code == "6220" or "balance" in f"{error.message} {error.detail}".lower():
        return (
            "duplicate_has_balance",
            f"‘{run.name('duplicate')}’ still has a balance in QuickBooks (an opening balance, for "
            "example, which QuickBooks' API cannot move to another customer); clear it in QuickBooks, "
            "then retry.",
            False,
        )
    if error.transient:
        return (
            "quickbooks_unavailable",
            "QuickBooks did not answer normally; it is retried automatically.",
            True,
        )
    return "rejected", "Correct it in QuickBooks (or the record here), then retry.", False


def doc_label(qbo_type: str, doc: dict) -> str:
    number = doc.get("DocNumber") or doc.get("PaymentRefNum")
    return f"{WORDS.get(qbo_type, qbo_type)} {number or '#' + str(doc['Id'])}"


def ref(doc: dict, key: str) -> str:
    return str((doc.get(key) or {}).get("value", ""))


def read(run: StepRun, qbo_type: str, qbo_id: str) -> dict | None:
    try:
        return run.gateway.read(qbo_type, qbo_id)
    except errors.NotFoundOrInactive:
        return None  # deleted in QuickBooks since: nothing left to move
    except (errors.RateLimited, errors.ReconnectRequired):
        raise
    except errors.QBOError as error:
        raise run.refused(error, what=f"read {WORDS.get(qbo_type, qbo_type)} #{qbo_id}") from error


def query(run: StepRun, entity: str, where: str, *, what: str) -> list[dict]:
    # Every page is read before anything changes: moving rows while paging would shift the pages.
    pages = run.call(lambda: list(run.gateway.query_all(entity, where)), what=what)
    return [doc for page in pages for doc in page]


def ids_for(run: StepRun, role: str, *, required: bool) -> str:
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
