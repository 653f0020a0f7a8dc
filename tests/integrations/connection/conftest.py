"""Role fixtures and the browser's side of the OAuth round trip, against the real sandbox."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.factories.integrations import UserFactory, user_in_role

CHANGELIST = "/admin/integrations/qboconnection/"
CONNECT = CHANGELIST + "connect/"
CALLBACK = CHANGELIST + "callback/"


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
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def consent(authorize_url: str, *, realm: str, action: str = "approve") -> str:
    """What the person does on the sandbox's consent page: returns where the sandbox redirects to."""
    page = requests.get(authorize_url, timeout=30)
    assert page.status_code == 200, page.text
    fields = query_of(authorize_url)
    answer = requests.post(
        authorize_url.split("?", 1)[0],
        data={**fields, "realm_id": realm, "action": action},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def callback_path(location: str) -> str:
    """The sandbox redirects to QBO_REDIRECT_URI (an absolute URL); the test client wants the path."""
    parts = urlsplit(location)
    assert parts.path == CALLBACK
    return f"{parts.path}?{parts.query}"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
