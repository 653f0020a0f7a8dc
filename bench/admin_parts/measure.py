"""Renders the pages through the test client and prints server time and query count for each."""

from __future__ import annotations

import time
from statistics import median

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from syncportal.access.roles import ROLES

SEARCH = "Smith"
ROUNDS = 3


def _users():
    User = get_user_model()
    users = {}
    for role in ROLES:
        user, _ = User.objects.get_or_create(username=f"bench-{role.lower()}", defaults={"is_staff": True})
        user.groups.set([Group.objects.get(name=role)])
        users[role] = user
    return users


def _time(client: Client, url: str) -> tuple[float, int, int]:
    first = client.get(url)
    if first.status_code == 302:  # e.g. "All" on the review queue lands on its default filter
        url = first.url
    timings, queries, status = [], 0, 0
    for _ in range(ROUNDS):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    return min(timings), queries, status


def _filtered_url(client: Client, url: str) -> str | None:
    """The first filter choice the changelist itself offers (what a person would click)."""
    response = client.get(url)
    cl = (response.context or {}).get("cl") if response.status_code == 200 else None
    if cl is None:
        return None
    for spec in cl.filter_specs:
        choices = [c for c in spec.choices(cl) if not c.get("selected")]
        if choices:
            return url.split("?")[0] + choices[0]["query_string"]
    return None


def pages() -> list[tuple[str, str, admin.ModelAdmin]]:
    found = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        opts = model._meta
        found.append(
            (opts.label, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), model_admin)
        )
    return found


def measure_all(goal_ms: float, goal_queries: int) -> None:
    users = _users()
    rows = []
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        client.get(reverse("admin:index"))  # warm the session, URL resolver and template caches
        rows.append((role, "dashboard", "", *_time(client, reverse("admin:index"))))
        for label, url, model_admin in pages():
            if not model_admin.has_view_or_change_permission(_Request(user)):
                continue
            landing = client.get(url)
            if landing.status_code == 302:  # a list that opens on its default filter (the review queue)
                url = landing.url
            rows.append((role, label, "unfiltered", *_time(client, url)))
            if model_admin.search_fields:
                joiner = "&" if "?" in url else "?"
                rows.append((role, label, f"search {SEARCH!r}", *_time(client, f"{url}{joiner}q={SEARCH}")))
            filtered = _filtered_url(client, url)
            if filtered:
                rows.append((role, label, filtered.split("?", 1)[1][:40], *_time(client, filtered)))
    print(f"\n{'role':<11} {'page':<34} {'variant':<42} {'ms':>8} {'queries':>7}  goal")
    over = 0
    for role, label, variant, ms, queries, status in rows:
        ok = ms <= goal_ms and queries <= goal_queries and status == 200
        over += not ok
        flag = "ok" if ok else f"OVER (HTTP {status})" if status != 200 else "OVER"
        print(f"{role:<11} {label:<34} {variant:<42} {ms:8.1f} {queries:7d}  {flag}")
    times = [r[3] for r in rows]
    small = [r[3] for r in rows if r[1] in _small_tables() and r[2] == "unfiltered"]
    if small:
        print(
            f"Baseline, same run: unfiltered lists of tables under 1,000 rows, median {median(small):.1f} ms"
        )
    print(
        f"\n{len(rows)} pages: median {median(times):.1f} ms, worst {max(times):.1f} ms; "
        f"{over} over the goal (≤ {goal_ms:.0f} ms and ≤ {goal_queries} queries)."
    )


def _small_tables() -> set[str]:
    return {model._meta.label for model in admin.site._registry if model._default_manager.count() < 1000}


class _Request:
    """Just enough of a request for ``has_view_or_change_permission``."""

    def __init__(self, user):
        self.user = user
