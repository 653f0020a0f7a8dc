"""The last few thousand requests the sandbox answered, for tests and for people debugging a sync."""

from __future__ import annotations

import itertools
import threading
from collections import deque

EXCERPT = 2000


class RequestLog:
    def __init__(self, size: int) -> None:
        self._entries: deque[dict] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)

    def add(self, **entry) -> None:
        body = entry.get("body") or b""
        if isinstance(body, bytes):
            body = body[:EXCERPT].decode("utf-8", "replace")
        entry["body"] = body[:EXCERPT]
        with self._lock:
            entry["seq"] = next(self._seq)
            self._entries.append(entry)

    def entries(self, realm: str | None = None, since: int = 0, limit: int = 200) -> list[dict]:
        with self._lock:
            rows = [
                e for e in self._entries if e["seq"] > since and (realm is None or e.get("realm") == realm)
            ]
        return rows[-limit:]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
