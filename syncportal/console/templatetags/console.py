"""Template tags that put console sections into admin pages without touching their ModelAdmins."""

from __future__ import annotations

from django import template

from customers.selectors import customer_family_tree
from sales.selectors import customer_ledger
from syncportal.console import charts
from syncportal.console.links import change_url
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


TIMELINE_SHOWN = 200  # newest rows shown; the running balance is still computed over all of them


@register.inclusion_tag("console/customer_history.html", takes_context=True)
def customer_history(context, customer):
    """The customer page's read-only history: account timeline with running balance, and family tree."""
    user = context["request"].user
    ledger = customer_ledger(customer=customer)
    shown = ledger[-TIMELINE_SHOWN:]
    rows = [(entry, change_url(user, entry.entity, entry.pk)) for entry in reversed(shown)]
    return {
        "customer": customer,
        "rows": rows,
        "hidden": len(ledger) - len(shown),
        "final_balance": ledger[-1].balance if ledger else None,
        "tree": [
            (node, change_url(user, "customers.customer", node.pk))
            for node in customer_family_tree(customer=customer)
        ],
    }
