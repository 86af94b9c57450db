"""The REST API: tokens, scopes, problem details, pagination, audit, linked data."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from loket.api.models import ApiCall
from loket.api.tests.helpers import bearer, make_client
from loket.core.models import AuditEvent
from loket.core.tests.factories import OrganisationFactory
from loket.people.tests.factories import AddressFactory, PersonFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


FORM = "application/x-www-form-urlencoded"


def _form(client: Client, data: dict, **headers: str):
    return client.post("/api/oauth/token", urlencode(data), content_type=FORM, **headers)


def _token(client: Client, key: str, secret: str, **extra: str):
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return _form(
        client, {"grant_type": "client_credentials", **extra}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )


def test_token_with_basic_and_post_authentication(client: Client) -> None:
    _api_client, key, secret = make_client(scopes=("people:read", "cases:read"))
    response = _token(client, key, secret, scope="people:read")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "people:read"
    assert response["Cache-Control"] == "no-store"
    posted = _form(
        client, {"grant_type": "client_credentials", "client_id": key, "client_secret": secret}
    )
    assert posted.status_code == 200
    assert posted.json()["scope"] == "cases:read people:read"


def test_token_refusals(client: Client) -> None:
    _api_client, key, secret = make_client(scopes=("people:read",))
    assert _token(client, key, "wrong").json()["error"] == "invalid_client"
    assert _token(client, key, "wrong").status_code == 401
    assert _token(client, key, secret, scope="cases:read").json()["error"] == "invalid_scope"
    wrong_grant = _form(client, {"grant_type": "password"})
    assert wrong_grant.json()["error"] == "unsupported_grant_type"
    unknown = _token(client, key, secret, colour="blue")
    assert unknown.json()["error"] == "invalid_request"
    as_json = client.post("/api/oauth/token", "{}", content_type="application/json")
    assert as_json.status_code == 415
    assert as_json["Content-Type"] == PROBLEM


def test_public_organisations_and_linked_data(client: Client, settings) -> None:
    OrganisationFactory(name="Gemeente Proefdorp", slug="proefdorp")
    OrganisationFactory(kind="ocmw", name="OCMW Proefdorp", slug="ocmw-proefdorp")
    listing = client.get("/api/v1/organisations/")
    assert listing.status_code == 200
    assert {row["slug"] for row in listing.json()["results"]} == {"proefdorp", "ocmw-proefdorp"}
    only_ocmw = client.get("/api/v1/organisations/?kind=ocmw").json()["results"]
    assert [row["slug"] for row in only_ocmw] == ["ocmw-proefdorp"]
    ld = client.get("/api/v1/organisations/proefdorp/", HTTP_ACCEPT="application/ld+json")
    assert ld["Content-Type"].startswith("application/ld+json")
    body = ld.json()
    assert body["@type"] == "Organisatie"
    assert body["@context"]["Organisatie"] == "org:Organization"
    assert body["primaireVestiging"]["adres"]["postcode"] == "8770"
    from pyld import jsonld

    expanded = jsonld.expand(body)
    assert expanded[0]["@type"] == ["http://www.w3.org/ns/org#Organization"]


def test_cursor_pagination_and_query_count(client: Client, django_assert_max_num_queries) -> None:
    for n in range(7):
        OrganisationFactory(slug=f"org-{n}")
    seen = []
    url = "/api/v1/organisations/?page_size=3"
    while url:
        with django_assert_max_num_queries(2):
            page = client.get(url).json()
        seen += [row["slug"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(f"org-{n}" for n in range(7))


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/organisations/?colour=blue", 400),
        ("/api/v1/organisations/?page_size=0", 400),
        ("/api/v1/organisations/?page_size=abc", 400),
        ("/api/v1/organisations/?cursor=bogus", 404),
        ("/api/v1/organisations/nope/", 404),
        ("/api/v1/nothing-here/", 404),
        ("/api/v1/people/", 401),
    ],
)
def test_errors_are_problem_details(client: Client, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]


def test_method_not_allowed_and_unknown_query_parameters_list_errors(client: Client) -> None:
    response = client.delete("/api/v1/organisations/")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    bad = client.get("/api/v1/organisations/?colour=blue").json()
    assert bad["errors"] == {"colour": ["Unknown query parameter."]}


def test_narrow_scope_cannot_read_people(client: Client) -> None:
    PersonFactory()
    _api_client, headers = bearer(scopes=("cases:read",))
    response = client.get("/api/v1/people/", **headers)
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "results" not in response.json()


def test_people_read_is_audited_and_masked(client: Client) -> None:
    person = PersonFactory(address=AddressFactory())
    api_client, headers = bearer(scopes=("people:read",))
    response = client.get(f"/api/v1/people/{person.pk}/", **headers)
    assert response.status_code == 200
    body = response.json()
    assert body["masked_national_number"].endswith("***.**")
    assert str(person.national_number) not in response.content.decode()
    line = AuditEvent.objects.get(subject_person_id=person.pk, action="view")
    assert api_client.name in line.reason
    call = ApiCall.objects.get(client=api_client)
    assert call.personal_data
    assert call.status_code == 200


def test_people_lookup_by_national_number_in_the_body(client: Client) -> None:
    person = PersonFactory()
    _api_client, headers = bearer(scopes=("people:read",))
    found = client.post(
        "/api/v1/people/lookup",
        json.dumps({"national_number": person.national_number}),
        content_type="application/json",
        **headers,
    )
    assert found.status_code == 200
    assert found.json()["id"] == person.pk
    for body, status in (
        ("{not json", 400),
        (json.dumps({"national_number": 12, "extra": 1}), 400),
        (json.dumps([1, 2]), 400),
        (json.dumps({"national_number": "00000000000"}), 404),
    ):
        response = client.post(
            "/api/v1/people/lookup", body, content_type="application/json", **headers
        )
        assert response.status_code == status, body
        assert response["Content-Type"] == PROBLEM
    unknown = client.post(
        "/api/v1/people/lookup",
        json.dumps({"national_number": "x", "extra": 1}),
        content_type="application/json",
        **headers,
    ).json()
    assert unknown["errors"]["extra"] == ["Unknown field."]


def test_huge_body_is_413(client: Client, settings) -> None:
    settings.LOKET_API_MAX_BODY_BYTES = 100
    _api_client, headers = bearer(scopes=("people:read",))
    response = client.post(
        "/api/v1/people/lookup",
        json.dumps({"national_number": "1" * 500}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM


def test_rate_limit_per_client(client: Client) -> None:
    _api_client, headers = bearer(rate_limit_per_minute=2)
    codes = [client.get("/api/v1/organisations/", **headers).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_people_list_pages_and_audits_each_person(client: Client) -> None:
    for n in range(3):
        PersonFactory(last_name=f"Peeters{n}")
    _api_client, headers = bearer(scopes=("people:read",))
    first = client.get("/api/v1/people/?name=peeters&page_size=2", **headers).json()
    assert len(first["results"]) == 2
    second = client.get(first["next"], **headers).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert AuditEvent.objects.filter(action="view", subject_person_id__isnull=False).count() == 3
    bad_cursor = client.get("/api/v1/people/?cursor=@@@", **headers)
    assert bad_cursor.status_code == 400


def test_revoked_client_token_stops_working(client: Client) -> None:
    from loket.api import services

    api_client, headers = bearer()
    assert client.get("/api/v1/organisations/", **headers).status_code == 200
    services.api_client_revoke(actor=None, client_id=api_client.pk)
    response = client.get("/api/v1/organisations/", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_tokens_are_refused_and_pruned(client: Client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from loket.api import services
    from loket.api.models import ApiToken

    _api_client, headers = bearer()
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/organisations/", **headers).status_code == 401
    assert services.api_tokens_prune() == 1
    assert not ApiToken.objects.exists()


def test_departments_as_linked_data(client: Client) -> None:
    organisation = OrganisationFactory(slug="proefdorp")
    organisation.departments.create(name="Burgerzaken", slug="burgerzaken")
    body = client.get("/api/v1/departments/", HTTP_ACCEPT="application/ld+json").json()
    [node] = body["@graph"]
    assert node["@type"] == "org:OrganizationalUnit"
    assert node["isEenheidVan"].endswith("/id/organisatie/proefdorp")


def test_unknown_addresses_with_newlines_are_problems_too(client: Client) -> None:
    response = client.get("/api/v1/cases/%0A/documents/x/pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
