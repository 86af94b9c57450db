from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from loket.core.constants import OrganisationKind
from loket.core.tests.factories import (
    DepartmentFactory,
    OpeningHoursFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl-be", "fr", "en", "de"]
HOME = "/"


def _get(client: Client, url: str, language: str | None = None) -> str:
    if language:
        client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def town():
    city = OrganisationFactory(
        name="Gemeente Mandelmunster",
        is_primary=True,
        municipality="Mandelmunster",
        phone="051 33 74 00",
        email="info@mandelmunster.example",
    )
    ocmw = OrganisationFactory(
        name="OCMW Mandelmunster", kind=OrganisationKind.OCMW, municipality="Mandelmunster"
    )
    OpeningHoursFactory(organisation=city, weekday=0, opens=dt.time(9), closes=dt.time(12))
    OpeningHoursFactory(organisation=city, weekday=0, opens=dt.time(14), closes=dt.time(19))
    OpeningHoursFactory(
        organisation=ocmw,
        weekday=2,
        opens=dt.time(13, 30),
        closes=dt.time(16),
        by_appointment=True,
    )
    DepartmentFactory(organisation=city, name="Burgerzaken", email="burgerzaken@example.invalid")
    DepartmentFactory(organisation=ocmw, name="Sociale dienst", phone="051 33 74 50")
    return city, ocmw


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_renders_in_every_language_with_skip_link_and_landmarks(client, town, language):
    html = _get(client, HOME, language)

    assert f'<html lang="{language}">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in html
    assert "Gemeente Mandelmunster" in html


def test_home_in_dutch_shows_offer_hours_contact_and_departments(client, town):
    html = _get(client, HOME)

    assert "Welkom bij het digitale loket van Gemeente Mandelmunster" in html
    assert "Binnenkort" not in html  # every service on the home page exists now
    assert "Attesten en documenten aanvragen" in html
    # Opening hours: both slots of Monday, a closed day, an appointment-only slot.
    assert "Openingsuren van Gemeente Mandelmunster" in html
    assert "09:00 tot 12:00" in html
    assert "14:00 tot 19:00" in html
    assert "13:30 tot 16:00 (op afspraak)" in html
    assert "Gesloten" in html
    # Contact details, with working phone and e-mail links.
    assert 'href="tel:051337400"' in html
    assert 'href="mailto:info@mandelmunster.example"' in html
    # Departments, grouped per organisation.
    assert "Burgerzaken" in html
    assert "Sociale dienst" in html


def test_services_lead_to_their_pages(client, town):
    html = _get(client, HOME)
    services = html.split('id="services"')[1].split("</section>")[0]
    names = ("catalog:index", "cases:report", "cases:list", "documents:mine", "payments:mine")
    for name in names:
        assert f'href="{reverse(name)}"' in services
    assert 'class="badge"' not in services


def test_home_in_french_shows_french_text(client, town):
    html = _get(client, HOME, "fr")

    assert '<html lang="fr">' in html
    assert "Horaires d’ouverture et contact" in html
    assert "Fermé" in html
    assert "Openingsuren" not in html


def test_empty_state_when_no_organisation_is_configured(client):
    html = _get(client, HOME)

    assert "Deze gemeente is nog niet ingesteld." in html
    assert reverse("admin:index") in html


def test_home_query_count_does_not_grow_with_organisations(client, django_assert_max_num_queries):
    OrganisationFactory(is_primary=True)
    # organisations, departments, opening hours, life events
    with django_assert_max_num_queries(5):
        client.get(HOME)

    for _ in range(6):
        organisation = OrganisationFactory()
        for weekday in range(5):
            OpeningHoursFactory(organisation=organisation, weekday=weekday)
        DepartmentFactory.create_batch(3, organisation=organisation)

    with django_assert_max_num_queries(5):
        html = _get(client, HOME)
    assert html.count('<li class="card card--muted">') == 18


def test_demo_banner_only_in_demo_mode(client, town, settings):
    settings.LOKET_DEMO = False
    assert "Dit is een demonstratie met verzonnen gegevens." not in _get(client, HOME)

    settings.LOKET_DEMO = True
    assert "Dit is een demonstratie met verzonnen gegevens." in _get(client, HOME)


def test_municipality_colours_become_css_custom_properties(client):
    OrganisationFactory(is_primary=True, primary_colour="#7a1f3d", accent_colour="#00a3e0")
    html = _get(client, HOME)

    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None
    assert "--brand:#7a1f3d;" in style.group(1)
    assert "--accent:#00a3e0;" in style.group(1)


def test_page_links_a_print_stylesheet_and_no_script(client, town):
    html = _get(client, HOME)

    assert re.search(r'<link rel="stylesheet" href="[^"]*print\.css" media="print">', html)
    assert "<script" not in html


def test_language_form_works_without_javascript(client, town):
    html = _get(client, HOME)
    assert 'action="/i18n/setlang/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="next" value="/">' in html

    response = client.post("/i18n/setlang/", {"language": "de", "next": HOME})
    assert response.status_code == 302
    assert response["Location"] == HOME

    html = client.get(HOME).content.decode()
    assert '<html lang="de">' in html
    assert "Öffnungszeiten und Kontakt" in html


def test_language_form_keeps_csrf_protection(town):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": HOME})
    assert response.status_code == 403


def test_dutch_is_the_default_whatever_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9,fr;q=0.8")
    assert response.status_code == 200
    assert b'<html lang="nl-be"' in response.content


def test_the_chosen_language_wins_over_the_default(client):
    client.cookies["django_language"] = "de"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert b'<html lang="de"' in response.content
