"""Lists of dossiers: scope cases:read, confidentiality-filtered, keyset-paged, filters,
audited per resident; a resident's dossiers (and their documents) in one call."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.api.models import ApiCall
from loket.api.tests.helpers import bearer, make_document
from loket.cases.constants import PartyKind
from loket.cases.models import Case
from loket.cases.services import case_submit, case_types_seed_demo
from loket.cases.types import PartyRef
from loket.core.models import AuditEvent
from loket.core.tests.factories import OrganisationFactory
from loket.people.tests.factories import AddressFactory, PersonFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _submit(person: Any) -> Case:
    result = case_submit(
        actor=None,
        case_type_slug="gezinssamenstelling",
        data={"doel": "school"},
        party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label=str(person), person_id=person.pk),
    )
    return Case.objects.get(pk=result.case_id)


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    anna, bert = PersonFactory(address=AddressFactory()), PersonFactory(address=AddressFactory())
    cases = [_submit(anna) for _ in range(4)] + [_submit(bert)]
    secret = cases[1]
    Case.objects.filter(pk=secret.pk).update(confidentiality="sensitive")
    return {"anna": anna, "bert": bert, "cases": cases, "secret": secret}


def _all_pages(client: Client, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        page = response.json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_list_pages_newest_first_up_to_the_clearance(
    client: Client, world: dict[str, Any], django_assert_max_num_queries
) -> None:
    api_client, headers = bearer(scopes=("cases:read",))
    rows = _all_pages(client, "/api/v1/cases/?page_size=2", headers)
    expected = [case.reference for case in reversed(world["cases"]) if case != world["secret"]]
    assert [row["reference"] for row in rows] == expected
    assert rows[0]["status_name"]
    assert rows[0]["department_name"]
    # Every resident on a page gets an audit line naming the client.
    assert AuditEvent.objects.filter(
        subject_person_id=world["anna"].pk, action="view", reason__contains=api_client.name
    ).exists()
    # Token, list, audit lines (one per resident on the page) and the call log: the
    # count does not grow with the page.
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/cases/?page_size=100", **headers).json()["results"]) == 4


def test_filters(client: Client, world: dict[str, Any]) -> None:
    _api_client, headers = bearer(scopes=("cases:read",), max_confidentiality="sensitive")
    case = world["cases"][0]

    def references(query: str) -> set[str]:
        return {row["reference"] for row in _all_pages(client, f"/api/v1/cases/?{query}", headers)}

    assert len(references("")) == 5
    assert references(f"status={case.status.key}") == references("")
    assert references("status=closed") == set()
    assert len(references("case_type=gezinssamenstelling")) == 5
    assert references("case_type=nothing") == set()
    assert len(references(f"department={case.department_id}")) == 5
    assert references("department=999999") == set()
    assert len(references("updated_since=2000-01-01T00:00:00Z")) == 5
    assert references("updated_since=2999-01-01T00:00:00%2B02:00") == set()


@pytest.mark.parametrize(
    "query",
    [
        "updated_since=yesterday",
        "department=abc",
        "department=0",
        "cursor=bogus",
        "cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ",
        "page_size=101",
        "colour=blue",
    ],
)
def test_bad_parameters_are_problems(client: Client, world: dict[str, Any], query: str) -> None:
    _api_client, headers = bearer(scopes=("cases:read",))
    response = client.get(f"/api/v1/cases/?{query}", **headers)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"]


def test_without_cases_read_nothing_is_read(client: Client, world: dict[str, Any]) -> None:
    _api_client, headers = bearer(scopes=("people:read", "documents:read"))
    audit_lines = AuditEvent.objects.count()
    for url in ("/api/v1/cases/", f"/api/v1/people/{world['anna'].pk}/cases/"):
        response = client.get(url, **headers)
        assert response.status_code == 403
        assert response["Content-Type"] == PROBLEM
        assert world["cases"][0].reference not in response.content.decode()
    assert AuditEvent.objects.count() == audit_lines
    assert client.get("/api/v1/cases/").status_code == 401


def test_a_residents_cases_with_their_documents_in_one_call(
    client: Client, world: dict[str, Any], django_assert_max_num_queries
) -> None:
    anna = world["anna"]
    first = world["cases"][0]
    letter = make_document(anna, title="Decision", case_id=first.pk)
    make_document(anna, title="Hidden decision", case_id=world["secret"].pk)
    api_client, headers = bearer(scopes=("people:read", "cases:read", "documents:read"))
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/v1/people/{anna.pk}/cases/", **headers)
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["reference"] for row in rows] == [
        case.reference for case in reversed(world["cases"][:4]) if case != world["secret"]
    ]
    by_reference = {row["reference"]: row for row in rows}
    [document] = by_reference[first.reference]["documents"]
    assert document["code"] == letter.code
    assert document["case_reference"] == first.reference
    assert document["download"].endswith(f"/api/v1/documents/{letter.pk}/pdf")
    assert "Hidden decision" not in response.content.decode()
    lines = AuditEvent.objects.filter(subject_person_id=anna.pk, reason__contains=api_client.name)
    assert lines.count() == 1
    assert ApiCall.objects.get(client=api_client).personal_data


def test_a_residents_cases_without_documents_read_leave_documents_out(
    client: Client, world: dict[str, Any]
) -> None:
    anna = world["anna"]
    make_document(anna, title="Decision", case_id=world["cases"][0].pk)
    _api_client, headers = bearer(scopes=("people:read", "cases:read"))
    rows = client.get(f"/api/v1/people/{anna.pk}/cases/?page_size=1", **headers).json()
    assert rows["next"]
    assert rows["results"][0]["documents"] is None
    assert "Decision" not in str(rows)


def test_a_resident_out_of_reach_is_404(client: Client, world: dict[str, Any]) -> None:
    _api_client, headers = bearer(scopes=("people:read", "cases:read"))
    audit_lines = AuditEvent.objects.count()
    assert audit_lines
    for person_id in (999_999, 2**70):
        response = client.get(f"/api/v1/people/{person_id}/cases/", **headers)
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
    assert AuditEvent.objects.count() == audit_lines
