"""After a 5010, QuickBooks' edits taken here become the agreed base: never written back as ours."""

from __future__ import annotations

import pytest
from django.test import override_settings

from customers.services import customer_create, customer_update
from integrations.models import QBOLink
from integrations.pull.cdc import pull
from integrations.sync.chaos import WorkerKilled
from integrations.sync.push import drain
from tests.integrations.pull.helpers import bookkeeper

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_a_worker_restart_then_a_stale_token_writes_quickbooks_once(connection, sandbox_company, qbo):
    customer = customer_create(display_name="Restart Rita", email="a@rita.example", phone="555-0100")
    drain(connection.pk)
    pull(connection.pk)
    qbo_id = QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id
    bookkeeper(sandbox_company, "Customer", "update", qbo_id, PrimaryPhone={"FreeFormNumber": "555-0102"})
    before = int(qbo.read("Customer", qbo_id)["SyncToken"])
    customer_update(customer=customer, changes={"email": "b@rita.example"})
    crash = override_settings(QBO_PUSH_CRASH_POINT="before_send", QBO_PUSH_CRASH_MODE="raise")
    with crash, pytest.raises(WorkerKilled):
        drain(connection.pk)  # the batch is in the ledger, never sent

    drain(connection.pk)  # re-sent: 5010 (the bookkeeper's phone), merged, our email goes out
    for _ in range(2):
        pull(connection.pk)
        drain(connection.pk)

    doc = qbo.read("Customer", qbo_id)
    assert doc["PrimaryEmailAddr"]["Address"] == "b@rita.example"
    assert doc["PrimaryPhone"]["FreeFormNumber"] == "555-0102"
    assert int(doc["SyncToken"]) - before == 1  # one write: our email; the phone is not echoed back
    customer.refresh_from_db()
    assert customer.phone == "555-0102"
