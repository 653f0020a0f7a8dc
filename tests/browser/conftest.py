"""Browser-test harness: headless Debian Chromium driven by Playwright against live_server + the sandbox.

Never downloads a browser: it launches the machine's ``chromium`` (``apt-get install chromium``;
scripts/bootstrap.sh and .ci/run install it). Tests skip, saying why, only when it is absent.
Every step can be photographed with ``shot("name")``: PNGs go to var/test-artifacts/<test>/.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/lib/chromium/chromium")


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium():
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed: `apt-get install -y chromium` (scripts/bootstrap.sh does it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
    # around it are ordinary synchronous code, so Django's async-safety guard must let them through.
    # Only while the browser runs: the variable must not leak into other tests' subprocesses.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright, executable)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch(sync_playwright, executable: str):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            # Root in CI containers: Chromium's sandbox needs user namespaces it does not get there.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, request):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        _save(page, request.node.name, "failure")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text)


def _save(page, test_name: str, step: str, counter: list[int] | None = None) -> Path:
    folder = ARTIFACTS / _slug(test_name)
    folder.mkdir(parents=True, exist_ok=True)
    number = f"{counter[0]:02d}-" if counter is not None else ""
    path = folder / f"{number}{_slug(step)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shot(page, request):
    """``shot("merge preview")`` saves a numbered full-page screenshot of the current step."""
    folder = ARTIFACTS / _slug(request.node.name)
    if folder.exists():
        shutil.rmtree(folder)
    counter = [0]

    def take(step: str) -> Path:
        counter[0] += 1
        return _save(page, request.node.name, step, counter)

    return take


@pytest.fixture
def login_as(page, transactional_db):
    """Log in through the real admin login form (django-axes and all) as a new user in ``role``."""
    from tests.factories.integrations import user_in_role

    def login(role: str):
        user = user_in_role(role, username=f"{role.lower()}-browser")
        page.goto("/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pw")
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))
        return user

    return login
