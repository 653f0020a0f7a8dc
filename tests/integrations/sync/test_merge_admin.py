"""The read-only screen of merges' QuickBooks steps: who sees it, and that nobody can edit it."""

import pytest
from django.urls import reverse

from customers.merging import customer_merge
from integrations.models import QBOConnection, QBOMergeJob
from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF
from tests.factories.customers import CustomerFactory
from tests.factories.integrations import user_in_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(db):
    merge = customer_merge(survivor=CustomerFactory(), duplicate=CustomerFactory())
    connection = QBOConnection.objects.create(realm_id="123", company_name="Test store")
    return QBOMergeJob.objects.create(
        connection=connection,
        outbox_entry_id=1,
        merge_id=merge.pk,
        action=QBOMergeJob.Action.MERGE,
        survivor_id=merge.survivor_id,
        duplicate_id=merge.duplicate_id,
        progress={"done": ["transactions", "sub_customers"]},
    )


@pytest.mark.parametrize("role", [BOOKKEEPER, MANAGER])
def test_bookkeepers_and_managers_see_how_far_a_merge_got_in_quickbooks(client, job, role):
    client.force_login(user_in_role(role))

    listing = client.get(reverse("admin:integrations_qbomergejob_changelist"))
    detail = client.get(reverse("admin:integrations_qbomergejob_change", args=[job.pk]))

    assert listing.status_code == 200 and detail.status_code == 200
    text = listing.content.decode()
    assert f"Merge #{job.merge_id}" in text
    assert "2 of 4: sales moved, sub-customers moved" in text
    assert client.get(reverse("admin:integrations_qbomergejob_add")).status_code == 403
    delete = reverse("admin:integrations_qbomergejob_delete", args=[job.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert QBOMergeJob.objects.filter(pk=job.pk).exists()


def test_front_desk_staff_do_not_see_the_sync_side(client, job):
    client.force_login(user_in_role(STAFF))

    assert client.get(reverse("admin:integrations_qbomergejob_changelist")).status_code == 403
