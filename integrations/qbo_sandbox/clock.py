"""The sandbox's clock: real time, optionally compressed, plus a manual offset.

QuickBooks behaviour is full of wall-clock rules (60-second throttle windows, 3600-second access
tokens, 100-day refresh tokens, the 30-day CDC window, the webhook retry schedule). Benchmarks need
an hour of QuickBooks time in minutes and tests need to jump a day ahead, so every such rule reads
this clock instead of ``time.time()``.

``time_scale`` = simulated seconds per real second (1.0 = real time, 60 = one QBO minute per real
second). ``advance()`` adds a fixed offset (the ``advance the clock`` test hook).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SandboxClock:
    def __init__(self, time_scale: float = 1.0, offset_seconds: float = 0.0) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = float(time_scale)
        self._real_start = time.monotonic()
        self._sim_start = time.time()
        self._offset = float(offset_seconds)
        self._lock = threading.Lock()

    def timestamp(self) -> float:
        """Simulated POSIX timestamp (seconds)."""
        elapsed_real = time.monotonic() - self._real_start
        with self._lock:
            offset = self._offset
        return self._sim_start + elapsed_real * self.time_scale + offset

    def now(self) -> datetime:
        """Simulated current time, timezone-aware UTC."""
        return datetime.fromtimestamp(self.timestamp(), tz=UTC)

    def advance(self, seconds: float) -> None:
        """Jump the simulated clock forward (never backwards: QBO time does not run back)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += float(seconds)

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset

    def real_seconds(self, simulated_seconds: float) -> float:
        """How long to really wait for ``simulated_seconds`` of sandbox time to pass."""
        return max(0.0, simulated_seconds / self.time_scale)

    def sleep(self, simulated_seconds: float) -> None:
        time.sleep(self.real_seconds(simulated_seconds))

    def after(self, seconds: float) -> datetime:
        return self.now() + timedelta(seconds=seconds)
