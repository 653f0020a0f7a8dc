"""Two-way convergence, property-based: random edits on both sides, lost/duplicated/reordered
webhooks and API faults (5xx, 429, 5010, lost responses, expired tokens), then drain both ways.

Customers are shared by the examples of one policy (created once, with one company and one OAuth
connection), so each example starts from the state the previous one settled into. After settling:
every mapped field is equal on both sides, or an open conflict keeps QuickBooks' value while the
record keeps ours; no customer exists twice in QuickBooks; no edit vanished (each field ends on the
last edit of one side); and a further pull/push moves nothing (no echo, no flip-flop)."""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from customers.services import customer_create, customer_update
from integrations.mapping.choices import ConflictPolicy
from integrations.models import (
    FieldMapping,
    QBOConnection,
    QBOLink,
    SyncConflict,
    SyncFailure,
    WebhookDelivery,
)
from integrations.pull.cdc import pull
from integrations.pull.notifications import process_delivery
from integrations.qbo.errors import QBOError
from integrations.sync.push import drain
from tests.integrations.pull.helpers import bookkeeper, cloudevent, post

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox, pytest.mark.slow]

# local field → how QuickBooks holds it
FIELDS = {
    "email": lambda v: {"PrimaryEmailAddr": {"Address": v}},
    "phone": lambda v: {"PrimaryPhone": {"FreeFormNumber": v}},
    "notes": lambda v: {"Notes": v},
}
QBO_READ = {
    "email": lambda d: (d.get("PrimaryEmailAddr") or {}).get("Address", ""),
    "phone": lambda d: (d.get("PrimaryPhone") or {}).get("FreeFormNumber", ""),
    "notes": lambda d: d.get("Notes", ""),
}
FAULTS = ["server_error", "throttle", "stale", "lost_response", "token_expired"]
_counter = itertools.count()


def _drain(connection_id: int):
    """A push worker run. A fault it does not handle fails the task; django-q2 runs it again later."""
    try:
        return drain(connection_id)
    except QBOError:
        return None


def _value(field: str, n: int) -> str:
    return {"email": f"v{n}@conv.example", "phone": f"555-{n:04d}", "notes": f"note {n}"}[field]


class Convergence(RuleBasedStateMachine):
    connection = None
    sandbox = None
    client = None
    qbo = None

    @initialize()
    def start(self):
        # The pool of customers outlives examples: each example starts from the state the previous
        # one settled into (converged, or with open conflicts), which is itself a good test.
        if not self.pool:
            tag = uuid.uuid4().hex[:8]
            self.pool.extend(
                customer_create(display_name=f"Conv {tag} {i}", email=f"c{i}@{tag}.example") for i in range(2)
            )
            drain(self.connection.pk)
            pull(self.connection.pk)
            self.pool_ids.extend(
                QBOLink.objects.get(entity="customers.customer", object_id=c.pk).qbo_id for c in self.pool
            )
            self.prefix.append(f"Conv {tag}")
        self.customers, self.qbo_ids = self.pool, self.pool_ids
        for customer in self.customers:
            customer.refresh_from_db()
        self.edits: dict[tuple[int, str], dict[str, str]] = {}  # (customer, field) → {side: last value}
        self.unprocessed: list[int] = []

    @rule(who=st.integers(0, 1), field=st.sampled_from(sorted(FIELDS)))
    def edit_here(self, who, field):
        value = _value(field, next(_counter))
        customer_update(customer=self.customers[who], changes={field: value})
        self.edits.setdefault((who, field), {})["local"] = value

    @rule(who=st.integers(0, 1), field=st.sampled_from(sorted(FIELDS)))
    def edit_in_quickbooks(self, who, field):
        value = _value(field, next(_counter))
        bookkeeper(self.sandbox, "Customer", "update", self.qbo_ids[who], **FIELDS[field](value))
        self.edits.setdefault((who, field), {})["qbo"] = value
        # Its notification: stored (maybe duplicated), processed later, maybe never (dropped).
        body = json.dumps(
            [cloudevent(self.connection.realm_id, "Customer", self.qbo_ids[who], "updated", uuid.uuid4().hex)]
        ).encode()
        post(self.client, body)
        self.unprocessed.append(WebhookDelivery.objects.latest("pk").pk)

    @rule(mode=st.sampled_from(["in_order", "reordered", "duplicated", "dropped"]))
    def webhooks_arrive(self, mode):
        deliveries, self.unprocessed = self.unprocessed, []
        if mode == "dropped":
            return
        if mode == "reordered":
            random.Random(len(deliveries)).shuffle(deliveries)
        woken = False
        for delivery_id in deliveries * (2 if mode == "duplicated" else 1):
            woken = bool(process_delivery(delivery_id)) or woken
        if woken:  # however many notifications, one pull (the pull_pending flag's job)
            pull(self.connection.pk)

    @rule()
    def push(self):
        _drain(self.connection.pk)

    @rule()
    def backstop_poll(self):
        pull(self.connection.pk)

    @rule(kind=st.sampled_from(FAULTS), then_push=st.booleans())
    def api_fault(self, kind, then_push):
        self.sandbox.hook("faults", {"kind": kind, "match": {"realm": self.sandbox.realm}, "times": 1})
        _drain(self.connection.pk) if then_push else pull(self.connection.pk)

    def settle(self) -> bool:
        """Faults over, waits elapsed: pull and push until nothing moves (True) or give up (False)."""
        self.sandbox.hook("faults", method="DELETE")
        for _ in range(5):
            QBOConnection.objects.filter(pk=self.connection.pk).update(paused_until=None)
            SyncFailure.objects.filter(status=SyncFailure.Status.RETRYING).update(
                next_retry_at=timezone.now()
            )
            applied = pull(self.connection.pk).applied
            pushed = _drain(self.connection.pk)
            if pushed and not set(applied) - {"seen"} and not (pushed.pushed or pushed.failed):
                return True
        return False

    def teardown(self):
        if not hasattr(self, "edits"):
            return
        assert self.settle(), "pull and push keep finding work: an echo or a flip-flop"
        docs = self.qbo.query(f"SELECT * FROM Customer WHERE DisplayName LIKE '{self.prefix[0]}%'")[
            "Customer"
        ]
        assert len(docs) == len(self.customers), "a customer exists twice in QuickBooks"
        by_id = {doc["Id"]: doc for doc in docs}
        for who, customer in enumerate(self.customers):
            customer.refresh_from_db()
            doc = by_id[self.qbo_ids[who]]
            for field in FIELDS:
                local, remote = getattr(customer, field), QBO_READ[field](doc)
                if local != remote:
                    conflict = SyncConflict.objects.get(
                        object_id=customer.pk, field=field, status=SyncConflict.Status.OPEN
                    )
                    # Both versions kept: ours in the record, QuickBooks' in the conflict.
                    assert conflict.qbo_value == remote
                edits = self.edits.get((who, field), {})
                if edits:
                    assert {local, remote} & set(edits.values()), f"edits to {field} lost: {edits}"


@pytest.mark.parametrize("policy", [ConflictPolicy.NEWEST_WINS, ConflictPolicy.ASK])
def test_both_sides_converge(connection, sandbox_company, qbo, client, policy):
    FieldMapping.objects.filter(entity="customer", local_field__in=list(FIELDS)).update(
        conflict_policy=policy
    )
    Convergence.connection, Convergence.sandbox, Convergence.client, Convergence.qbo = (
        connection,
        sandbox_company,
        client,
        qbo,
    )
    Convergence.pool, Convergence.pool_ids, Convergence.prefix = [], [], []
    run_state_machine_as_test(
        Convergence,
        settings=settings(
            max_examples=int(os.environ.get("CONVERGENCE_EXAMPLES", "100")),
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
