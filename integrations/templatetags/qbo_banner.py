"""``{% qbo_banner %}``: the QuickBooks warning shown on every admin page (templates/admin/base_site.html)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from integrations.admin.connection_views import can_connect
from integrations.selectors.connection import NEEDS_RECONNECT, connection_alerts

register = template.Library()


@register.inclusion_tag("admin/integrations/qbo_banner.html", takes_context=True)
def qbo_banner(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"alerts": []}
    manager = can_connect(request)
    alerts = []
    for alert in connection_alerts():
        url = reverse("admin:integrations_qboconnection_reconnect", args=[alert.pk]) if manager else ""
        alerts.append(
            {
                "company": alert.company,
                "reconnect": alert.kind == NEEDS_RECONNECT,
                "expires_at": alert.expires_at,
                "url": url,
            }
        )
    return {"alerts": alerts}
