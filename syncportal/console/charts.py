"""Server-rendered SVG charts: plain shapes computed here, drawn by the template (no JavaScript, no CDN)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

OUTCOME_COLOURS = {
    "ok": ("#2e7d32", "Synced"),
    "skipped": ("#90a4ae", "Skipped"),
    "echo": ("#b0bec5", "Echo"),
    "conflict": ("#f9a825", "Conflict"),
    "failed": ("#c62828", "Failed"),
}
HEIGHT = 160
BAR = 5  # px per hour: 168 hours -> 840 px


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rects: tuple[Rect, ...]
    ticks: tuple[tuple[float, str], ...]
    legend: tuple[tuple[str, str], ...]
    peak: int
    total: int
    empty: bool


def events_per_hour(
    hourly: dict[tuple[dt.datetime, str], int], *, start: dt.datetime, hours: int = 169
) -> Chart:
    """Stacked bars, one per hour from ``start`` to the current hour, split by outcome (failed on top)."""
    totals = [
        sum(hourly.get((start + dt.timedelta(hours=h), o), 0) for o in OUTCOME_COLOURS) for h in range(hours)
    ]
    peak = max(totals, default=0)
    scale = (HEIGHT - 10) / peak if peak else 0
    rects = []
    for h in range(hours):
        hour = start + dt.timedelta(hours=h)
        y = float(HEIGHT)
        for outcome, (colour, label) in OUTCOME_COLOURS.items():
            n = hourly.get((hour, outcome), 0)
            if not n:
                continue
            height = max(n * scale, 1.0)
            y -= height
            rects.append(
                Rect(
                    h * BAR,
                    round(y, 1),
                    BAR - 1,
                    round(height, 1),
                    colour,
                    f"{hour:%a %H:00} UTC: {n} {label.lower()}",
                )
            )
    ticks = tuple(
        (h * BAR, f"{start + dt.timedelta(hours=h):%a %d}")
        for h in range(hours)
        if (start + dt.timedelta(hours=h)).hour == 0
    )
    legend = tuple((colour, label) for colour, label in OUTCOME_COLOURS.values())
    return Chart(hours * BAR, HEIGHT, tuple(rects), ticks, legend, peak, sum(totals), not peak)


def latency_per_day(rows: tuple[tuple[dt.date, int, int | None, int | None], ...]) -> Chart:
    """Paired bars per day: p50 (dark) and p95 (light), on one scale."""
    peak = max((p95 or 0 for _, _, _, p95 in rows), default=0)
    scale = (HEIGHT - 10) / peak if peak else 0
    slot = 60
    rects = []
    for i, (day, samples, p50, p95) in enumerate(rows):
        for offset, value, colour, name in ((6, p50, "#1565c0", "p50"), (28, p95, "#90caf9", "p95")):
            if value is None:
                continue
            height = max(value * scale, 1.0)
            title = f"{day:%a %d %b}: {name} {format_ms(value)} ({samples} changes)"
            rects.append(
                Rect(i * slot + offset, round(HEIGHT - height, 1), 20, round(height, 1), colour, title)
            )
    ticks = tuple((i * slot + 6, f"{day:%a %d}") for i, (day, *_rest) in enumerate(rows))
    legend = (("#1565c0", "p50"), ("#90caf9", "p95"))
    return Chart(max(len(rows), 1) * slot, HEIGHT, tuple(rects), ticks, legend, peak, len(rows), not rows)


def format_ms(value: int | None) -> str:
    if value is None:
        return "–"
    if value < 1000:
        return f"{value} ms"
    if value < 120_000:
        return f"{value / 1000:.1f} s"
    return f"{value / 60_000:.1f} min"
