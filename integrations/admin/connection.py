"""Admin for the QuickBooks connection: see each company's state; managers connect, reconnect, disconnect.

Read-only as a model admin (a connection only comes from the OAuth flow and is never deleted, so its
history stays); the buttons lead to ``connection_views``, which check ``integrations.connect_qbo``.
Tokens are not model-form fields (``editable=False``) and are never displayed.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from integrations.admin import connection_views
from integrations.admin.connection_views import can_connect
from integrations.models.connection import QBOConnection
from integrations.selectors.connection import connection_state, connections_with_queue
from integrations.services.connection import refresh_token_expiring
from syncportal.admin_readonly import SystemRecordAdminMixin


# Connections come from "Connect to QuickBooks"; "Disconnect" revokes and keeps the history.
@admin.register(QBOConnection)
class QBOConnectionAdmin(SystemRecordAdminMixin, admin.ModelAdmin):
    list_display = (
        "company",
        "realm_id",
        "state",
        "access_token_expiry",
        "refresh_token_expiry",
        "queue_depth",
        "last_push_at",
        "buttons",
    )
    list_display_links = ("company",)
    list_filter = ("status", "environment", "sync_enabled")
    search_fields = ("company_name", "realm_id")
    list_select_related = ("connected_by",)
    show_facets = admin.ShowFacets.ALWAYS
    fields = (
        "company_name",
        "realm_id",
        "environment",
        "status",
        "status_message",
        "sync_enabled",
        "paused_until",
        "pause_reason",
        "access_token_expires_at",
        "refresh_token_expires_at",
        "connected_by",
        "connected_at",
        "last_push_at",
        "last_pull_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return connections_with_queue().select_related("connected_by")

    @admin.display(description="company", ordering="company_name")
    def company(self, obj):
        return str(obj)

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        key, words = connection_state(obj)
        colour = {"connected": "#2e7d32", "needs_reconnect": "#ba2121", "paused": "#b26a00"}.get(key, "#666")
        return format_html('<strong style="color:{}">{}</strong>', colour, words)

    @admin.display(description="access token expires", ordering="access_token_expires_at")
    def access_token_expiry(self, obj):
        if obj.status == QBOConnection.Status.DISCONNECTED:
            return "—"
        return _when(obj.access_token_expires_at)

    @admin.display(description="sign-in (refresh token) expires", ordering="refresh_token_expires_at")
    def refresh_token_expiry(self, obj):
        if not obj.refresh_token_expires_at or obj.status == QBOConnection.Status.DISCONNECTED:
            return "—"
        text = _when(obj.refresh_token_expires_at)
        if refresh_token_expiring(obj):
            return format_html('<strong style="color:#b26a00">{} — reconnect soon</strong>', text)
        return text

    @admin.display(description="changes waiting", ordering="queue_depth")
    def queue_depth(self, obj):
        return obj.queue_depth

    @admin.display(description="")
    def buttons(self, obj):
        links = []
        if obj.status != QBOConnection.Status.CONNECTED:
            links.append(("Reconnect", reverse("admin:integrations_qboconnection_reconnect", args=[obj.pk])))
        if obj.status != QBOConnection.Status.DISCONNECTED:
            links.append(
                ("Disconnect", reverse("admin:integrations_qboconnection_disconnect", args=[obj.pk]))
            )
        return format_html_join(
            " ", '<a class="button" href="{}">{}</a>', ((url, label) for label, url in links)
        )

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if can_connect(request) else tuple(f for f in shown if f != "buttons")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("connect/", view(self.connect_view), name="integrations_qboconnection_connect"),
            # The redirect URI registered with Intuit (settings.QBO_REDIRECT_URI): keep this path.
            path("callback/", view(self.callback_view), name="integrations_qboconnection_callback"),
            path(
                "<int:pk>/reconnect/", view(self.reconnect_view), name="integrations_qboconnection_reconnect"
            ),
            path(
                "<int:pk>/disconnect/",
                view(self.disconnect_view),
                name="integrations_qboconnection_disconnect",
            ),
            *super().get_urls(),
        ]

    def connect_view(self, request):
        return connection_views.connect(self, request)

    def callback_view(self, request):
        return connection_views.callback(self, request)

    def reconnect_view(self, request, pk):
        return connection_views.reconnect(self, request, pk)

    def disconnect_view(self, request, pk):
        return connection_views.disconnect(self, request, pk)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"can_connect": can_connect(request), **(extra_context or {})}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_connect": can_connect(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"
