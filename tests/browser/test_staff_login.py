"""The staff login in a real browser: password and app code with the keyboard only,
and axe-core on every page of the login, the set-up and "My security"."""

from __future__ import annotations

import pyotp
import pytest

from loket.accounts.staff.tests.helpers import with_authenticator_app
from loket.core.tests.factories import StaffFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"


def _assert_no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _password_with_keyboard(page, username: str) -> None:
    page.goto("/backoffice/aanmelden/")
    _assert_no_axe_violations(page)
    # The user name field has the focus on arrival.
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


def test_password_and_app_code_with_the_keyboard_only(page, audit_log_emptied_after):
    user = StaffFactory(username="baliemedewerker", first_name="Els")
    secret = with_authenticator_app(user)

    _password_with_keyboard(page, "baliemedewerker")
    page.wait_for_url("**/aanmelden/tweede-stap/")
    _assert_no_axe_violations(page)

    page.keyboard.type("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_code[aria-invalid=true]")
    _assert_no_axe_violations(page)

    page.locator("#id_code").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url("**/backoffice/")
    assert page.locator("h1").inner_text() == "Werkoverzicht"

    page.goto("/backoffice/beveiliging/")
    _assert_no_axe_violations(page)
    page.goto("/backoffice/aanmelden/tweede-stap/?method=recovery")
    page.wait_for_url("**/backoffice/aanmelden/")  # no pending login any more


def test_set_up_the_app_right_after_the_password(page, audit_log_emptied_after):
    StaffFactory(username="nieuw")

    _password_with_keyboard(page, "nieuw")
    page.wait_for_url("**/aanmelden/instellen/")
    _assert_no_axe_violations(page)
    assert page.locator("svg.qr").is_visible()
    secret = page.locator("code.secret").inner_text().replace(" ", "")

    page.keyboard.type(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url("**/beveiliging/herstelcodes/")
    assert page.locator("ol.recovery-codes li").count() == 10
    _assert_no_axe_violations(page)

    page.goto("/backoffice/beveiliging/")
    _assert_no_axe_violations(page)
