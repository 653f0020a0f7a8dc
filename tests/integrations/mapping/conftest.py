"""Shared set-up for the mapping configuration tests."""

import pytest

from tests.factories.integrations import user_in_role


@pytest.fixture
def manager(db):
    return user_in_role("Manager")


@pytest.fixture
def bookkeeper(db):
    return user_in_role("Bookkeeper")


@pytest.fixture
def staff(db):
    return user_in_role("Staff")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
