"""A change whose transaction commits after a later one was pushed still reaches QuickBooks.

PostgreSQL takes an outbox id at INSERT: a slow transaction can hold id N while N+1 commits and is
drained. These tests keep a real second transaction open on its own database connection (a thread)
while the push runs, then commit it.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection as db
from django.db import transaction

from customers.services import customer_create
from integrations.models.connection import QBOConnection
from integrations.selectors.connection import connection_status
from integrations.sync.push import drain
from syncportal.outbox.models import OutboxEntry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(settings):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("SQLite has one writer at a time: ids cannot commit out of order")


def _in_quickbooks(qbo, name: str) -> bool:
    return bool(qbo.query(f"SELECT * FROM Customer WHERE DisplayName = '{name}'").get("Customer"))


class SlowTransaction(threading.Thread):
    """Creates a customer in its own transaction and holds it open until ``finish()``."""

    def __init__(self, name: str, *, commit: bool = True) -> None:
        super().__init__(daemon=True)
        self.name_ = name
        self.commit = commit
        self.written = threading.Event()
        self.go = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                customer_create(display_name=self.name_)
                self.written.set()
                self.go.wait(60)
                if not self.commit:
                    transaction.set_rollback(True)
        except BaseException as exc:  # reported by finish() in the test's thread
            self.error = exc
        finally:
            self.written.set()
            db.close()

    def finish(self) -> None:
        self.go.set()
        self.join(60)
        assert self.error is None, self.error


def test_a_change_committed_after_a_later_one_was_pushed_still_reaches_quickbooks(connection, qbo):
    slow = SlowTransaction("Gap Slow Customer")
    slow.start()
    assert slow.written.wait(30)
    customer_create(display_name="Gap Quick Customer")  # a higher outbox id, committed first

    first = drain(connection.pk)

    assert not first.stopped
    assert _in_quickbooks(qbo, "Gap Quick Customer")
    assert not _in_quickbooks(qbo, "Gap Slow Customer")  # not committed yet: invisible to the drain

    slow.finish()  # now the lower id commits
    second = drain(connection.pk)

    assert not second.stopped
    assert _in_quickbooks(qbo, "Gap Slow Customer")
    assert connection_status(QBOConnection.objects.get(pk=connection.pk)).queue_depth == 0  # none waits
    assert drain(connection.pk).batches == 0  # and nothing is sent twice


def test_a_rolled_back_change_leaves_a_gap_that_is_dropped_after_the_grace_period(connection, qbo, settings):
    aborted = SlowTransaction("Gap Rolled Back", commit=False)
    aborted.start()
    assert aborted.written.wait(30)
    customer_create(display_name="Gap After Rollback")
    aborted.finish()

    drain(connection.pk)
    hole = QBOConnection.objects.get(pk=connection.pk).outbox_gaps
    assert _in_quickbooks(qbo, "Gap After Rollback")
    # The rolled-back id (just below the next one) is kept: it might still be an open transaction.
    rolled_back = OutboxEntry.objects.latest("id").id - 1
    assert any(low <= rolled_back <= high for low, high, _ in hole)
    drain(connection.pk)
    assert QBOConnection.objects.get(pk=connection.pk).outbox_gaps == hole  # still inside the grace

    settings.OUTBOX_GAP_GRACE_SECONDS = 0
    drain(connection.pk)

    assert QBOConnection.objects.get(pk=connection.pk).outbox_gaps == []
    assert not _in_quickbooks(qbo, "Gap Rolled Back")
    assert QBOConnection.objects.get(pk=connection.pk).outbox_position == OutboxEntry.objects.latest("id").id
