"""Factories for what the sync engine records: connections, links, events, failures and conflicts.

Rows are written directly (test set-up). The engines create these in real runs; the admin and its
services only read and resolve them, so their tests start from rows made here.
"""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from integrations.models import QBOConnection, QBOLink, SyncConflict, SyncEvent, SyncFailure


class QBOConnectionFactory(DjangoModelFactory):
    class Meta:
        model = QBOConnection
        django_get_or_create = ("realm_id",)

    realm_id = factory.Sequence(lambda n: f"9130{n:012d}")
    company_name = factory.Sequence(lambda n: f"Store {n}")


class QBOLinkFactory(DjangoModelFactory):
    class Meta:
        model = QBOLink

    connection = factory.SubFactory(QBOConnectionFactory)
    entity = "customers.customer"
    object_id = factory.Sequence(lambda n: 1000 + n)
    qbo_type = "Customer"
    qbo_id = factory.Sequence(lambda n: str(500 + n))
    sync_token = "0"


class SyncFailureFactory(DjangoModelFactory):
    class Meta:
        model = SyncFailure

    connection = factory.SubFactory(QBOConnectionFactory)
    entity = "customers.customer"
    object_id = factory.Sequence(lambda n: 2000 + n)
    record_label = factory.LazyAttribute(lambda o: f"Customer ‘#{o.object_id}’")
    operation = "create"
    status = SyncFailure.Status.OPEN
    cause = "duplicate_name"
    message = factory.LazyAttribute(
        lambda o: (
            f"{o.record_label} could not be sent: QuickBooks already has a customer, vendor or "
            "employee with this name. Rename one of them, then retry."
        )
    )
    qbo_code = "6240"
    attempts = 1
    last_attempt_at = factory.LazyFunction(timezone.now)


class SyncEventFactory(DjangoModelFactory):
    class Meta:
        model = SyncEvent

    connection = factory.SubFactory(QBOConnectionFactory)
    direction = "push"
    entity = "customers.customer"
    object_id = factory.Sequence(lambda n: 3000 + n)
    qbo_type = "Customer"
    operation = "create"
    outcome = SyncEvent.Outcome.OK


class SyncConflictFactory(DjangoModelFactory):
    class Meta:
        model = SyncConflict

    connection = factory.SubFactory(QBOConnectionFactory)
    entity = "customers.customer"
    object_id = factory.Sequence(lambda n: 4000 + n)
    field = "email"
    base_value = "old@example.com"
    local_value = "local@example.com"
    qbo_value = "qbo@example.com"
