"""The connect flow's admin pages: start (to Intuit), callback (back from Intuit), reconnect, disconnect.

Entry points only: ``integrations.services.connect_flow`` checks the answer and stores the tokens,
``connection_disconnect`` revokes them. Every page checks ``integrations.connect_qbo`` itself, so a
bookkeeper or front-desk user posting here directly gets a 403 and nothing happens.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from integrations.models.connection import QBOConnection
from integrations.services.connect_flow import ConnectFailed, connect_finish, connect_start
from integrations.services.connection import connection_disconnect

CONNECT_PERMISSION = "integrations.connect_qbo"


def can_connect(request) -> bool:
    """Managers (the role has every integrations permission) and superusers."""
    return request.user.is_active and request.user.has_perm(CONNECT_PERMISSION)


def _changelist():
    return redirect(reverse("admin:integrations_qboconnection_changelist"))


def _require_connect(model_admin, request) -> None:
    if not can_connect(request):
        raise PermissionDenied


def _to_intuit(model_admin, request, realm_id: str = ""):
    try:
        url = connect_start(session=request.session, realm_id=realm_id)
    except ConnectFailed as failed:
        model_admin.message_user(request, failed.message, messages.ERROR)
        return _changelist()
    return redirect(url)


def connect(model_admin, request):
    """POST from the "Connect to QuickBooks" button: off to Intuit's consent page."""
    _require_connect(model_admin, request)
    if request.method != "POST":
        return _changelist()
    return _to_intuit(model_admin, request)


def callback(model_admin, request):
    """Intuit redirects here (QBO_REDIRECT_URI) with ``code``, ``state`` and ``realmId``, or ``error``."""
    _require_connect(model_admin, request)
    try:
        connection = connect_finish(session=request.session, params=request.GET, actor=request.user)
    except ConnectFailed as failed:
        model_admin.message_user(request, failed.message, messages.ERROR)
        return _changelist()
    model_admin.log_change(request, connection, "Connected to QuickBooks (signed in at Intuit).")
    model_admin.message_user(
        request,
        f"Connected to QuickBooks company “{connection}”. Changes waiting in the queue are being sent now.",
        messages.SUCCESS,
    )
    return _changelist()


def _page(model_admin, request, connection, *, template: str, title: str):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "connection": connection,
    }
    return TemplateResponse(request, template, context)


def reconnect(model_admin, request, pk: int):
    """GET: explain what happens; POST: sign in again for the same company."""
    _require_connect(model_admin, request)
    connection = get_object_or_404(QBOConnection, pk=pk)
    if request.method == "POST":
        return _to_intuit(model_admin, request, realm_id=connection.realm_id)
    return _page(
        model_admin,
        request,
        connection,
        template="admin/integrations/qboconnection/reconnect.html",
        title=f"Reconnect {connection}",
    )


def disconnect(model_admin, request, pk: int):
    """GET: a confirmation page; POST: revoke the tokens and stop syncing (links and history stay)."""
    _require_connect(model_admin, request)
    connection = get_object_or_404(QBOConnection, pk=pk)
    if connection.status == QBOConnection.Status.DISCONNECTED:
        model_admin.message_user(request, f"“{connection}” is already disconnected.", messages.INFO)
        return _changelist()
    if request.method == "POST":
        connection_disconnect(connection=connection, actor=request.user)
        model_admin.log_change(request, connection, "Disconnected from QuickBooks (access revoked).")
        model_admin.message_user(
            request,
            f"Disconnected “{connection}”. Nothing more is sent to it; changes keep queueing and go out "
            "if you reconnect the same company.",
            messages.SUCCESS,
        )
        return _changelist()
    return _page(
        model_admin,
        request,
        connection,
        template="admin/integrations/qboconnection/disconnect.html",
        title=f"Disconnect {connection}?",
    )
