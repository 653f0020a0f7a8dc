"""End to end: a bookkeeper edits in QuickBooks, the sandbox POSTs its webhook to our live endpoint,
a worker processes it, and the change is visible here. Both payload formats; merges too."""

from __future__ import annotations

import importlib
import json

import pytest
from django_q.models import OrmQ

from customers.models import Customer
from customers.services import customer_create
from integrations.models import QBOLink, WebhookDelivery
from integrations.pull.cdc import pull
from integrations.sync.push import drain
from integrations.tasks import process_webhook
from tests.integrations.pull.helpers import bookkeeper, cloudevent, post, run_queued_tasks

pytestmark = [pytest.mark.sandbox]


@pytest.fixture
def default_mappings(transactional_db):
    """A transactional test starts from flushed tables: put back the shipped default mappings."""
    from django.apps import apps

    importlib.import_module("integrations.migrations.0003_default_mapping").add_defaults(apps, None)


@pytest.fixture
def webhooks_to_us(live_server, sandbox_company, default_mappings):
    def configure(fmt: str) -> None:
        sandbox_company.hook(
            "webhooks/config",
            {
                "webhook_url": f"{live_server.url}/integrations/webhooks/qbo/",
                "webhook_format": fmt,
                "webhooks_enabled": True,
            },
        )

    yield configure
    sandbox_company.hook("webhooks/config", {"webhooks_enabled": False, "webhook_format": "legacy"})


def _linked(connection, name: str, **fields) -> tuple[Customer, str]:
    customer = customer_create(display_name=name, **fields)
    drain(connection.pk)
    pull(connection.pk)
    OrmQ.objects.all().delete()  # the push wake-ups the services queued; a worker would drain them
    return customer, QBOLink.objects.get(entity="customers.customer", object_id=customer.pk).qbo_id


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["legacy", "cloudevents"])
def test_a_bookkeeper_edit_arrives_by_webhook(connection, sandbox_company, webhooks_to_us, fmt):
    customer, qbo_id = _linked(connection, f"Webhook Wares {fmt}", email="old@wares.example")
    webhooks_to_us(fmt)
    bookkeeper(
        sandbox_company, "Customer", "update", qbo_id, PrimaryEmailAddr={"Address": "new@wares.example"}
    )

    sandbox_company.hook("webhooks/flush")
    ran = run_queued_tasks()

    assert WebhookDelivery.objects.filter(format=fmt).count() == 1
    assert ran == ["integrations.tasks.process_webhook", "integrations.tasks.pull_company"]
    customer.refresh_from_db()
    assert customer.email == "new@wares.example"


@pytest.mark.django_db(transaction=True)
def test_a_merge_in_quickbooks_is_honoured_and_the_merged_customer_never_comes_back(
    connection, sandbox_company, webhooks_to_us
):
    survivor, survivor_qbo = _linked(connection, "Merge Keeper")
    merged, merged_qbo = _linked(connection, "Merge Leaver")
    webhooks_to_us("cloudevents")
    sandbox_company.hook(
        f"realms/{sandbox_company.realm}/merge",
        {"entity": "Customer", "from_id": merged_qbo, "to_id": survivor_qbo},
    )

    sandbox_company.hook("webhooks/flush")
    run_queued_tasks()
    pull(connection.pk)  # a later backstop read sees the merged-away customer again

    merged.refresh_from_db()
    assert merged.merged_into_id == survivor.pk and merged.is_active is False
    assert Customer.objects.filter(display_name="Merge Keeper", is_active=True).count() == 1


@pytest.mark.django_db
def test_many_notifications_for_one_company_queue_one_pull(client, connection):
    events = [cloudevent(connection.realm_id, "Customer", str(n), "updated", f"ev-{n}") for n in range(5)]
    for event in events:
        post(client, json.dumps([event]).encode())
    post(client, json.dumps(events).encode())  # and a duplicate of all of them

    for delivery in WebhookDelivery.objects.all():
        process_webhook(delivery.pk)

    assert OrmQ.objects.count() == 1  # one CDC read will serve all of them
