"""Residents log in with eID or itsme in a real browser, through the demo identity
provider running on loopback: every persona logs in and out; axe-core finds no
violations on the login page, "Mijn gegevens", the access log and the persona picker."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from loket.demo.constants import PERSONAS
from loket.demo.services import persona_households
from loket.people.services import population_import
from loket.simulators.oidc_provider import Client, RunningProvider, start_in_thread

pytestmark = pytest.mark.browser

CLIENT_ID, CLIENT_SECRET = "loket-browser-test", "loket-browser-test-secret"


@pytest.fixture
def idp(settings, transactional_db, audit_log_emptied_after) -> Iterator[RunningProvider]:
    from django.core.cache import cache

    running = start_in_thread(
        personas=PERSONAS,
        clients=[Client(CLIENT_ID, CLIENT_SECRET, ("http://localhost:", "http://127.0.0.1:"))],
        environment="development",
    )
    settings.LOKET_OIDC_ENABLED = True
    settings.LOKET_OIDC_DIALECT = "fas"
    settings.LOKET_OIDC_ISSUER = running.issuer("fas")
    settings.LOKET_OIDC_CLIENT_ID = CLIENT_ID
    settings.LOKET_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.LOKET_OIDC_SCOPES = "openid profile egovnrn"
    population_import(actor=None, households=persona_households(), reason="browser test")
    cache.clear()
    yield running
    running.stop()


def _assert_no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _log_in(page, persona_key: str, method: str = "itsme", *, check_picker: bool = False):
    page.goto("/aanmelden/")
    page.check(f"#method-{method}")
    page.locator('form[action="/aanmelden/start/"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/fas/authorize.*"))
    if check_picker:
        _assert_no_axe_violations(page)
    page.check(f"#persona-{persona_key}")
    page.check(f"#method-{method}")
    page.locator('button[name="login"]').click()
    page.wait_for_url(re.compile(r".*/mijn-gegevens/$"))


def _log_out(page, idp: RunningProvider) -> None:
    before = len(idp.provider.ended_sessions)
    page.locator('form[action="/afmelden/"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/afgemeld/.*"))
    assert len(idp.provider.ended_sessions) == before + 1


def test_every_persona_logs_in_and_out(page, idp):
    for persona in PERSONAS:
        _log_in(page, persona.key, method="eid" if persona.prefers_paper else "itsme")
        main = page.locator("main").inner_text()
        assert persona.first_name in main, persona.key
        assert persona.national_number not in page.content()
        assert persona.first_name in page.locator("header").inner_text()
        _log_out(page, idp)
        page.goto("/mijn-gegevens/")
        assert "/aanmelden/" in page.url


def test_login_pages_have_no_axe_violations(page, idp, screenshot_dir):
    page.goto("/aanmelden/")
    page.screenshot(path=str(screenshot_dir / "resident-login.png"), full_page=True)
    _assert_no_axe_violations(page)
    _log_in(page, "jong-gezin", check_picker=True)
    page.screenshot(path=str(screenshot_dir / "my-details.png"), full_page=True)
    _assert_no_axe_violations(page)
    page.goto("/mijn-gegevens/wie-bekeek/")
    page.screenshot(path=str(screenshot_dir / "access-log.png"), full_page=True)
    _assert_no_axe_violations(page)
    _log_out(page, idp)
    _log_in(page, "nieuwkomer")
    assert "nieuwkomer" not in page.url
    _assert_no_axe_violations(page)


def test_keyboard_only_login(page, idp):
    page.goto("/aanmelden/")
    page.focus("#method-eid")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/fas/authorize.*"))
    page.focus("#persona-senior-papier")
    page.keyboard.press("Space")
    page.focus('button[name="login"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/mijn-gegevens/$"))
    assert "Maria" in page.locator("main").inner_text()
