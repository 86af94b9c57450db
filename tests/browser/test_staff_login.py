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
    # A superuser may enter the back office without a role in a department.
    user = StaffFactory(username="baliemedewerker", first_name="Els", is_superuser=True)
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


# --- Passkeys, with Chrome's virtual authenticator ---------------------------------------


def _virtual_authenticator(page) -> tuple[object, str]:
    """A platform authenticator (ctap2, internal, resident keys, user verification)
    through the Chrome DevTools Protocol: WebAuthn without a fingerprint reader."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, result["authenticatorId"]


def test_register_a_passkey_log_out_and_log_in_with_it(
    page, live_server, settings, audit_log_emptied_after
):
    settings.LOKET_BASE_URL = live_server.url  # relying party: localhost, this origin
    user = StaffFactory(username="baliemedewerker", first_name="Els")
    secret = with_authenticator_app(user)
    cdp, authenticator = _virtual_authenticator(page)

    page.goto("/backoffice/aanmelden/?next=/backoffice/beveiliging/")
    page.fill("#id_username", "baliemedewerker")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/aanmelden/tweede-stap/")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url("**/backoffice/beveiliging/")

    page.fill("#id_name", "laptop aan de balie")
    page.locator("form[data-passkey-register] button[type=submit]").click()
    page.wait_for_selector("text=laptop aan de balie")
    _assert_no_axe_violations(page)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    assert user.staff_passkeys.count() == 1

    page.locator("form[action='/backoffice/afmelden/'] button").click()
    page.wait_for_url("**/backoffice/aanmelden/")

    page.goto("/backoffice/aanmelden/?next=/backoffice/beveiliging/")
    page.fill("#id_username", "baliemedewerker")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/aanmelden/tweede-stap/")
    page.goto("/backoffice/aanmelden/tweede-stap/?method=passkey")
    _assert_no_axe_violations(page)
    page.locator("[data-passkey-button]").click()
    page.wait_for_url("**/backoffice/beveiliging/")
    user.staff_passkeys.get().refresh_from_db()
    assert user.staff_passkeys.get().last_used_at is not None
    assert page.evaluate("document.cookie").find("sessionid") == -1  # httponly


# --- Single sign-on with the municipality's identity provider ----------------------------


STAFF_CLIENT = ("loket-staff-browser", "loket-staff-browser-secret")


@pytest.fixture
def staff_idp(settings, transactional_db, audit_log_emptied_after):
    from types import SimpleNamespace

    from django.core.cache import cache

    from loket.demo.constants import DEMO_STAFF, MAIL_DOMAIN
    from loket.simulators.oidc_provider import Client, start_in_thread

    personas = [
        SimpleNamespace(
            key=staff.username,
            username=staff.username,
            first_name=staff.first_name,
            last_name=staff.last_name,
            email=f"{staff.username}@{MAIL_DOMAIN}",
            description=staff.description or "medewerker",
        )
        for staff in DEMO_STAFF[:3]
    ]
    running = start_in_thread(
        personas=(),
        staff_personas=personas,
        clients=[Client(*STAFF_CLIENT, ("http://localhost:", "http://127.0.0.1:"))],
        environment="development",
    )
    settings.LOKET_STAFF_SSO = "oidc"
    settings.LOKET_STAFF_OIDC_ISSUER = running.issuer("staff")
    settings.LOKET_STAFF_OIDC_CLIENT_ID, settings.LOKET_STAFF_OIDC_CLIENT_SECRET = STAFF_CLIENT
    settings.LOKET_STAFF_OIDC_SCOPES = "openid profile email"
    for persona in personas:
        StaffFactory(
            username=persona.username,
            first_name=persona.first_name,
            last_name=persona.last_name,
            email=persona.email,
        )
    cache.clear()
    yield running
    running.stop()


def _log_out_completely(page) -> None:
    """Post the back office's full logout (it ends the session at the provider too)."""
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/backoffice/afmelden/volledig/";
            const token = document.querySelector("input[name=csrfmiddlewaretoken]");
            form.appendChild(token.cloneNode());
            document.body.appendChild(form);
            form.submit();
        }"""
    )


def test_staff_log_in_and_out_with_the_municipality_s_account(page, staff_idp):
    import re

    for index, persona in enumerate(staff_idp.provider.staff_personas.values()):
        page.goto("/backoffice/aanmelden/?next=/backoffice/beveiliging/")
        if index == 0:
            _assert_no_axe_violations(page)
        page.locator("#sso-login").click()
        page.wait_for_url(re.compile(r".*/staff/authorize.*"))
        if index == 0:
            _assert_no_axe_violations(page)
        page.check(f"#persona-{persona.key}")
        page.check("#method-mfa")
        page.locator('button[name="login"]').click()
        page.wait_for_url("**/backoffice/beveiliging/")
        assert persona.first_name in page.locator(".session-bar").inner_text()

        _log_out_completely(page)
        page.wait_for_url(re.compile(r".*/backoffice/aanmelden/(\?.*)?$"))
        assert len(staff_idp.provider.ended_sessions) == index + 1
        page.goto("/backoffice/beveiliging/")
        page.wait_for_url(re.compile(r".*/backoffice/aanmelden/\?next=.*"))


def test_an_unknown_account_gets_a_clear_page_and_no_session(page, staff_idp):
    import re

    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="diensthoofd").update(is_active=False)
    page.goto("/backoffice/aanmelden/")
    page.locator("#sso-login").click()
    page.wait_for_url(re.compile(r".*/staff/authorize.*"))
    page.check("#persona-diensthoofd")
    page.locator('button[name="login"]').click()
    page.wait_for_url(re.compile(r".*/aanmelden/gemeente/terug/.*"))
    assert page.locator("[role=alert]").is_visible()
    _assert_no_axe_violations(page)
    page.goto("/backoffice/beveiliging/")
    page.wait_for_url(re.compile(r".*/backoffice/aanmelden/\?next=.*"))
