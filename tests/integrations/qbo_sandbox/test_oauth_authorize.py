"""The consent page at /connect/oauth2, used the way a browser would (GET the page, POST the form)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests
from intuitlib.enums import Scopes

from . import test_oauth
from .test_oauth import ACCOUNTING, OTHER_REALM, auth_client, company_name

sandbox = test_oauth.sandbox  # the same fixture: a served OAuthServer with two companies


def form_fields(page_html: str) -> dict[str, str]:
    """The hidden inputs of the consent form, as a browser would submit them."""
    fields = re.findall(r'<input type=hidden name="([^"]*)" value="([^"]*)">', page_html)
    return {unescape(k): unescape(v) for k, v in fields}


def test_browser_flow_approve_then_exchange_the_code(sandbox):
    client = auth_client(sandbox)
    url = client.get_authorization_url([Scopes.ACCOUNTING, Scopes.OPENID], state_token="st-42")
    page = requests.get(url, timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Sandbox Company_US_1" in page.text
    assert "Second &lt;b&gt;Co&lt;/b&gt; &amp; Sons" in page.text  # company names are escaped

    form = {**form_fields(page.text), "realm_id": OTHER_REALM, "action": "approve"}
    reply = requests.post(f"{sandbox.url}/connect/oauth2", data=form, allow_redirects=False, timeout=5)
    assert reply.status_code == 302
    location = urlsplit(reply.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == sandbox.config.redirect_uris[0]
    params = parse_qs(location.query)
    assert params["state"] == ["st-42"] and params["realmId"] == [OTHER_REALM]

    client.get_bearer_token(params["code"][0], realm_id=params["realmId"][0])
    assert client.id_token is not None
    assert company_name(sandbox, client, realm=OTHER_REALM)


def test_deny_redirects_with_access_denied(sandbox):
    url = auth_client(sandbox).get_authorization_url([Scopes.ACCOUNTING], state_token="st-1")
    form = {**form_fields(requests.get(url, timeout=5).text), "action": "deny"}
    reply = requests.post(f"{sandbox.url}/connect/oauth2", data=form, allow_redirects=False, timeout=5)
    assert reply.status_code == 302
    assert parse_qs(urlsplit(reply.headers["Location"]).query) == {
        "error": ["access_denied"],
        "state": ["st-1"],
    }


def test_bad_scope_redirects_with_invalid_scope(sandbox):
    params = {"client_id": sandbox.config.client_id, "response_type": "code", "state": "x",
              "scope": "openid com.example.all", "redirect_uri": sandbox.config.redirect_uris[0]}  # fmt: skip
    reply = requests.get(f"{sandbox.url}/connect/oauth2", params=params, allow_redirects=False, timeout=5)
    assert reply.status_code == 302
    assert parse_qs(urlsplit(reply.headers["Location"]).query)["error"] == ["invalid_scope"]


def test_unknown_client_or_redirect_uri_gets_a_400_page_and_no_redirect(sandbox):
    hostile = '"><script>alert(1)</script>'
    base = {"client_id": sandbox.config.client_id, "response_type": "code", "scope": ACCOUNTING,
            "redirect_uri": sandbox.config.redirect_uris[0], "state": hostile}  # fmt: skip
    for override in ({"client_id": "someone-else"}, {"redirect_uri": "https://evil.example/cb"}):
        reply = requests.get(
            f"{sandbox.url}/connect/oauth2", params={**base, **override}, allow_redirects=False, timeout=5
        )
        assert reply.status_code == 400 and "Location" not in reply.headers
        assert "<script>" not in reply.text
    page = requests.get(f"{sandbox.url}/connect/oauth2", params=base, timeout=5)
    assert page.status_code == 200 and "<script>alert" not in page.text
    assert form_fields(page.text)["state"] == hostile  # carried through intact, but escaped


def test_approving_a_company_that_does_not_exist_is_refused(sandbox):
    url = auth_client(sandbox).get_authorization_url([Scopes.ACCOUNTING], state_token="s")
    form = {**form_fields(requests.get(url, timeout=5).text), "realm_id": "123", "action": "approve"}
    reply = requests.post(f"{sandbox.url}/connect/oauth2", data=form, allow_redirects=False, timeout=5)
    assert reply.status_code == 400 and "Location" not in reply.headers
