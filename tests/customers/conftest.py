"""Users in each role (the groups come from the roles migration) and logged-in admin clients."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from syncportal.access.roles import BOOKKEEPER, MANAGER, ROLES, STAFF
from syncportal.outbox.models import OutboxEntry


@pytest.fixture
def role_users(db) -> dict[str, User]:
    """One admin user per role, named after it ("staff", "bookkeeper", "manager")."""
    users = {}
    for role in ROLES:
        user = User.objects.create_user(username=role.lower(), password="pw-not-used", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    return users


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(role_users) -> Client:
    return _client_for(role_users[STAFF])


@pytest.fixture
def bookkeeper_client(role_users) -> Client:
    return _client_for(role_users[BOOKKEEPER])


@pytest.fixture
def manager_client(role_users) -> Client:
    return _client_for(role_users[MANAGER])


@pytest.fixture
def outbox(db):
    """The customer outbox rows written so far, oldest first, as (operation, object_id, changed_fields)."""

    def rows(entity: str = "customers.customer") -> list[tuple[str, int, list[str]]]:
        return list(
            OutboxEntry.objects.filter(entity=entity)
            .order_by("id")
            .values_list("operation", "object_id", "changed_fields")
        )

    return rows
