"""The portal and the back office in a real browser: accessibility (axe-core), keyboard
use and reflow at 320 CSS pixels."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from loket.accounts.staff.tests.helpers import with_authenticator_app
from loket.core.constants import AuditAction, OrganisationKind, RoleSlug
from loket.core.services import audit_record, worker_heartbeat
from loket.core.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    StaffFactory,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def town(transactional_db, audit_log_emptied_after):
    city = OrganisationFactory(
        name="Gemeente Mandelmunster",
        is_primary=True,
        municipality="Mandelmunster",
        website="https://www.mandelmunster.example",
    )
    ocmw = OrganisationFactory(
        name="OCMW Mandelmunster", kind=OrganisationKind.OCMW, municipality="Mandelmunster"
    )
    for weekday in range(5):
        OpeningHoursFactory(
            organisation=city, weekday=weekday, opens=dt.time(9), closes=dt.time(12)
        )
    OpeningHoursFactory(organisation=city, weekday=2, opens=dt.time(14), closes=dt.time(19))
    OpeningHoursFactory(
        organisation=ocmw, weekday=1, opens=dt.time(13, 30), closes=dt.time(16), by_appointment=True
    )
    burgerzaken = DepartmentFactory(
        organisation=city, name="Burgerzaken", email="burgerzaken@mandelmunster.example"
    )
    DepartmentFactory(organisation=city, name="Ruimtelijke ordening", phone="051 33 74 20")
    DepartmentFactory(organisation=ocmw, name="Sociale dienst", phone="051 33 74 50")
    clerk = StaffFactory(username="baliemedewerker", first_name="Els", last_name="Peeters")
    MembershipFactory(user=clerk, department=burgerzaken, role=RoleSlug.HANDLER)
    administrator = StaffFactory(username="beheerder", first_name="Jan", last_name="Janssens")
    MembershipFactory(user=administrator, department=burgerzaken, role=RoleSlug.ADMINISTRATOR)
    audit_record(
        actor=clerk,
        action=AuditAction.VIEW,
        object_type="people.person",
        object_label="Dossier van Marie Claes",
        reason="Aanvraag attest van woonst",
    )
    audit_record(actor=administrator, action=AuditAction.UPDATE, target=burgerzaken)
    worker_heartbeat(worker_id="loket-worker-1", backend="database", started_at=timezone.now())
    return city


def _assert_no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _log_in(page, username: str = "baliemedewerker") -> None:
    secret = with_authenticator_app(get_user_model().objects.get(username=username))
    page.goto("/backoffice/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/aanmelden/tweede-stap/")
    page.locator("#id_code").fill(pyotp.TOTP(secret).now())
    page.locator("#id_code").press("Enter")
    page.wait_for_url("**/backoffice/")


def test_portal_home_has_no_axe_violations(page, town, screenshot_dir):
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Welkom bij het digitale loket")
    page.screenshot(path=str(screenshot_dir / "portal-home.png"), full_page=True)
    _assert_no_axe_violations(page)


def test_empty_portal_has_no_axe_violations(page, transactional_db, screenshot_dir):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Deze gemeente is nog niet ingesteld."
    page.screenshot(path=str(screenshot_dir / "portal-empty.png"), full_page=True)
    _assert_no_axe_violations(page)


def test_backoffice_login_and_home_have_no_axe_violations(page, town, screenshot_dir):
    page.goto("/backoffice/aanmelden/")
    _assert_no_axe_violations(page)

    page.get_by_label("Gebruikersnaam").fill("baliemedewerker")
    page.get_by_label("Wachtwoord").fill("wrong password")
    page.get_by_role("button", name="Aanmelden").click()
    assert page.get_by_text("Uw gebruikersnaam of wachtwoord klopt niet.").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "login-error.png"), full_page=True)
    _assert_no_axe_violations(page)

    _log_in(page, "beheerder")
    assert page.locator("h1").inner_text() == "Werkoverzicht"
    assert page.get_by_text("Dossier van Marie Claes").is_visible()
    assert page.get_by_text("loket-worker-1").is_visible()
    page.screenshot(path=str(screenshot_dir / "backoffice-home.png"), full_page=True)
    _assert_no_axe_violations(page)


def test_first_tab_focuses_the_visible_skip_link(page, town):
    page.goto("/")
    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    skip_link = page.locator(".skip-link")
    assert skip_link.is_visible()
    box = skip_link.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["x"] >= 0

    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_language_switcher_works_in_the_browser(page, town):
    page.goto("/")
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text().startswith("Bienvenue au guichet numérique")


@pytest.mark.parametrize(
    ("name", "path", "logged_in"),
    [
        ("portal-home", "/", False),
        ("login", "/backoffice/aanmelden/", False),
        ("backoffice-home", "/backoffice/", True),
        ("not-found", "/bestaat-niet/", False),
    ],
)
def test_no_horizontal_scroll_at_320_css_pixels(page, town, screenshot_dir, name, path, logged_in):
    if logged_in:
        _log_in(page, "beheerder")
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto(path)

    page.screenshot(path=str(screenshot_dir / f"{name}-320.png"), full_page=True)
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"{path}: {scroll_width}px wide at {inner_width}px"
    _assert_no_axe_violations(page)
