"""Template tags that put console sections into admin pages without touching their ModelAdmins."""

from __future__ import annotations

from django import template

from syncportal.console import charts
from syncportal.console.selectors.dashboard import dashboard_for

register = template.Library()


@register.inclusion_tag("console/dashboard.html", takes_context=True)
def sync_dashboard(context):
    request = context["request"]
    board = dashboard_for(user=request.user)
    return {
        "board": board,
        "events_chart": charts.events_per_hour(board.hourly, start=board.window_start)
        if board.can_see_sync
        else None,
        "latency_chart": charts.latency_per_day(board.latency) if board.can_see_sync else None,
    }


@register.filter
def duration(ms):
    return charts.format_ms(ms)


@register.filter
def percent(share):
    return "–" if share is None else f"{share * 100:.1f}%"
