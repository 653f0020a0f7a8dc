"""The bench's sandbox: a subprocess on a free port, time-scaled, with its test hooks."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings

from integrations.qbo_sandbox.server import free_port

ROOT = Path(__file__).resolve().parents[2]


class Sandbox:
    def __init__(self, url: str) -> None:
        self.url = url
        self.realm = ""

    @classmethod
    @contextlib.contextmanager
    def start(cls, tmp: str, scale: float):
        port = free_port()
        args = [sys.executable, "-m", "integrations.qbo_sandbox", "--port", str(port), "--data",
                f"{tmp}/sandbox.sqlite3", "--test-hooks", "--time-scale", str(scale),
                "--set", "webhooks_enabled=false", "--set", "request_log_size=400000"]  # fmt: skip
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sandbox = cls(f"http://127.0.0.1:{port}")
        try:
            for _ in range(200):
                with contextlib.suppress(requests.RequestException):
                    if requests.get(f"{sandbox.url}/__sandbox/info", timeout=1).ok:
                        break
                time.sleep(0.05)
            yield sandbox
        finally:
            proc.terminate()
            proc.wait(timeout=20)

    def hook(self, path: str, body: dict | None = None, method: str = "POST") -> dict:
        response = requests.request(method, f"{self.url}/__sandbox/{path}", json=body or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def new_realm(self, name: str) -> str:
        return self.hook("realms", {"company_name": name})["realm_id"]

    def approve(self, realm: str) -> str:
        return self.hook(
            "oauth/approve",
            {
                "client_id": settings.QBO_CLIENT_ID,
                "redirect_uri": settings.QBO_REDIRECT_URI,
                "realm_id": realm,
                "scope": "com.intuit.quickbooks.accounting",
                "state": "bench",
            },
        )["code"]

    def connect(self):
        """A SyncPortal connection to a fresh company, through the real OAuth code exchange."""
        from integrations.services.connection import connection_complete

        self.realm = self.new_realm("Push bench store")
        return connection_complete(code=self.approve(self.realm), realm_id=self.realm)

    def throttle(self, enabled: bool) -> None:
        # Intuit's published per-company limits (the sandbox scales its minute by --time-scale).
        self.hook(
            "throttle", {"enabled": enabled, "requests_per_minute": 500, "batch_requests_per_minute": 40}
        )

    def latency(self, request_ms: float, batch_item_ms: float) -> None:
        # A modelled round trip per call (the sandbox answers in about a millisecond; Intuit does not).
        self.hook("latency", {"request_latency_ms": request_ms, "batch_item_latency_ms": batch_item_ms})

    def count_429(self, realm: str | None = None) -> int:
        entries = self.hook(f"requests?realm={realm or self.realm}&limit=400000", method="GET")["requests"]
        return sum(1 for entry in entries if entry.get("status") == 429)
