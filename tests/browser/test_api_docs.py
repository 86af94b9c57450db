"""The API documentation works in a real browser under the site's Content-Security-
Policy (no inline script, no outside assets)."""

from __future__ import annotations


def test_swagger_ui_renders_every_operation_without_csp_errors(page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 10
    assert problems == []
