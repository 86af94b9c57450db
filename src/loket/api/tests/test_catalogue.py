"""Catalogue endpoints: published services only, public, without N+1."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.catalog.models import LifeEvent, Service
from loket.core.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _service(department, n: int, *, published: bool = True) -> Service:
    return Service.objects.create(
        slug=f"dienst-{n}",
        identifier=f"urn:test:dienst-{n}",
        title=f"Dienst {n}",
        department=department,
        is_published=published,
    )


def test_published_services_are_listed_in_pages(
    client: Client, django_assert_max_num_queries
) -> None:
    department = OrganisationFactory().departments.create(name="Burgerzaken", slug="bz")
    moving = LifeEvent.objects.create(slug="verhuizen", name="Verhuizen")
    for n in range(5):
        _service(department, n).life_events.add(moving)
    _service(department, 99, published=False)
    seen: list[str] = []
    url = "/api/v1/services/?page_size=2"
    while url:
        with django_assert_max_num_queries(3):
            page = client.get(url).json()
        seen += [row["slug"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == [f"dienst-{n}" for n in range(5)]
    detail = client.get("/api/v1/services/dienst-1/").json()
    assert detail["life_events"] == ["verhuizen"]
    assert detail["department"]["name"] == "Burgerzaken"
    assert client.get("/api/v1/services/dienst-99/").status_code == 404
    filtered = client.get("/api/v1/services/?life_event=verhuizen").json()["results"]
    assert len(filtered) == 5


def test_linked_data_is_negotiated_to_the_cpsv_ap_document(
    client: Client, django_assert_max_num_queries
) -> None:
    department = OrganisationFactory().departments.create(name="Burgerzaken", slug="bz")
    moving = LifeEvent.objects.create(slug="verhuizen", name="Verhuizen")
    _service(department, 1).life_events.add(moving)
    _service(department, 2, published=False)
    _service(department, 3)
    accept = {"HTTP_ACCEPT": "application/ld+json"}
    detail = client.get("/api/v1/services/dienst-1/", **accept)
    assert detail.status_code == 200
    assert detail["Content-Type"] == "application/ld+json"
    assert "Accept" in detail["Vary"]
    # The same document the catalogue publishes for the service.
    assert detail.json() == client.get("/diensten/dienst-1/cpsv-ap.jsonld").json()
    assert detail.json()["@type"] == "cpsv:PublicService"
    assert detail.json()["loket:slug"] == "dienst-1"
    assert client.get("/api/v1/services/dienst-2/", **accept).status_code == 404
    assert client.get("/api/v1/services/nope/", **accept).status_code == 404
    with django_assert_max_num_queries(3):
        listing = client.get("/api/v1/services/", **accept)
    assert listing.status_code == 200
    assert listing["Content-Type"] == "application/ld+json"
    assert listing.json() == client.get("/diensten/cpsv-ap.jsonld").json()
    assert [node["loket:slug"] for node in listing.json()["@graph"]] == ["dienst-1", "dienst-3"]
    only_moving = client.get("/api/v1/services/?life_event=verhuizen", **accept).json()
    assert [node["loket:slug"] for node in only_moving["@graph"]] == ["dienst-1"]
    # Linked data a JSON-LD processor reads as CPSV-AP public services.
    from pyld import jsonld

    expanded = jsonld.expand(listing.json())
    assert {"http://purl.org/vocab/cpsv#PublicService"} == {
        kind for node in expanded for kind in node["@type"]
    }
    # Without the header: plain JSON, as before.
    plain = client.get("/api/v1/services/dienst-1/")
    assert plain["Content-Type"] == "application/json"
    assert plain.json()["slug"] == "dienst-1"
