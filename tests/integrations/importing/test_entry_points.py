"""How an import starts (on first connect, from the CLI) and how the admin shows and cancels it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_q.models import OrmQ

from customers.models import Customer
from integrations.importing.runner import run_import
from integrations.importing.services import initial_import_start
from integrations.models import ImportRun
from tests.factories.integrations import user_in_role

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_connecting_a_company_queues_its_import_once(
    sandbox_company, settings, django_capture_on_commit_callbacks
):
    from integrations.services.connection import connection_complete

    def connect():
        code = sandbox_company.hook(
            "oauth/approve",
            {
                "client_id": settings.QBO_CLIENT_ID,
                "redirect_uri": settings.QBO_REDIRECT_URI,
                "realm_id": sandbox_company.realm,
                "scope": "com.intuit.quickbooks.accounting",
                "state": "t",
            },
        )["code"]
        return connection_complete(code=code, realm_id=sandbox_company.realm)

    with django_capture_on_commit_callbacks(execute=True):
        connection = connect()
    run = ImportRun.objects.get(connection=connection)
    assert run.status == ImportRun.Status.QUEUED
    assert OrmQ.objects.count() == 1  # the background task that will run it
    with django_capture_on_commit_callbacks(execute=True):
        connect()  # a reconnect does not start a second import
    assert ImportRun.objects.count() == 1 and OrmQ.objects.count() == 1


def test_command_with_wait_imports_and_shows_progress(seeded, connection):
    out = StringIO()

    call_command("qbo_import", "--wait", "--realm", connection.realm_id, "--page-size", "5", stdout=out)

    text = out.getvalue()
    assert "Customers" in text and "[100%] Done" in text and "done:" in text
    assert Customer.objects.filter(display_name="Pier 12 Dock B", parent__display_name="Pier 12").exists()


def test_command_without_wait_queues_the_run(connection, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("qbo_import", stdout=out)
    assert "queued" in out.getvalue()
    assert ImportRun.objects.get().status == ImportRun.Status.QUEUED


@pytest.mark.parametrize("role", ["Staff", "Bookkeeper", "Manager"])
def test_admin_progress_and_cancel_per_role(role, seeded, connection, client):
    run = initial_import_start(connection=connection, enqueue=False)
    run_import(run.pk, page_size=2, stop_after_pages=3)
    client.force_login(user_in_role(role))
    page = client.get(reverse("admin:integrations_importrun_change", args=[run.pk]))
    status = client.get(reverse("admin:integrations_importrun_status", args=[run.pk]))
    cancel = client.post(reverse("admin:integrations_importrun_cancel", args=[run.pk]))
    run.refresh_from_db()

    if role == "Staff":
        assert page.status_code == status.status_code == cancel.status_code == 403
        assert not run.cancel_requested
        return
    assert page.status_code == 200
    assert b'<progress id="import-bar"' in page.content and b"fetch(" in page.content
    body = json.loads(status.content)
    assert body["status"] == "running" and 0 < body["percent"] < 100 and body["total"] == run.total
    if role == "Bookkeeper":
        assert b"Cancel import" not in page.content
        assert cancel.status_code == 403 and not run.cancel_requested
    else:
        assert b"Cancel import" in page.content
        assert cancel.status_code == 302 and run.cancel_requested
        assert run_import(run.pk, page_size=2).status == ImportRun.Status.CANCELLED


def test_admin_list_shows_runs_with_their_progress(connection, client):
    initial_import_start(connection=connection, enqueue=False)
    client.force_login(user_in_role("Manager"))
    response = client.get(reverse("admin:integrations_importrun_changelist"))
    assert response.status_code == 200 and b"<progress" in response.content


def test_background_task_runs_the_import_and_a_redelivery_is_harmless(seeded, connection):
    from integrations.importing.tasks import import_company

    run = initial_import_start(connection=connection, enqueue=False)

    assert import_company(run.pk)["status"] == ImportRun.Status.DONE
    assert import_company(run.pk) == {"busy_or_finished": True}  # django-q delivered it twice
    assert Customer.objects.count() == 11
