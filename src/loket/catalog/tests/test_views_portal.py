"""Residents' pages of the catalogue: by life event, search, a service's page and the
JSON-LD export; every list with a bounded number of queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from loket.catalog.models import LifeEvent
from loket.catalog.tests.conftest import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _many(department: Any, count: int) -> None:
    event = LifeEvent.objects.create(slug="verhuizen", name="Verhuizen")
    for n in range(count):
        service = make_service(department, slug=f"dienst-{n:02d}", title=f"Attest {n:02d}")
        service.life_events.add(event)


def test_the_catalogue_shows_life_events_and_services_in_few_queries(
    client: Client, department: Any, django_assert_max_num_queries: Any
) -> None:
    _many(department, 25)
    make_service(department, slug="verborgen", title="Verborgen dienst", is_published=False)
    with django_assert_max_num_queries(8):
        response = client.get("/diensten/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Verhuizen" in page
    assert "Attest 24" in page
    assert "Verborgen dienst" not in page


def test_an_empty_catalogue_says_so(client: Client, db: Any) -> None:
    page = client.get("/diensten/").content.decode()
    assert "There are no services online yet" in page


def test_search_finds_words_in_title_summary_and_description_with_pages(
    client: Client, department: Any, django_assert_max_num_queries: Any
) -> None:
    _many(department, 25)
    make_service(department, slug="zaal", title="Een zaal huren", summary="Voor je feest.")
    assert "Een zaal huren" in client.get("/diensten/", {"q": "feest"}).content.decode()
    assert "Een zaal huren" in client.get("/diensten/", {"q": "ZAAL"}).content.decode()
    with django_assert_max_num_queries(6):
        first = client.get("/diensten/", {"q": "attest"}).content.decode()
    assert "Attest 00" in first
    assert "Attest 20" not in first
    assert "More results" in first
    cursor = first.split("na=")[1].split('"')[0]
    second = client.get("/diensten/", {"q": "attest", "na": cursor}).content.decode()
    assert "Attest 20" in second
    assert "Attest 00" not in second
    assert "We found no service" in client.get("/diensten/", {"q": "onbestaand"}).content.decode()
    assert client.get("/diensten/", {"q": "attest", "na": "garbage!"}).status_code == 200


def test_a_service_page_shows_every_field_and_the_way_to_apply(
    client: Client, event_service: Any
) -> None:
    page = client.get("/diensten/evenementenvergunning/").content.decode()
    assert "Evenementenvergunning" in page
    assert "You need to log in with itsme or eID." in page
    assert 'href="/aanvragen/evenementenvergunning/"' in page
    assert "Online" in page
    assert "At the counter" in page
    assert "Een evenement organiseren" in page
    assert "Verenigingen" in page


def test_a_service_without_login_or_form(client: Client, department: Any) -> None:
    make_service(department, slug="melding", title="Melding", login_level=0)
    page = client.get("/diensten/melding/").content.decode()
    assert "cannot apply for this online yet" in page
    assert "/aanvragen/melding/" not in page


def test_unpublished_and_unknown_services_are_not_found(client: Client, department: Any) -> None:
    make_service(department, slug="concept", is_published=False)
    assert client.get("/diensten/concept/").status_code == 404
    assert client.get("/diensten/bestaat-niet/").status_code == 404
    assert client.get("/diensten/concept/cpsv-ap.jsonld").status_code == 404
    assert client.get("/diensten/levensgebeurtenis/nergens/").status_code == 404


def test_a_life_event_page_lists_its_services(client: Client, event_service: Any) -> None:
    page = client.get("/diensten/levensgebeurtenis/een-evenement-organiseren/").content.decode()
    assert "Evenementenvergunning" in page
    LifeEvent.objects.create(slug="overlijden", name="Overlijden")
    empty = client.get("/diensten/levensgebeurtenis/overlijden/").content.decode()
    assert "There are no services online for this yet" in empty


def test_the_json_ld_export_is_public(
    client: Client, department: Any, django_assert_max_num_queries: Any
) -> None:
    _many(department, 10)
    with django_assert_max_num_queries(6):
        response = client.get("/diensten/cpsv-ap.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    document = json.loads(response.content)
    assert len(document["@graph"]) == 10
    assert "cpsv" in document["@context"]
    single = json.loads(client.get("/diensten/dienst-01/cpsv-ap.jsonld").content)
    assert single["@type"] == "cpsv:PublicService"
    assert "@context" in single


def test_a_service_page_shows_the_translated_title_when_there_is_one(
    client: Client, department: Any, settings: Any
) -> None:
    make_service(
        department,
        slug="woonst",
        title="Bewijs van woonst",
        translations={"fr": {"title": "Certificat de résidence"}},
    )
    dutch = client.get("/diensten/woonst/").content.decode()
    assert "<h1>Bewijs van woonst</h1>" in dutch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get("/diensten/woonst/").content.decode()
    assert "<h1>Certificat de résidence</h1>" in french
