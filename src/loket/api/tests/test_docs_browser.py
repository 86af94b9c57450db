"""The API documentation works in a real browser under the site's Content-Security-
Policy (no inline script, no outside assets)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None and os.environ.get("LOKET_REQUIRE_BROWSER") != "1",
        reason="chromium is not installed (set LOKET_REQUIRE_BROWSER=1 to fail)",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_every_operation_without_csp_errors(live_server) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "LOKET_REQUIRE_BROWSER=1 but no chromium is installed"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{live_server.url}/api/docs/")
            page.wait_for_selector(".opblock", timeout=15_000)
            assert page.locator(".opblock").count() >= 10
            assert problems == []
        finally:
            browser.close()
