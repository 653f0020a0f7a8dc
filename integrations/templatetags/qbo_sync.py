"""``{% qbo_sync_panel original %}``: the "QuickBooks sync" section of a record's admin page.

Domain apps never import ``integrations``; their change-form templates (in templates/admin/<app>/)
load this tag, so the sales and customer admins stay unaware of the sync engine.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from integrations.selectors.record_sync import record_sync_state

register = template.Library()


@register.inclusion_tag("admin/integrations/record_sync_panel.html", takes_context=True)
def qbo_sync_panel(context, record):
    if record is None or getattr(record, "pk", None) is None:
        return {"state": None}
    entity = record._meta.label_lower
    user = context["request"].user
    can_see_failures = user.has_perm("integrations.view_syncfailure")
    can_see_conflicts = user.has_perm("integrations.view_syncconflict")
    can_see_events = user.has_perm("integrations.view_syncevent")
    return {
        "state": record_sync_state(entity=entity, object_id=record.pk),
        "failures_url": reverse("admin:integrations_syncfailure_changelist") if can_see_failures else "",
        "conflicts_url": reverse("admin:integrations_syncconflict_changelist") if can_see_conflicts else "",
        "events_url": (
            f"{reverse('admin:integrations_syncevent_changelist')}?entity={entity}&object_id={record.pk}"
            if can_see_events
            else ""
        ),
    }
