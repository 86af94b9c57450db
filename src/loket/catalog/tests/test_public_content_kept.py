"""The home page, the catalogue and a service's page keep their rendered content
(ADR 0019): a second visit reads no catalogue rows, and a saved change shows at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from loket.catalog.models import Fee, LifeEvent, Service
from loket.catalog.tests.conftest import make_service
from loket.core.constants import PUBLIC_CONTENT_EPOCH_KEY
from loket.core.models import OpeningHours, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dutch(settings: Any) -> None:
    settings.LANGUAGE_CODE = "nl-be"


def _tables(client: Client, url: str) -> tuple[str, set[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # The tables the page read from (joins aside); the session and user are not content.
    read = {
        table
        for query in queries.captured_queries
        for table in re.findall(r'FROM "(\w+)"', query["sql"])
        if table.startswith(("catalog_", "core_organisation", "core_department", "core_opening"))
    }
    return response.content.decode(), read


def test_the_catalogue_is_rendered_once_and_again_after_a_change(
    client: Client, department: Any, django_capture_on_commit_callbacks: Any
) -> None:
    service = make_service(department, slug="verhuizen", title="Adreswijziging")
    event = LifeEvent.objects.create(slug="verhuizen", name="Verhuizen")
    service.life_events.add(event)

    first, read = _tables(client, "/diensten/")
    assert "Adreswijziging" in first
    assert read
    second, read = _tables(client, "/diensten/")
    assert "Adreswijziging" in second
    assert not read  # kept: no catalogue rows read

    with django_capture_on_commit_callbacks(execute=True):
        Service.objects.filter(pk=service.pk).update(title="Verhuis melden")
        Service.objects.get(pk=service.pk).save()  # the configuration screens save
    third, read = _tables(client, "/diensten/")
    assert "Verhuis melden" in third
    assert "Adreswijziging" not in third

    with django_capture_on_commit_callbacks(execute=True):
        service.life_events.remove(event)  # a relation changes the content too
    assert "Verhuizen" not in _tables(client, "/diensten/")[0]


def test_a_service_page_is_kept_per_service_and_language(client: Client, department: Any) -> None:
    make_service(department, slug="een", title="Eerste dienst")
    make_service(department, slug="twee", title="Tweede dienst")
    assert "Eerste dienst" in _tables(client, "/diensten/een/")[0]
    page, read = _tables(client, "/diensten/twee/")
    assert "Tweede dienst" in page
    assert "Eerste dienst" not in page
    page, read = _tables(client, "/diensten/een/")
    assert "Eerste dienst" in page
    assert read == {"catalog_service"}  # only the service itself, for the 404 and the title

    client.cookies["django_language"] = "fr"
    french = client.get("/diensten/een/").content.decode()
    assert '<html lang="fr">' in french
    assert "Comment faire la demande" in french or "Qui peut" in french

    Fee.objects.create(service=Service.objects.get(slug="een"), amount_cents=750)
    assert "7,50" in client.get("/diensten/een/").content.decode()


def test_an_unpublished_service_is_gone_even_when_its_page_was_kept(
    client: Client, department: Any
) -> None:
    service = make_service(department, slug="weg", title="Weg")
    assert client.get("/diensten/weg/").status_code == 200
    Service.objects.filter(pk=service.pk).update(is_published=False)  # no signal at all
    assert client.get("/diensten/weg/").status_code == 404


def test_the_home_page_follows_the_municipality_and_the_weekday(
    client: Client, department: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organisation = department.organisation
    first, read = _tables(client, "/")
    assert organisation.name in first
    assert read
    assert _tables(client, "/")[1] == set()

    with django_capture_on_commit_callbacks(execute=True):
        Organisation.objects.filter(pk=organisation.pk).update(name="Stad Mandelmunster")
        Organisation.objects.get(pk=organisation.pk).save()
    assert "Stad Mandelmunster" in _tables(client, "/")[0]

    OpeningHours.objects.create(organisation=organisation, weekday=2, opens="09:00", closes="12:00")
    assert "09:00" in _tables(client, "/")[0] or "9:00" in _tables(client, "/")[0]


def test_saving_moves_the_epoch_at_once_for_the_rest_of_the_transaction(
    client: Client, department: Any
) -> None:
    make_service(department, slug="blijft", title="Blijft staan")
    before = cache.get(PUBLIC_CONTENT_EPOCH_KEY)
    page = client.get("/diensten/").content.decode()
    assert "Blijft staan" in page
    Service.objects.get(slug="blijft").save()
    assert cache.get(PUBLIC_CONTENT_EPOCH_KEY) != before  # moved at once, and on commit
