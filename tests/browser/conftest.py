"""Browser tests: Playwright drives the system's chromium (never a downloaded browser).

The whole folder is skipped when no chromium is installed, unless
LOKET_REQUIRE_BROWSER=1 is set: then a missing browser is an error.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test code itself still
# talks to the database (factories), which Django's async guard would refuse.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    browser_items = [item for item in items if here in Path(str(item.fspath)).parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if chromium_path() is None and os.environ.get("LOKET_REQUIRE_BROWSER") != "1":
        skip = pytest.mark.skip(
            reason="chromium is not installed (set LOKET_REQUIRE_BROWSER=1 to fail)"
        )
        for item in browser_items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        pytest.fail("LOKET_REQUIRE_BROWSER=1 but no chromium is installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def audit_log_emptied_after(transactional_db) -> Iterator[None]:
    """Lets a test write audit lines although the database refuses to delete them.

    Tests with a live server run outside a transaction, so their data is deleted
    afterwards; the append-only triggers would refuse that for the audit log. Lift
    them for the clean-up only, with the statements of the migration that made them.
    """
    yield
    from django.db import connection

    migration = importlib.import_module("loket.core.migrations.0002_audit_append_only")
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for statement in migration.DROP.get(vendor, []):
            cursor.execute(statement)
        cursor.execute("DELETE FROM core_auditevent")
        for statement in {"sqlite": migration.SQLITE, "postgresql": migration.POSTGRES}.get(
            vendor, []
        ):
            cursor.execute(statement)


@pytest.fixture
def page(browser, live_server, transactional_db) -> Iterator[object]:
    """A fresh browser tab in Dutch, 1280 px wide, talking to the live test server."""
    from django.core.cache import cache

    cache.clear()
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-BE",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
        cache.clear()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: LOKET_SCREENSHOT_DIR when set, else a temporary folder."""
    configured = os.environ.get("LOKET_SCREENSHOT_DIR")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")
