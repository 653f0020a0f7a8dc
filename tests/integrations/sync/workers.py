"""Helpers for the reliability tests: push workers as real OS processes on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection as db
from django.utils import timezone

from integrations.models.connection import QBOConnection

ROOT = Path(__file__).resolve().parents[3]
DRAIN = (
    "import sys, django; django.setup(); "
    "from integrations.sync.push import drain; r = drain(int(sys.argv[1])); "
    "print(r.pushed, r.failed, r.stopped or '-')"
)


def worker_env(**extra: str) -> dict[str, str]:
    """The test's own database and sandbox, for a separate process (PostgreSQL only)."""
    conf = db.settings_dict
    url = f"postgres://{conf['USER']}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "syncportal.settings.test",
        "DATABASE_URL": url,
        "QBO_SANDBOX_URL": settings.QBO_SANDBOX_URL,
        "QBO_ENVIRONMENT": settings.QBO_ENVIRONMENT,
        "QBO_PUSH_CRASH_POINT": "",
        **extra,
    }


def drain_in_process(connection_id: int, *, crash_point: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", DRAIN, str(connection_id)],
        env=worker_env(QBO_PUSH_CRASH_POINT=crash_point),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def start_qcluster(**extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        env=worker_env(**extra),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def lease_ttl_passes(connection_id: int) -> None:
    """What 180 s of wall clock does to a dead worker's lease (tests cannot wait that long)."""
    QBOConnection.objects.filter(pk=connection_id).update(
        lease_expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
