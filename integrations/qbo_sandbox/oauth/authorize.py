"""``/connect/oauth2``: Intuit's consent page, as a real HTML form.

GET shows the app, the requested scopes and the companies (realm table) to choose from; the form
POSTs back here and the answer is a 302 to the app's redirect_uri with ``code``, ``state`` and
``realmId`` (or ``error=access_denied``). An unknown client or unregistered redirect_uri gets a
400 page and no redirect, exactly as Intuit refuses to redirect to an unverified URI.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.wrappers import Request, Response

from ..templates_html import esc, hidden_inputs, page
from .flows import OAuthError, needs_realm, parse_scope

SCOPE_LABELS = {
    "com.intuit.quickbooks.accounting": "Read and write your QuickBooks company data (accounting)",
    "com.intuit.quickbooks.payment": "Process payments (QuickBooks Payments)",
    "openid": "Sign you in with your Intuit account",
    "profile": "Your name",
    "email": "Your email address",
    "phone": "Your phone number",
    "address": "Your address",
    "intuit_name": "Your Intuit user name",
}


def redirect(uri: str, params: dict[str, str | None]) -> Response:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    response = Response("", status=302)
    response.headers["Location"] = urlunsplit(parts._replace(query=urlencode(query)))
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(message: str, status: int = 400) -> Response:
    body = (
        "<h1>This app can't connect to QuickBooks</h1>"
        f'<p class="error">{esc(message)}</p>'
        '<p class="muted">Check the client ID and the redirect URI registered for the sandbox app.</p>'
    )
    return page("Connection error", body, status)


def consent_page(tokens, fields: dict, scope: str, error: str = "") -> Response:
    realms = tokens.realms()
    scope_items = "".join(f"<li>{esc(SCOPE_LABELS.get(s, s))}</li>" for s in scope.split())
    body = [
        f"<h1>Connect {esc(fields['client_id'])} to QuickBooks</h1>",
        f'<p class="error">{esc(error)}</p>' if error else "",
        "<p>This app is asking to:</p>",
        f'<ul class="scopes">{scope_items}</ul>',
        '<form method="post" action="/connect/oauth2">',
        hidden_inputs(fields),
    ]
    can_approve = True
    if needs_realm(scope):
        if realms:
            body.append("<fieldset><legend>Choose a company</legend>")
            for index, (realm_id, name) in enumerate(realms):
                checked = " checked" if index == 0 else ""
                body.append(
                    f'<label><input type=radio name=realm_id value="{esc(realm_id)}"{checked}> '
                    f'{esc(name)} <span class="muted">(realm {esc(realm_id)})</span></label>'
                )
            body.append("</fieldset>")
        else:
            can_approve = False
            body.append('<p class="error">There is no company in this sandbox to connect to.</p>')
    body.append('<div class="buttons">')
    if can_approve:
        body.append('<button class="primary" type=submit name=action value=approve>Connect</button>')
    body.append("<button type=submit name=action value=deny>Cancel</button></div></form>")
    body.append(f'<p class="muted">Redirects to {esc(fields["redirect_uri"])}</p>')
    return page("Authorize app", "".join(body), 400 if error else 200)


def handle(tokens, request: Request) -> Response:
    params = request.form if request.method == "POST" else request.args
    fields = {k: params.get(k, "") for k in ("client_id", "redirect_uri", "response_type", "scope", "state")}
    state = fields["state"] or None
    try:
        tokens.check_client(fields["client_id"], fields["redirect_uri"])
    except OAuthError as err:
        return error_page(err.description)
    redirect_uri = fields["redirect_uri"]
    if fields["response_type"] != "code":
        return redirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
    try:
        scope = parse_scope(fields["scope"])
    except OAuthError:
        return redirect(redirect_uri, {"error": "invalid_scope", "state": state})

    if request.method == "GET":
        if not tokens.config.authorize_auto_approve:
            return consent_page(tokens, fields, scope)
        realm_ids = [rid for rid, _ in tokens.realms()]
        realm_id = tokens.config.seed_realm_id if tokens.config.seed_realm_id in realm_ids else None
        realm_id = realm_id or (realm_ids[0] if realm_ids else None)
    else:
        action = params.get("action")
        if action == "deny":
            return redirect(redirect_uri, {"error": "access_denied", "state": state})
        if action != "approve":
            return error_page("Choose Connect or Cancel.")
        realm_id = params.get("realm_id") or None
    try:
        code = tokens.approve(fields["client_id"], redirect_uri, realm_id, scope, state)
    except OAuthError as err:
        return consent_page(tokens, fields, scope, error=err.description)
    realm = realm_id if needs_realm(scope) else None
    return redirect(redirect_uri, {"code": code, "state": state, "realmId": realm})
