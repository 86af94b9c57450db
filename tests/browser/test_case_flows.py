"""Cases in a real browser: a persona requests a household composition, a handler in
the back office processes it, and the resident follows each step in "Mijn dossiers";
an anonymous report is followed with its code; an event permit collects advice from
three departments. axe-core finds no violations on the pages on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from django.contrib.auth import get_user_model

from loket.accounts.staff.tests.helpers import with_authenticator_app
from loket.core.constants import RoleSlug
from loket.core.tests.factories import MembershipFactory, OrganisationFactory, StaffFactory
from loket.demo.constants import PERSONAS
from loket.demo.services import persona_households
from loket.people.services import population_import
from loket.simulators.oidc_provider import Client, start_in_thread

pytestmark = pytest.mark.browser

CLIENT_ID, CLIENT_SECRET = "loket-browser-cases", "loket-browser-cases-secret"
PASSWORD = "correct-horse-battery-staple"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def town(settings, transactional_db, audit_log_emptied_after) -> Iterator[object]:
    """The municipality with the demo catalogue and case types, the personas in the
    population register, the demo identity provider and handlers per department."""
    from django.core.cache import cache

    from loket.cases.services import case_types_link_services, case_types_seed_demo
    from loket.catalog.services import catalog_seed_demo
    from loket.core.models import Department

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
    OrganisationFactory(name="Stad Mandelmunster", is_primary=True, municipality="Mandelmunster")
    case_types_seed_demo()
    catalog_seed_demo()
    case_types_link_services()
    population_import(actor=None, households=persona_households(), reason="browser test")
    for username, slug in [
        ("els", "burgerzaken"),
        ("tom", "technische-dienst"),
        ("vera", "vrije-tijd"),
        ("piet", "politie"),
        ("bram", "brandweer"),
        ("mo", "mobiliteit"),
    ]:
        user = StaffFactory(username=username, first_name=username.title())
        MembershipFactory(
            user=user, department=Department.objects.get(slug=slug), role=RoleSlug.HANDLER
        )
    cache.clear()
    yield running
    running.stop()


def _axe(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def _resident_logs_in(page, persona_key: str) -> None:
    page.goto("/aanmelden/")
    page.check("#method-itsme")
    page.locator('form[action="/aanmelden/start/"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/fas/authorize.*"))
    page.check(f"#persona-{persona_key}")
    page.check("#method-itsme")
    page.locator('button[name="login"]').click()
    page.wait_for_url(re.compile(r".*/mijn-gegevens/$"))


def _staff_logs_in(page, username: str) -> None:
    secret = with_authenticator_app(get_user_model().objects.get(username=username))
    page.goto("/backoffice/aanmelden/?next=/backoffice/dossiers/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/aanmelden/tweede-stap/")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url("**/backoffice/dossiers/")


def _staff_page(browser, live_server) -> object:
    context = browser.new_context(
        base_url=live_server.url, locale="nl-BE", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _transition(page, name: str) -> None:
    page.locator('button[name="transition"]', has_text=name).click()
    page.wait_for_load_state()
    assert page.locator(".alert--error, [role=alert].alert--error").count() == 0, page.content()


def _next_step(page) -> None:
    page.locator("main form button[type=submit]:not([name=terug])").first.click()
    page.wait_for_load_state()
    errors = page.locator("[aria-invalid=true]")
    assert errors.count() == 0, page.locator("main").inner_text()


def _assign_to_self(page, username: str) -> None:
    user = get_user_model().objects.get(username=username)
    page.locator("select[name=assignee]").select_option(str(user.pk))
    page.locator("form[action$='/toewijzen/'] button[type=submit]").click()
    page.wait_for_load_state()


def test_a_persona_requests_a_household_composition_and_follows_it(
    page, town, browser, live_server
):
    from loket.cases.models import Case

    page.set_default_timeout(10_000)
    _resident_logs_in(page, "jong-gezin")
    page.goto("/diensten/")
    _axe(page)
    page.locator("a", has_text="gezinssamenstelling").first.click()
    page.wait_for_load_state()
    _axe(page)
    page.locator("a.button", has_text="Online aanvragen").click()
    page.wait_for_url(re.compile(r".*/aanvragen/gezinssamenstelling/.*"))
    _axe(page)
    # The known facts (household members, address) are shown, not asked.
    assert "Sarah" in page.locator("main").inner_text()
    page.locator("select[name=f-doel]").select_option("school")
    page.locator("form.form button[type=submit]:not([name=terug])").first.click()
    page.wait_for_load_state()
    _axe(page)
    page.locator('button[name="actie"][value="indienen"]').click()
    page.wait_for_url(re.compile(r".*/aanvragen/ingediend/.*"))
    case = Case.objects.get()
    assert case.reference in page.locator("main").inner_text()
    _axe(page)

    page.goto("/mijn-dossiers/")
    row = page.locator("tr", has_text=case.reference)
    assert "Ontvangen" in row.inner_text()
    _axe(page)

    staff = _staff_page(browser, live_server)
    try:
        _staff_logs_in(staff, "els")
        assert staff.locator("main").get_by_text(case.reference).count() >= 1
        _axe(staff)
        staff.goto(f"/backoffice/dossiers/{case.reference}/")
        _axe(staff)
        _assign_to_self(staff, "els")
        _transition(staff, "In behandeling nemen")
        page.goto(f"/mijn-dossiers/{case.reference}/")
        assert "In behandeling" in page.locator("main").inner_text()
        _transition(staff, "Goedkeuren")
        _axe(staff)
    finally:
        staff.context.close()

    case.refresh_from_db()
    assert case.status.key == "approved"
    page.goto("/mijn-dossiers/")
    assert "Goedgekeurd" in page.locator("tr", has_text=case.reference).inner_text()
    page.goto(f"/mijn-dossiers/{case.reference}/")
    # The public timeline shows each step; internal lines stay in the back office.
    timeline = page.locator("ol.timeline").inner_text()
    assert "In behandeling" in timeline
    assert "Goedgekeurd" in timeline
    assert page.locator(".timeline__item--internal").count() == 0
    _axe(page)
    page.goto("/mijn-berichten/")
    assert page.locator("main").get_by_text(case.reference).count() >= 1
    _axe(page)


def test_an_anonymous_report_is_followed_with_its_code(page, town, browser, live_server):
    from loket.cases.models import Case

    page.set_default_timeout(10_000)
    page.goto("/melding/")
    _axe(page)
    page.locator("[name=location]").fill("Kerkstraat 12")
    page.locator("[name=description]").fill("De straatlamp brandt niet meer.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/melding/ontvangen/")
    _axe(page)
    code = page.locator(".tracking-code").inner_text().strip()
    case = Case.objects.get()

    page.goto("/volg/")
    _axe(page)
    page.locator("[name=code]").fill(code.lower())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/volg/[^/]+/$"))
    assert "Ontvangen" in page.locator("main").inner_text()
    _axe(page)

    staff = _staff_page(browser, live_server)
    try:
        _staff_logs_in(staff, "tom")
        staff.goto(f"/backoffice/dossiers/{case.reference}/")
        _assign_to_self(staff, "tom")
        _transition(staff, "Inplannen")
    finally:
        staff.context.close()

    page.reload()
    assert "Ingepland" in page.locator("main").inner_text()
    _axe(page)


def test_an_event_permit_collects_advice_from_three_departments(page, town, browser, live_server):
    import datetime as dt

    from django.utils import timezone

    from loket.cases.models import Case

    # Sarah applies for the permit online, with the catalogue's form.
    page.set_default_timeout(10_000)
    _resident_logs_in(page, "jong-gezin")
    page.goto("/aanvragen/evenementenvergunning/")
    _axe(page)
    page.fill("[name=f-naam_evenement]", "Buurtfeest Kerkstraat")
    page.fill("[name=f-datum]", (timezone.localdate() + dt.timedelta(days=90)).isoformat())
    page.fill("[name=f-plaats-street]", "Kerkstraat")
    page.fill("[name=f-plaats-number]", "1")
    page.fill("[name=f-plaats-postcode]", "8770")
    page.fill("[name=f-bezoekers]", "300")
    page.check("[name=f-geluid][value=no]")
    page.check("[name=f-wegafsluiting][value=no]")
    _next_step(page)
    page.set_input_files(
        "[name=f-inplantingsplan]",
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.fill("[name=f-contact_email]", "sarah@example.org")
    page.fill("[name=f-contact_telefoon]", "0470 12 34 56")
    _next_step(page)
    _axe(page)
    page.locator('button[name="actie"][value="indienen"]').click()
    page.wait_for_url(re.compile(r".*/aanvragen/ingediend/.*"))
    reference = Case.objects.get().reference

    staff = _staff_page(browser, live_server)
    try:
        _staff_logs_in(staff, "vera")
        staff.goto(f"/backoffice/dossiers/{reference}/")
        _assign_to_self(staff, "vera")
        _transition(staff, "In behandeling nemen")
        _transition(staff, "Advies vragen")
        page.goto(f"/mijn-dossiers/{reference}/")
        assert "We vragen advies aan politie" in page.locator("main").inner_text()
        # Deciding waits for the advice: while answers are missing the page does not offer it.
        assert Case.objects.get(reference=reference).status.key == "advice"
        grant = staff.locator('button[name="transition"]', has_text="Vergunning verlenen")
        assert grant.count() == 0

        for username in ("piet", "bram", "mo"):
            adviser = _staff_page(browser, live_server)
            try:
                _staff_logs_in(adviser, username)
                adviser.goto(f"/backoffice/dossiers/{reference}/")
                if username == "piet":
                    _axe(adviser)
                adviser.locator("form[action*='/advies/'] textarea[name=answer]").fill(
                    f"Gunstig advies van {username}."
                )
                adviser.locator("form[action*='/advies/'] button[type=submit]").click()
                adviser.wait_for_load_state()
            finally:
                adviser.context.close()
            staff.reload()
            offered = staff.locator('button[name="transition"]', has_text="Vergunning verlenen")
            assert offered.count() == (1 if username == "mo" else 0), username

        staff.goto(f"/backoffice/dossiers/{reference}/")
        advice = staff.locator("section[aria-labelledby=advice-title]").inner_text()
        for username in ("piet", "bram", "mo"):
            assert f"Gunstig advies van {username}." in advice
        _axe(staff)
        _transition(staff, "Vergunning verlenen")
        assert Case.objects.get(reference=reference).status.key == "approved"
    finally:
        staff.context.close()
    page.reload()
    assert "Goedgekeurd" in page.locator("main").inner_text()
