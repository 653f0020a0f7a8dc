"""People in each role, signed in to the admin."""

import pytest
from django.test import Client

from tests.factories.integrations import user_in_role

ROLES = ["manager", "bookkeeper", "staff"]


@pytest.fixture
def signed_in(db):
    """``signed_in("bookkeeper")`` → a test client signed in as a user in that role."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(user_in_role(role.capitalize()))
        return client

    return make
