"""The HTTP side of the OAuth2/OpenID server (spec §8.2): discovery, token, revoke, userinfo, JWKS,
plus ``authenticate`` for the API routes (spec §5.2/§5.3)."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import authorize
from .flows import ACCOUNTING, OAuthError, TokenRejected, TokenService, needs_realm

DISCOVERY_PATHS = (
    "/.well-known/openid_sandbox_configuration",
    "/.well-known/openid_sandbox_configuration/",
    "/.well-known/openid_configuration",
    "/.well-known/openid_configuration/",
)


class AuthFailure(Exception):
    """Raised by ``authenticate``; ``response`` is the exact reply QBO's gateway would give."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def intuit_tid() -> str:
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=status, content_type="application/json")
    response.headers["intuit_tid"] = intuit_tid()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class OAuthServer:
    def __init__(self, db, clock, config) -> None:
        self.db, self.clock, self.config = db, clock, config
        self.tokens = TokenService(db, clock, config)

    def rules(self) -> list[Rule]:
        rules = [Rule(path, endpoint=self.discovery, methods=["GET"]) for path in DISCOVERY_PATHS]
        rules += [
            Rule("/connect/oauth2", endpoint=self.authorize_page, methods=["GET", "POST"]),
            Rule("/oauth2/v1/tokens/bearer", endpoint=self.token, methods=["POST"]),
            Rule("/v2/oauth2/tokens/revoke", endpoint=self.revoke, methods=["POST"]),
            Rule("/v1/openid_connect/userinfo", endpoint=self.userinfo, methods=["GET"]),
            Rule("/op/v1/jwks", endpoint=self.jwks, methods=["GET"]),
        ]
        if self.config.test_hooks:
            rules += [
                Rule("/__sandbox/oauth/approve", endpoint=self.hook_approve, methods=["POST"]),
                Rule("/__sandbox/oauth/admin_access", endpoint=self.hook_admin_access, methods=["POST"]),
            ]
        return rules

    # -- contract used by the API server --------------------------------------------------------
    def approve(self, client_id, redirect_uri, realm_id, scope, state) -> str:
        return self.tokens.approve(client_id, redirect_uri, realm_id, scope, state)

    def authenticate(self, request: Request, realm_id: str) -> str:
        """The client_id of a valid bearer token for ``realm_id``; otherwise ``AuthFailure``."""
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise TokenRejected("malformed")
            row = self.tokens.check_access(value.strip())
        except TokenRejected as rejected:
            raise AuthFailure(self._unauthorized(rejected.reason, value.strip())) from None
        if row["realm_id"] != str(realm_id) or ACCOUNTING not in row["scope"].split():
            raise AuthFailure(self._forbidden())
        if self.tokens.admin_lost(str(realm_id)):
            raise AuthFailure(self._admin_lost())
        return row["client_id"]

    def _gateway_envelope(self, message: str, detail, code: str, type_: str) -> dict:
        error = {"message": message, "detail": detail, "code": code, "element": None}
        return {
            "warnings": None, "intuitObject": None, "fault": {"error": [error], "type": type_},
            "report": None, "queryResponse": None, "batchItemResponse": [], "attachableResponse": [],
            "syncErrorResponse": None, "requestId": None, "time": int(self.clock.timestamp() * 1000),
            "status": None, "cdcresponse": [],
        }  # fmt: skip

    def _unauthorized(self, reason: str, value: str) -> Response:
        detail = {
            "malformed": "Malformed bearer token: too short or too long",
            "revoked": "Token revoked",
        }.get(reason, f"Token expired: {value[:10]}")
        body = self._gateway_envelope(
            "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail, "3200", "AUTHENTICATION"
        )
        return json_response(body, 401, {"WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"'})

    def _forbidden(self) -> Response:
        message = "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403"
        return json_response(self._gateway_envelope(message, None, "3100", "SERVICE"), 403)

    def _admin_lost(self) -> Response:
        now = self.clock.now().astimezone(ZoneInfo(self.config.company_tz))
        error = {
            "Message": "Authorization Failure",
            "Detail": "AuthorizationFailure: -11014-You do not have access to use QuickBooks Online Plus.",
            "code": "120",
            "element": "",
        }
        body = {
            "Fault": {"Error": [error], "type": "AuthorizationFault"},
            "time": now.isoformat(timespec="milliseconds"),
        }
        return json_response(body, 401)

    # -- endpoints ------------------------------------------------------------------------------
    def discovery(self, request: Request) -> Response:
        base = self.config.base_url
        return json_response(
            {
                "issuer": self.tokens.issuer,
                "authorization_endpoint": f"{base}/connect/oauth2",
                "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
                "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
                "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
                "jwks_uri": f"{base}/op/v1/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile", "address", "phone"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
            }
        )

    def authorize_page(self, request: Request) -> Response:
        response = authorize.handle(self.tokens, request)
        response.headers["intuit_tid"] = intuit_tid()
        return response

    def _client(self, request: Request, params) -> str:
        """Authenticate the app (HTTP Basic or client_secret_post); return its client_id."""
        client_id = client_secret = None
        header = request.headers.get("Authorization", "")
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            client_id, _, client_secret = decoded.partition(":")
        elif params.get("client_id"):
            client_id, client_secret = params.get("client_id"), params.get("client_secret") or ""
        ok = client_id == self.config.client_id and hmac.compare_digest(
            (client_secret or "").encode(), self.config.client_secret.encode()
        )
        if not ok:
            raise OAuthError("invalid_client", "client authentication failed", status=401)
        return client_id

    def _oauth_error(self, err: OAuthError) -> Response:
        body = {"error": err.error}
        if err.description:
            body["error_description"] = err.description
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if err.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="Intuit"'
        return json_response(body, err.status, headers)

    def token(self, request: Request) -> Response:
        form = request.form
        include_hard = request.headers.get("x-include-refresh-token-hard-expires-in", "").lower() == "true"
        try:
            client_id = self._client(request, form)
            grant_type = form.get("grant_type")
            if not grant_type:
                raise OAuthError("invalid_request", "grant_type is required")
            if grant_type == "authorization_code":
                code, redirect_uri = form.get("code"), form.get("redirect_uri")
                if not code or not redirect_uri:
                    raise OAuthError("invalid_request", "code and redirect_uri are required")
                body = self.tokens.exchange_code(client_id, code, redirect_uri, include_hard)
            elif grant_type == "refresh_token":
                if not form.get("refresh_token"):
                    raise OAuthError("invalid_request", "refresh_token is required")
                body = self.tokens.refresh(client_id, form["refresh_token"], include_hard)
            else:
                raise OAuthError("unsupported_grant_type", "use authorization_code or refresh_token")
        except OAuthError as err:
            return self._oauth_error(err)
        return json_response(body, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def revoke(self, request: Request) -> Response:
        payload = request.get_json(silent=True)
        params = payload if isinstance(payload, dict) else request.form
        try:
            client_id = self._client(request, params)
            token = params.get("token")
            if not token or not isinstance(token, str):
                raise OAuthError("invalid_request", "token is required")
            self.tokens.revoke(client_id, token)
        except OAuthError as err:
            return self._oauth_error(err)
        response = Response(b"", status=200)  # intuit-oauth copies any JSON body onto the AuthClient
        response.headers["intuit_tid"] = intuit_tid()
        return response

    def userinfo(self, request: Request) -> Response:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        try:
            row = self.tokens.check_access(value.strip() if scheme.lower() == "bearer" else None)
        except TokenRejected:
            row = None
        scopes = set(row["scope"].split()) if row else set()
        if "openid" not in scopes:
            return json_response(
                {"error": "invalid_token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
        cfg = self.config
        info = {"sub": self.tokens.user_sub}
        if "profile" in scopes:
            info.update(givenName=cfg.oauth_user_given_name, familyName=cfg.oauth_user_family_name)
        if "email" in scopes:
            info.update(email=cfg.oauth_user_email, emailVerified=True)
        if "phone" in scopes:
            info.update(phoneNumber=cfg.oauth_user_phone, phoneNumberVerified=True)
        if "address" in scopes:
            info["address"] = {
                "streetAddress": "2700 Coast Avenue", "locality": "Mountain View", "region": "CA",
                "postalCode": "94043", "country": "US",
            }  # fmt: skip
        return json_response(info)

    def jwks(self, request: Request) -> Response:
        return json_response(self.tokens.key.jwks())

    # -- test hooks (config.test_hooks only) ----------------------------------------------------
    def hook_approve(self, request: Request) -> Response:
        data = request.get_json(silent=True) or {}
        cfg = self.config
        client_id = data.get("client_id", cfg.client_id)
        redirect_uri = data.get("redirect_uri", cfg.redirect_uris[0] if cfg.redirect_uris else None)
        realm_id = str(data.get("realm_id") or cfg.seed_realm_id)
        scope = data.get("scope", "com.intuit.quickbooks.accounting")
        try:
            code = self.approve(client_id, redirect_uri, realm_id, scope, data.get("state"))
        except OAuthError as err:
            return self._oauth_error(err)
        granted_realm = realm_id if needs_realm(scope) else None
        return json_response({"code": code, "state": data.get("state"), "realmId": granted_realm})

    def hook_admin_access(self, request: Request) -> Response:
        """``{"realm_id": ..., "admin": false}``: the connecting user lost admin rights (error 120)."""
        data = request.get_json(silent=True) or {}
        if not data.get("realm_id"):
            return json_response({"error": "realm_id is required"}, 400)
        self.tokens.set_admin_lost(str(data["realm_id"]), not data.get("admin", True))
        return json_response({"realm_id": str(data["realm_id"]), "admin": bool(data.get("admin", True))})
