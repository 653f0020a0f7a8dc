"""The webhook endpoint: only correctly signed, well-formed deliveries are stored, and fast."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django_q.models import OrmQ

from integrations.models import WebhookDelivery
from integrations.pull.notifications import process_delivery
from integrations.qbo_sandbox.webhooks.payloads import sign
from tests.integrations.pull.helpers import URL, cloudevent, legacy, post

pytestmark = pytest.mark.django_db


def test_a_signed_legacy_delivery_is_stored_and_processing_is_queued_after_commit(
    client, django_capture_on_commit_callbacks
):
    body = legacy("4620816365", ("Customer", "58", "Update"))

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body)

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body
    assert (delivery.format, delivery.event_count, delivery.realm_ids) == ("legacy", 1, ["4620816365"])
    assert OrmQ.objects.count() == 1  # the processing task, queued for a worker


def test_a_cloudevents_delivery_may_name_several_companies(client):
    body = json.dumps(
        [
            cloudevent("111", "Customer", "5", "updated", "e1"),
            cloudevent("222", "Invoice", "9", "created", "e2"),
        ]
    ).encode()

    response = post(client, body)

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.format, delivery.event_count, delivery.realm_ids) == ("cloudevents", 2, ["111", "222"])


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSByaWdodCBzaWduYXR1cmU="])
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(client, caplog, signature):
    body = legacy("4620816365", ("Customer", "58", "Update"))

    with caplog.at_level(logging.WARNING, logger="integrations.security"):
        response = post(client, body, signature=signature)

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()
    [line] = [r for r in caplog.records if r.name == "integrations.security"]
    assert "4620816365" not in line.getMessage()  # no body content in the log


def test_a_body_changed_after_signing_is_refused(client):
    body = legacy("4620816365", ("Customer", "58", "Update"))
    signature = sign(body, settings.QBO_WEBHOOK_VERIFIER_TOKEN)
    tampered = body.replace(b'"58"', b'"59"')

    response = post(client, tampered, signature=signature)

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{}", b'{"eventNotifications": [{"dataChangeEvent": {}}]}', b'[{"type": "nope"}]'],
)
def test_a_signed_but_malformed_body_is_a_400_and_nothing_is_stored(client, body):
    response = post(client, body)

    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405


def test_a_duplicate_delivery_is_stored_twice_but_processing_it_again_is_harmless(client):
    body = legacy("4620816365", ("Customer", "58", "Update"))
    post(client, body)
    post(client, body)
    first, second = WebhookDelivery.objects.order_by("pk")

    assert process_delivery(first.pk) == []  # no connected company with that realm: nothing to do
    assert process_delivery(second.pk) == []
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"processed"}
