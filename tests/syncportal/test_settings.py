"""Production settings: Django's deployment checklist passes, and a missing or dev secret key stops startup.

Each case starts ``manage.py`` in a fresh process, as a deployment would, with only the documented
environment variables set.
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = "syncportal.settings.production"
DEV_KEY = "dev-insecure-syncportal-key-change-me-0123456789abcdefghijkl"  # base.py's laptop default


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    environment.update({"DJANGO_SETTINGS_MODULE": PRODUCTION, "ALLOWED_HOSTS": "example.com", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def random_key(length: int = 60) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


def test_deployment_checklist_reports_no_issues():
    result = manage("check", "--deploy", SECRET_KEY=random_key())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_debug_stays_off_in_production_even_if_the_environment_asks_for_it():
    result = manage("check", "--deploy", SECRET_KEY=random_key(), DEBUG="true")
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    "secret_key",
    [None, DEV_KEY, "too-short-" + random_key(20)],
    ids=["missing", "development key", "too short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    result = manage("check", **({} if secret_key is None else {"SECRET_KEY": secret_key}))
    assert result.returncode != 0
    assert "Set SECRET_KEY to a random value of at least 50 characters." in result.stderr
    assert "System check identified" not in result.stdout
