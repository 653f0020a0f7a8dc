"""Client-side pacing so SyncPortal stays under Intuit's per-company limits and never sees a 429.

Limits (SYNC_RULES §1.1): 500 requests/min per company, each batch item counting as a request (the
conservative reading), and 40 batch requests/min. The limiter keeps a sliding log of the last
minute's calls. Only the worker holding the company's lease calls QuickBooks, and the log travels
with the lease (``QBOConnection.recent_calls``), so the budget holds across workers and hosts.

``QBO_CLOCK_SCALE`` compresses the limiter's minute for benchmarks against a sandbox started with
``--time-scale`` (an hour of QuickBooks time in minutes); it is 1 everywhere else.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from django.conf import settings

WINDOW = 60.0


class RealmLimiter:
    def __init__(
        self,
        *,
        per_minute: int | None = None,
        batches_per_minute: int | None = None,
        history: list[list[float]] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # A small safety margin below Intuit's numbers absorbs clock skew between us and QuickBooks.
        self.per_minute = per_minute or getattr(settings, "QBO_REQUESTS_PER_MINUTE", 490)
        self.batches_per_minute = batches_per_minute or getattr(settings, "QBO_BATCHES_PER_MINUTE", 39)
        self.scale = float(getattr(settings, "QBO_CLOCK_SCALE", 1.0))
        self._clock = clock
        self._sleep = sleep
        # [timestamp, cost, is_batch] of the calls in the last window
        self._log: deque[list] = deque([float(t), int(c), bool(b)] for t, c, b in (history or []))
        self._lock = threading.Lock()  # a push's batches finish on other threads (``done``)
        self.waited = 0.0

    @property
    def window(self) -> float:
        return WINDOW / self.scale

    def _trim(self, now: float) -> None:
        while self._log and self._log[0][0] <= now - self.window:
            self._log.popleft()

    def _wait_needed(self, now: float, cost: int, is_batch: bool) -> float:
        # Timestamps are moved to a call's end (``done``), so the log is only nearly in order:
        # a call leaves the window once it and every call logged before it have (the running max).
        self._trim(now)
        used = sum(c for _, c, _ in self._log)
        wait = 0.0
        if used + cost > self.per_minute:
            # Wait until enough of the oldest calls leave the window.
            excess = used + cost - self.per_minute
            freed, latest = 0, 0.0
            for ts, c, _ in self._log:
                freed, latest = freed + c, max(latest, ts)
                if freed >= excess:
                    wait = max(wait, latest + self.window - now)
                    break
        if is_batch:
            batches = [ts for ts, _, b in self._log if b]
            if len(batches) + 1 > self.batches_per_minute:
                oldest = len(batches) - self.batches_per_minute
                wait = max(wait, max(batches[: oldest + 1]) + self.window - now)
        return max(0.0, wait)

    def room(self) -> int:
        """How many requests one batch could carry right now without waiting: what is left of the
        minute's budget, or 0 while the batch limit is reached."""
        with self._lock:
            self._trim(self._clock())
            if sum(1 for _, _, b in self._log if b) >= self.batches_per_minute:
                return 0
            return max(0, self.per_minute - sum(c for _, c, _ in self._log))

    def pace(self, cost: int, is_batch: bool) -> Callable[[], None]:
        """Block until ``cost`` more requests fit, then record them. Returns ``done``, to call when
        the answer is back: QuickBooks counts a request when it admits it, somewhere between our
        send and its answer, so the call is logged at the later end. Logging only the send time let
        a few batches in flight at once overrun Intuit's window by a request or two (a 429)."""
        if cost > self.per_minute:
            raise ValueError("a single call cannot cost more than the per-minute budget")
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_needed(now, cost, is_batch)
                if wait <= 0:
                    entry = [now, cost, is_batch]
                    self._log.append(entry)
                    break
            self.waited += wait
            self._sleep(wait + 0.001)

        def done() -> None:
            with self._lock:
                entry[0] = max(entry[0], self._clock())

        return done

    def history(self) -> list[list[float]]:
        """The last window's calls, to store with the lease for the next holder."""
        with self._lock:
            self._trim(self._clock())
            return [[ts, c, int(b)] for ts, c, b in self._log]
