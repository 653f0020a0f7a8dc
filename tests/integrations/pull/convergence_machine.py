"""The two-way convergence state machine, shared by the suite (test_convergence.py, ≥ 200 examples)
and the soak (bench/soak.py, ≥ 2,000): random edits on both sides, webhook and API faults, worker
restarts, conflict resolutions; after settling, the invariants of issue #5 (checks in
convergence_checks.py). Counts of what it did go to ``STATS`` for the soak to print.

Customers and their money are shared by the examples of one run (created once, with one company and
one OAuth connection), so each example starts from the state the previous one settled into.
"""

from __future__ import annotations

import datetime
import itertools
import json
import random
import uuid
from collections import Counter
from decimal import Decimal

from django.test import override_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from customers.services import customer_create, customer_update
from integrations.models import QBOLink, SyncConflict, WebhookDelivery
from integrations.pull.cdc import pull
from integrations.pull.notifications import process_delivery
from integrations.qbo.errors import QBOError
from integrations.services.conflicts import conflict_edit, conflict_keep_local, conflict_keep_qbo
from integrations.sync.chaos import WorkerKilled
from integrations.sync.push import drain
from sales.models import Item, Payment, PaymentMethod, Refund, Sale
from sales.services import LineInput, payment_create, payment_void, refund_create, refund_void, sale_create
from syncportal.outbox.models import OutboxEntry
from tests.integrations.pull import convergence_checks as checks
from tests.integrations.pull.helpers import bookkeeper, cloudevent, post

# local field → how QuickBooks holds it
FIELDS = {
    "email": lambda v: {"PrimaryEmailAddr": {"Address": v}},
    "phone": lambda v: {"PrimaryPhone": {"FreeFormNumber": v}},
    "notes": lambda v: {"Notes": v},
}
# QuickBooks API faults, by the name the soak prints: the sandbox's fault kind behind each.
API_FAULTS = {
    "429": "throttle",
    "5xx": "server_error",
    "503": "unavailable",
    "timeout_after_commit": "lost_response",  # QuickBooks wrote it; the answer never arrived
    "5010": "stale",
    "token_expired": "token_expired",
}
WEBHOOK_MODES = ["in_order", "reordered", "duplicated", "dropped", "delayed"]
CRASH_POINTS = ["before_send", "after_answer", "after_commit"]
DAY = datetime.date(2026, 11, 2)
STATS: Counter = Counter()
_counter = itertools.count()


def value_for(field: str, n: int) -> str:
    return {"email": f"v{n}@conv.example", "phone": f"555-{n:04d}", "notes": f"note {n}"}[field]


def cents(n: int) -> Decimal:
    return (Decimal(n) / 100).quantize(Decimal("0.01"))


def push_once(connection_id: int):
    """A push worker run. A fault it does not handle fails the task; django-q2 runs it again later."""
    try:
        return drain(connection_id)
    except QBOError:
        return None


class Convergence(RuleBasedStateMachine):
    """Class attributes are set by the runner (``configure``) before hypothesis starts."""

    connection = None
    sandbox = None
    client = None
    qbo = None
    pool: dict = {}

    @classmethod
    def configure(cls, *, connection, sandbox, client, qbo) -> None:
        cls.connection, cls.sandbox, cls.client, cls.qbo = connection, sandbox, client, qbo
        cls.pool = {}

    @initialize()
    def start(self):
        if not self.pool:
            self._make_pool()
        self.customers = self.pool["customers"]
        self.qbo_ids = self.pool["qbo_ids"]
        self.item = self.pool["item"]
        for customer in self.customers:
            customer.refresh_from_db()
        self.edits: dict[tuple[int, str], dict[str, str]] = {}  # (customer, field) → {side: last value}
        # customer index → local edits + pushing resolutions (+ 1 if an earlier change still waits)
        self.customer_writes: Counter = Counter(checks.owed_writes(self.connection, self.customers))
        self.qbo_edits: Counter = Counter()  # customer index → bookkeeper edits to the customer
        self.unprocessed: list[int] = []
        self.delayed: list[int] = []
        self.echo_rows = 0  # outbox rows written while applying QuickBooks' changes (must stay 0)
        self.tokens_start = checks.customer_tokens(self.qbo, self.qbo_ids)
        self.conflicts_start = SyncConflict.objects.order_by("-id").values_list("id", flat=True).first() or 0
        STATS["examples"] += 1
        STATS["steps"] -= 1  # the invariant below also runs once after this

    @invariant()
    def count_step(self):
        STATS["steps"] += 1

    def _make_pool(self) -> None:
        tag = uuid.uuid4().hex[:8]
        customers = [
            customer_create(
                display_name=f"Conv {tag} {i}", email=f"c{i}@{tag}.example", credit_limit=Decimal("1000000")
            )
            for i in range(2)
        ]
        item = Item.objects.create(
            name=f"Conv service {tag}", kind=Item.Kind.NON_INVENTORY, unit_price=Decimal("10"), taxable=False
        )
        drain(self.connection.pk)
        pull(self.connection.pk)
        self.pool.update(
            customers=customers,
            item=item,
            prefix=f"Conv {tag}",
            deleted_there=set(),
            qbo_ids=[
                QBOLink.objects.get(entity="customers.customer", object_id=c.pk).qbo_id for c in customers
            ],
        )

    # --- the store's side -------------------------------------------------------------------------

    def _local(self, who: int, *, customer: bool = False) -> None:
        self.customer_writes[who] += 1 if customer else 0
        STATS["local_edits"] += 1

    @rule(who=st.integers(0, 1), field=st.sampled_from(sorted(FIELDS)))
    def edit_here(self, who, field):
        value = value_for(field, next(_counter))
        customer_update(customer=self.customers[who], changes={field: value})
        self.edits.setdefault((who, field), {})["local"] = value
        self._local(who, customer=True)

    @rule(who=st.integers(0, 1), amount=st.integers(100, 50_000))
    def charge_here(self, who, amount):
        sale_create(
            kind=Sale.Kind.CHARGE,
            customer=self.customers[who],
            date=DAY,
            lines=[LineInput(item=self.item, quantity=Decimal(1), unit_price=cents(amount))],
        )
        self._local(who)
        STATS["money_local"] += 1

    @rule(who=st.integers(0, 1), amount=st.integers(100, 50_000), apply=st.booleans())
    def payment_here(self, who, amount, apply):
        customer = self.customers[who]
        allocations = []
        if apply:
            open_charge = (
                Sale.objects.filter(
                    customer=customer, kind=Sale.Kind.CHARGE, is_void=False, balance_due__gt=0
                )
                .order_by("id")
                .first()
            )
            if open_charge is not None:
                allocations = [(open_charge, min(cents(amount), open_charge.balance_due))]
        payment_create(
            customer=customer,
            amount=cents(amount),
            date=DAY,
            method=PaymentMethod.CHECK,
            allocations=allocations,
        )
        self._local(who)
        STATS["money_local"] += 1

    @rule(who=st.integers(0, 1), amount=st.integers(100, 20_000))
    def refund_here(self, who, amount):
        refund_create(
            customer=self.customers[who],
            date=DAY,
            method=PaymentMethod.CASH,
            restock=False,
            lines=[LineInput(item=self.item, quantity=Decimal(1), unit_price=cents(amount))],
        )
        self._local(who)
        STATS["money_local"] += 1

    @rule(who=st.integers(0, 1), kind=st.sampled_from(["payment", "refund"]), pick=st.integers(0, 99))
    def void_here(self, who, kind, pick):
        model = Payment if kind == "payment" else Refund
        open_docs = list(model.objects.filter(customer=self.customers[who], is_void=False).order_by("id"))
        if not open_docs:
            return
        document = open_docs[pick % len(open_docs)]
        if kind == "payment":
            payment_void(payment=document)
        else:
            refund_void(refund=document)
        self._local(who)
        STATS["money_local"] += 1

    # --- QuickBooks' side -------------------------------------------------------------------------

    def _notify(self, entity: str, qbo_id: str, verb: str = "updated") -> None:
        """Its notification: stored (maybe duplicated, delayed), processed later, maybe never (dropped)."""
        body = json.dumps(
            [cloudevent(self.connection.realm_id, entity, qbo_id, verb, uuid.uuid4().hex)]
        ).encode()
        post(self.client, body)
        self.unprocessed.append(WebhookDelivery.objects.latest("pk").pk)

    @rule(who=st.integers(0, 1), field=st.sampled_from(sorted(FIELDS)))
    def edit_in_quickbooks(self, who, field):
        value = value_for(field, next(_counter))
        bookkeeper(self.sandbox, "Customer", "update", self.qbo_ids[who], **FIELDS[field](value))
        self.edits.setdefault((who, field), {})["qbo"] = value
        self.qbo_edits[who] += 1
        STATS["qbo_edits"] += 1
        self._notify("Customer", self.qbo_ids[who])

    @rule(who=st.integers(0, 1), action=st.sampled_from(["payment_amount", "payment_delete"]))
    def money_in_quickbooks(self, who, action):
        """A bookkeeper changes a payment we pushed: its amount (a conflict here) or deletes it."""
        ids = Payment.objects.filter(customer=self.customers[who], is_void=False).values_list("pk", flat=True)
        link = (
            QBOLink.objects.filter(
                connection=self.connection, entity="sales.payment", object_id__in=list(ids)
            )
            .exclude(fingerprint__in=["deleted", "void"])
            .exclude(qbo_id__in=self.pool["deleted_there"])  # deleted there, not pulled yet
            .order_by("-object_id")
            .first()
        )
        if link is None:
            return
        if action == "payment_amount":  # (no read through the gateway: an injected fault may be armed)
            amount = Payment.objects.get(pk=link.object_id).amount + 5
            bookkeeper(self.sandbox, "Payment", "update", link.qbo_id, TotalAmt=float(amount))
        else:
            bookkeeper(self.sandbox, "Payment", "delete", link.qbo_id)
            self.pool["deleted_there"].add(link.qbo_id)
        STATS["qbo_edits"] += 1
        STATS[f"qbo_money_{action}"] += 1
        self._notify("Payment", link.qbo_id, "updated" if action == "payment_amount" else "deleted")

    # --- delivery, workers, faults ----------------------------------------------------------------

    def _pull(self) -> None:
        before = OutboxEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        pull(self.connection.pk)
        self.echo_rows += OutboxEntry.objects.filter(id__gt=before).count()

    @rule(mode=st.sampled_from(WEBHOOK_MODES))
    def webhooks_arrive(self, mode):
        deliveries, self.unprocessed = self.unprocessed, []
        STATS[f"webhook_{mode}"] += 1 if deliveries else 0
        if mode == "dropped":
            return
        if mode == "delayed":  # they come after the next batch, late and out of order
            self.delayed.extend(deliveries)
            return
        if mode == "reordered":
            random.Random(len(deliveries)).shuffle(deliveries)
        deliveries, self.delayed = deliveries + self.delayed, []
        woken = False
        for delivery_id in deliveries * (2 if mode == "duplicated" else 1):
            woken = bool(process_delivery(delivery_id)) or woken
        if woken:  # however many notifications, one pull (the pull_pending flag's job)
            self._pull()

    @rule()
    def push(self):
        push_once(self.connection.pk)

    @rule()
    def backstop_poll(self):
        self._pull()

    @rule(kind=st.sampled_from(sorted(API_FAULTS)), then_push=st.booleans())
    def api_fault(self, kind, then_push):
        self.sandbox.hook(
            "faults", {"kind": API_FAULTS[kind], "match": {"realm": self.sandbox.realm}, "times": 1}
        )
        STATS[f"api_fault_{kind}"] += 1
        push_once(self.connection.pk) if then_push else self._pull()

    @rule(point=st.sampled_from(CRASH_POINTS))
    def worker_restart(self, point):
        """A drain dies mid-way (the next worker picks up after it, as after a kill -9 and lease expiry)."""
        with override_settings(QBO_PUSH_CRASH_POINT=point, QBO_PUSH_CRASH_MODE="raise"):
            try:
                push_once(self.connection.pk)
            except WorkerKilled:
                STATS[f"restart_{point}"] += 1

    @rule(choice=st.sampled_from(["keep_local", "keep_qbo", "edit"]), pick=st.integers(0, 99))
    def resolve_conflict(self, choice, pick):
        customer_ids = {c.pk: i for i, c in enumerate(self.customers)}
        conflicts = list(
            SyncConflict.objects.filter(
                status=SyncConflict.Status.OPEN, entity="customers.customer", object_id__in=customer_ids
            ).order_by("id")
        )
        if not conflicts:
            return
        conflict = conflicts[pick % len(conflicts)]
        who = customer_ids[conflict.object_id]
        if choice == "keep_local":
            conflict_keep_local(conflict_id=conflict.pk)
        elif choice == "keep_qbo":
            conflict_keep_qbo(conflict_id=conflict.pk)
        else:
            value = value_for(conflict.field, next(_counter))
            conflict_edit(conflict_id=conflict.pk, value=value)
            self.edits.setdefault((who, conflict.field), {})["local"] = value
        if choice != "keep_qbo":  # keep QuickBooks changes nothing there; the others push once
            self.customer_writes[who] += 1
        STATS[f"resolved_{choice}"] += 1

    def teardown(self):
        if hasattr(self, "edits"):
            checks.after_settling(self)
