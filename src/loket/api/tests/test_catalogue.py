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


def test_linked_data_is_negotiated_to_the_cpsv_ap_document(client: Client) -> None:
    department = OrganisationFactory().departments.create(name="Burgerzaken", slug="bz")
    _service(department, 1)
    _service(department, 2, published=False)
    accept = {"HTTP_ACCEPT": "application/ld+json"}
    detail = client.get("/api/v1/services/dienst-1/", **accept)
    assert detail.status_code == 303
    assert "Accept" in detail["Vary"].split(", ")
    assert detail["Location"].endswith("/diensten/dienst-1/cpsv-ap.jsonld")
    document = client.get(detail["Location"])
    assert document["Content-Type"].startswith("application/ld+json")
    assert "cpsv:PublicService" in document.content.decode()
    listing = client.get("/api/v1/services/", **accept)
    assert listing.status_code == 303
    assert listing["Location"].endswith("/diensten/cpsv-ap.jsonld")
    assert client.get("/api/v1/services/dienst-2/", **accept).status_code == 404
    assert client.get("/api/v1/services/dienst-1/").json()["slug"] == "dienst-1"
