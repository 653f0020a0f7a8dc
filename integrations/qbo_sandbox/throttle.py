"""Intuit's rate limits (§6), keyed by (client_id, realm), on the sandbox clock.

Three limits, each answered with HTTP 429 / code 3001: ``max_concurrent`` requests in flight,
``requests_per_minute`` over a sliding 60-second window (a batch costs one per item), and
``batch_requests_per_minute``. Rejected requests do not count toward the windows [EMU].
"""

from __future__ import annotations

import threading
from collections import deque

from .clock import SandboxClock
from .config import SandboxConfig

WINDOW_SECONDS = 60.0


class _Window:
    """Costs recorded in the last 60 simulated seconds, with a running total."""

    def __init__(self) -> None:
        self.entries: deque[tuple[float, int]] = deque()
        self.total = 0

    def used(self, now: float) -> int:
        while self.entries and self.entries[0][0] <= now - WINDOW_SECONDS:
            self.total -= self.entries.popleft()[1]
        return self.total

    def add(self, now: float, cost: int) -> None:
        self.entries.append((now, cost))
        self.total += cost


class Throttle:
    def __init__(self, clock: SandboxClock, config: SandboxConfig) -> None:
        self.clock, self.config = clock, config
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str], _Window] = {}
        self._batches: dict[tuple[str, str], _Window] = {}
        self._in_flight: dict[tuple[str, str], int] = {}

    @property
    def enabled(self) -> bool:
        return self.config.throttle

    def admit(self, key: tuple[str, str], cost: int = 1, is_batch: bool = False) -> bool:
        """Register one request in flight; False (nothing registered) when a limit is exceeded."""
        if not self.config.throttle:
            return True
        now = self.clock.timestamp()
        with self._lock:
            if self._in_flight.get(key, 0) >= self.config.max_concurrent:
                return False
            requests = self._requests.setdefault(key, _Window())
            if requests.used(now) + cost > self.config.requests_per_minute:
                return False
            batches = self._batches.setdefault(key, _Window())
            if is_batch and batches.used(now) + 1 > self.config.batch_requests_per_minute:
                return False
            requests.add(now, cost)
            if is_batch:
                batches.add(now, 1)
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
            return True

    def release(self, key: tuple[str, str]) -> None:
        if not self.config.throttle:
            return
        with self._lock:
            left = self._in_flight.get(key, 0) - 1
            if left > 0:
                self._in_flight[key] = left
            else:
                self._in_flight.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._batches.clear()
