"""Injected failures for tests (``POST /__sandbox/faults``): the next N matching API requests fail.

A rule matches on any of method, path substring, entity, operation and realm (all optional,
case-insensitive). Kinds: ``fault`` (any status + code), ``throttle`` (429/3001), ``server_error``
(500/10000), ``unavailable`` (503 with an HTML body), ``token_expired`` (401 lower-case body),
``stale`` (5010), ``timeout`` (sleep ``seconds`` real seconds, then answer normally) and
``lost_response`` (commit the write, then answer 502 so the client never sees the result).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass, field

from . import faults

KINDS = (
    "fault",
    "throttle",
    "server_error",
    "unavailable",
    "token_expired",
    "stale",
    "timeout",
    "lost_response",
)
MATCH_KEYS = ("method", "path", "entity", "operation", "realm")


@dataclass
class FaultRule:
    id: int
    kind: str
    match: dict = field(default_factory=dict)
    times: int = 1
    status: int = 400
    code: str = ""
    message: str = ""
    detail: str = ""
    fault_type: str = "ValidationFault"
    seconds: float = 0.0
    fired: int = 0

    def fault(self) -> faults.Fault | None:
        """The Fault this rule answers with (None for non-JSON / pass-through kinds)."""
        if self.kind == "throttle":
            return faults.throttled()
        if self.kind == "server_error":
            return faults.system_failure("Injected failure.")
        if self.kind == "stale":
            return faults.stale("root")
        if self.kind == "fault":
            return faults.Fault(
                self.code or "6000",
                self.message or faults.BUSINESS_MESSAGE,
                self.detail or "Injected fault.",
                status=self.status,
                fault_type=self.fault_type,
            )
        return None


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, spec: dict) -> FaultRule:
        kind = str(spec.get("kind", "fault"))
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        match = {k: str(v).lower() for k, v in (spec.get("match") or {}).items() if k in MATCH_KEYS and v}
        rule = FaultRule(
            id=next(self._ids),
            kind=kind,
            match=match,
            times=max(1, int(spec.get("times", 1))),
            status=int(spec.get("status", 400)),
            code=str(spec.get("code", "")),
            message=str(spec.get("message", "")),
            detail=str(spec.get("detail", "")),
            fault_type=str(spec.get("type", "ValidationFault")),
            seconds=float(spec.get("seconds", 0)),
        )
        if kind == "fault" and not rule.code.isdigit():
            raise ValueError("a fault rule needs a numeric code")
        with self._lock:
            self._rules.append(rule)
        return rule

    def take(self, facts: dict) -> FaultRule | None:
        """The first rule matching this request; consumes one of its ``times``."""
        with self._lock:
            if not self._rules:
                return None
            for rule in self._rules:
                if all(self._holds(key, value, facts) for key, value in rule.match.items()):
                    rule.fired += 1
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                    return rule
        return None

    @staticmethod
    def _holds(key: str, wanted: str, facts: dict) -> bool:
        actual = str(facts.get(key) or "").lower()
        return wanted in actual if key == "path" else wanted == actual

    def list(self) -> list[dict]:
        with self._lock:
            return [asdict(rule) for rule in self._rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
