"""The sandbox's OAuth2/OpenID server, driven by the real intuit-oauth AuthClient and python-quickbooks."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.exceptions import AuthorizationException, QuickbooksException
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from integrations.qbo_sandbox.clock import SandboxClock
from integrations.qbo_sandbox.config import SandboxConfig
from integrations.qbo_sandbox.db import SandboxDB
from integrations.qbo_sandbox.oauth import AuthFailure, OAuthServer

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

REALM, OTHER_REALM = "9341450000000001", "9341450000000002"
ACCOUNTING = "com.intuit.quickbooks.accounting"
DAY = 86400


@dataclass
class Sandbox:
    config: SandboxConfig
    db: SandboxDB
    clock: SandboxClock
    oauth: OAuthServer
    url: str


def add_realms(db: SandboxDB) -> None:
    with db.transaction() as conn:
        for realm_id, name in ((REALM, "Sandbox Company_US_1"), (OTHER_REALM, "Second <b>Co</b> & Sons")):
            conn.execute(
                "INSERT OR IGNORE INTO realm(id, company_name, created_at) VALUES (?, ?, '2026-01-01')",
                (realm_id, name),
            )


def serve(oauth: OAuthServer, config: SandboxConfig):
    """A minimal WSGI app: the OAuth rules plus one API route that calls ``authenticate``."""

    def company_info(request, realm_id, entity_id):
        try:
            oauth.authenticate(request, realm_id)
        except AuthFailure as failure:
            return failure.response
        body = {"CompanyInfo": {"Id": entity_id, "CompanyName": "Sandbox Company_US_1"}, "time": "now"}
        return Response(json.dumps(body), content_type="application/json")

    url_map = Map(
        [*oauth.rules(), Rule("/v3/company/<realm_id>/companyinfo/<entity_id>", endpoint=company_info)]
    )

    def app(environ, start_response):
        request = Request(environ)
        try:
            endpoint, values = url_map.bind_to_environ(environ).match()
            response = endpoint(request, **values)
        except HTTPException as exc:
            response = exc
        return response(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    config.port = server.server_port
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


_signing_key: list[str] = []  # one generated RSA key reused by later sandboxes: keeps the suite fast


@pytest.fixture
def sandbox(tmp_path):
    config = SandboxConfig(test_hooks=True, data_path=str(tmp_path / "sandbox.sqlite3"))
    db, clock = SandboxDB(config.data_path), SandboxClock()
    add_realms(db)
    if _signing_key:
        db.set_meta("oauth.rsa_private_key_pem", _signing_key[0])
    oauth = OAuthServer(db, clock, config)
    _signing_key[:] = [db.get_meta("oauth.rsa_private_key_pem")]
    server = serve(oauth, config)
    yield Sandbox(config, db, clock, oauth, config.base_url)
    server.shutdown()


def auth_client(sb: Sandbox, **kwargs) -> AuthClient:
    return AuthClient(
        client_id=sb.config.client_id,
        client_secret=kwargs.pop("client_secret", sb.config.client_secret),
        redirect_uri=sb.config.redirect_uris[0],
        environment=sb.config.discovery_url,
        **kwargs,
    )


def approve(sb: Sandbox, scope=ACCOUNTING, realm=REALM) -> str:
    reply = requests.post(
        f"{sb.url}/__sandbox/oauth/approve",
        json={"realm_id": realm, "scope": scope, "state": "s1"},
        timeout=5,
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["state"] == "s1"
    return reply.json()["code"]


def connect(sb: Sandbox, scope=ACCOUNTING, realm=REALM) -> AuthClient:
    client = auth_client(sb)
    client.get_bearer_token(approve(sb, scope, realm), realm_id=realm)
    return client


def company_name(sb: Sandbox, client: AuthClient, realm=REALM) -> str:
    qb = QuickBooks(auth_client=client, refresh_token=client.refresh_token, company_id=realm, minorversion=75)
    qb.api_url_v3 = qb.sandbox_api_url_v3 = f"{sb.url}/v3"
    return qb.get_single_object("CompanyInfo", realm)["CompanyInfo"]["CompanyName"]


def oauth_error(excinfo) -> tuple[int, str]:
    return excinfo.value.status_code, json.loads(excinfo.value.content)["error"]


def token_post(sb: Sandbox, data: dict, auth=None, headers=None) -> requests.Response:
    auth = auth if auth is not None else (sb.config.client_id, sb.config.client_secret)
    return requests.post(
        f"{sb.url}/oauth2/v1/tokens/bearer", data=data, auth=auth, headers=headers, timeout=5
    )


def test_discovery_documents_point_at_the_sandbox(sandbox):
    for path in ("openid_sandbox_configuration", "openid_configuration"):
        for suffix in ("", "/"):
            reply = requests.get(f"{sandbox.url}/.well-known/{path}{suffix}", timeout=5)
            assert reply.status_code == 200
            doc = reply.json()
            assert doc["issuer"] == f"{sandbox.url}/op/v1"
            assert doc["token_endpoint"] == f"{sandbox.url}/oauth2/v1/tokens/bearer"
            assert doc["jwks_uri"] == f"{sandbox.url}/op/v1/jwks"
            assert reply.headers["intuit_tid"]


def test_code_exchange_with_openid_gives_validated_id_token_and_api_access(sandbox):
    client = connect(sandbox, scope=f"{ACCOUNTING} openid email profile")
    assert client.id_token is not None  # intuit-oauth stores it only after checking iss, aud, exp and RS256
    assert client.expires_in == 3600 and client.x_refresh_token_expires_in == 8726400
    assert company_name(sandbox, client) == "Sandbox Company_US_1"
    info = client.get_user_info().json()
    assert info["email"] == sandbox.config.oauth_user_email and info["givenName"] == "Sandbox"


def test_token_body_has_exactly_the_standard_keys(sandbox):
    reply = token_post(sandbox, {"grant_type": "authorization_code", "code": approve(sandbox),
                                 "redirect_uri": sandbox.config.redirect_uris[0]})  # fmt: skip
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {
        "token_type",
        "access_token",
        "refresh_token",
        "expires_in",
        "x_refresh_token_expires_in",
    }
    assert reply.headers["intuit_tid"]
    hard = token_post(sandbox, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
                      headers={"x-include-refresh-token-hard-expires-in": "true"}).json()  # fmt: skip
    assert hard["x_refresh_token_hard_expires_in"] == pytest.approx(157680000, abs=5)
    assert "id_token" not in hard


def test_userinfo_needs_openid_scope(sandbox):
    client = connect(sandbox)
    with pytest.raises(AuthClientError) as excinfo:
        client.get_user_info()
    assert excinfo.value.status_code == 401


def test_codes_are_single_use_expire_and_bind_the_redirect_uri(sandbox):
    code = approve(sandbox)
    connect_once = auth_client(sandbox)
    connect_once.get_bearer_token(code, realm_id=REALM)
    with pytest.raises(AuthClientError) as excinfo:
        auth_client(sandbox).get_bearer_token(code, realm_id=REALM)
    assert oauth_error(excinfo) == (400, "invalid_grant")

    stale = approve(sandbox)
    sandbox.clock.advance(sandbox.config.auth_code_ttl + 1)
    with pytest.raises(AuthClientError) as excinfo:
        auth_client(sandbox).get_bearer_token(stale, realm_id=REALM)
    assert oauth_error(excinfo) == (400, "invalid_grant")

    other_uri = token_post(sandbox, {"grant_type": "authorization_code", "code": approve(sandbox),
                                     "redirect_uri": sandbox.config.redirect_uris[1]})  # fmt: skip
    assert (other_uri.status_code, other_uri.json()["error"]) == (400, "invalid_grant")


def test_client_authentication_and_request_errors(sandbox):
    with pytest.raises(AuthClientError) as excinfo:
        auth_client(sandbox, client_secret="wrong").get_bearer_token(approve(sandbox), realm_id=REALM)
    assert oauth_error(excinfo) == (401, "invalid_client")
    # client_secret_post works as well as Basic
    code = approve(sandbox)
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": sandbox.config.redirect_uris[0],
            "client_id": sandbox.config.client_id, "client_secret": sandbox.config.client_secret}  # fmt: skip
    assert token_post(sandbox, body, auth=()).status_code == 200
    assert token_post(sandbox, {"grant_type": "password"}).json()["error"] == "unsupported_grant_type"
    missing = token_post(sandbox, {"grant_type": "authorization_code"})
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")


def test_access_token_expires_after_an_hour_of_sandbox_time(sandbox):
    client = connect(sandbox)
    sandbox.clock.advance(3599)
    assert company_name(sandbox, client)
    sandbox.clock.advance(2)
    with pytest.raises(AuthorizationException) as excinfo:
        company_name(sandbox, client)
    detail = json.loads(excinfo.value.detail)["fault"]["error"][0]
    assert detail["code"] == "3200" and detail["detail"] == f"Token expired: {client.access_token[:10]}"
    client.refresh()  # the application's recovery path
    assert company_name(sandbox, client)


def test_token_for_another_realm_is_forbidden(sandbox):
    client = connect(sandbox, realm=OTHER_REALM)
    with pytest.raises(QuickbooksException) as excinfo:
        company_name(sandbox, client, realm=REALM)
    assert "403" in excinfo.value.message and "003100" in excinfo.value.message


def test_missing_or_malformed_header_gets_the_401_envelope(sandbox):
    for headers in ({}, {"Authorization": "Bearer short"}, {"Authorization": "Basic abc"}):
        reply = requests.get(
            f"{sandbox.url}/v3/company/{REALM}/companyinfo/{REALM}", headers=headers, timeout=5
        )
        assert reply.status_code == 401
        assert reply.json()["fault"]["error"][0]["code"] == "3200"


def test_revoke_disconnects_the_app(sandbox):
    client = connect(sandbox)
    access, refresh = client.access_token, client.refresh_token
    assert client.revoke(token=refresh) is True
    client.access_token = access
    with pytest.raises(AuthorizationException) as excinfo:
        company_name(sandbox, client)
    assert json.loads(excinfo.value.detail)["fault"]["error"][0]["detail"] == "Token revoked"
    with pytest.raises(AuthClientError) as excinfo:
        client.refresh(refresh_token=refresh)
    assert oauth_error(excinfo) == (400, "invalid_grant")
    with pytest.raises(AuthClientError) as excinfo:
        client.revoke(token="AB11unknown-token-value-000000000")
    assert excinfo.value.status_code == 400


def test_rotation_always_issues_new_values_and_kills_the_old_one(sandbox):
    sandbox.config.refresh_rotation = "always"
    client = connect(sandbox)
    first = client.refresh_token
    client.refresh()
    assert client.refresh_token != first
    with pytest.raises(AuthClientError) as excinfo:
        client.refresh(refresh_token=first)
    assert oauth_error(excinfo) == (400, "invalid_grant")
    assert company_name(sandbox, client)


def test_rotation_never_keeps_the_value(sandbox):
    sandbox.config.refresh_rotation = "never"
    client = connect(sandbox)
    first, first_access = client.refresh_token, client.access_token
    sandbox.clock.advance(3 * DAY)
    client.refresh()
    assert client.refresh_token == first and client.access_token != first_access


def test_rotation_intuit_changes_daily_with_a_grace_period(sandbox):
    client = connect(sandbox)
    first = client.refresh_token
    sandbox.clock.advance(3600)
    client.refresh()
    assert client.refresh_token == first  # same value within 24 h
    sandbox.clock.advance(DAY)
    client.refresh()
    second = client.refresh_token
    assert second != first
    sandbox.clock.advance(3600)
    client.refresh(refresh_token=first)  # previous value still accepted during the grace period ...
    assert client.refresh_token == second  # ... and answers with the current value
    sandbox.clock.advance(DAY)
    with pytest.raises(AuthClientError) as excinfo:
        client.refresh(refresh_token=first)
    assert oauth_error(excinfo) == (400, "invalid_grant")


@pytest.mark.parametrize("mode", ["intuit", "always"])
def test_concurrent_refreshes_with_the_same_token(sandbox, mode):
    sandbox.config.refresh_rotation = mode
    sandbox.clock.advance(0)
    refresh = connect(sandbox).refresh_token
    sandbox.clock.advance(2 * DAY)  # intuit mode: the value is due for rotation
    barrier, replies = threading.Barrier(2), []

    def worker():
        barrier.wait()
        replies.append(token_post(sandbox, {"grant_type": "refresh_token", "refresh_token": refresh}))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in replies)
    if mode == "always":
        assert statuses == [200, 400]
    else:
        assert statuses == [200, 200]
        a, b = (r.json() for r in replies)
        assert (a["access_token"], a["refresh_token"]) == (b["access_token"], b["refresh_token"])
        assert a["refresh_token"] != refresh


def test_refresh_token_rolls_and_has_a_hard_cap(sandbox):
    client = connect(sandbox)
    sandbox.clock.advance(90 * DAY)
    client.refresh()  # each refresh restarts the 101-day window
    sandbox.clock.advance(90 * DAY)
    client.refresh()
    sandbox.clock.advance(102 * DAY)
    with pytest.raises(AuthClientError) as excinfo:
        client.refresh()
    assert oauth_error(excinfo) == (400, "invalid_grant")

    sandbox.config.refresh_token_hard_ttl = 10 * DAY
    capped = connect(sandbox)
    assert capped.x_refresh_token_expires_in == 10 * DAY
    sandbox.clock.advance(10 * DAY)
    with pytest.raises(AuthClientError) as excinfo:
        capped.refresh()
    assert oauth_error(excinfo) == (400, "invalid_grant")


def test_admin_lost_gives_error_120(sandbox):
    client = connect(sandbox)
    requests.post(
        f"{sandbox.url}/__sandbox/oauth/admin_access", json={"realm_id": REALM, "admin": False}, timeout=5
    )
    with pytest.raises(AuthorizationException) as excinfo:
        company_name(sandbox, client)
    assert json.loads(excinfo.value.detail)["Fault"]["Error"][0]["code"] == "120"


def test_keys_and_tokens_survive_a_restart(sandbox):
    client = connect(sandbox, scope=f"{ACCOUNTING} openid")
    kid = requests.get(f"{sandbox.url}/op/v1/jwks", timeout=5).json()["keys"][0]["kid"]
    restarted = OAuthServer(SandboxDB(sandbox.config.data_path), sandbox.clock, sandbox.config)
    assert restarted.tokens.key.kid == kid
    environ = EnvironBuilder(headers={"Authorization": f"Bearer {client.access_token}"}).get_environ()
    assert restarted.authenticate(Request(environ), REALM) == sandbox.config.client_id


def test_hooks_are_absent_without_test_hooks(tmp_path):
    config = SandboxConfig(test_hooks=False, data_path=str(tmp_path / "s.sqlite3"))
    db = SandboxDB(config.data_path)
    if _signing_key:
        db.set_meta("oauth.rsa_private_key_pem", _signing_key[0])
    server = serve(OAuthServer(db, SandboxClock(), config), config)
    try:
        reply = requests.post(f"{config.base_url}/__sandbox/oauth/approve", json={}, timeout=5)
        assert reply.status_code == 404
    finally:
        server.shutdown()
