"""A resident's dossiers in one call (with their documents): people:read and
cases:read, only the dossiers up to the client's clearance, one audit line, keyset
pages."""

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
CLEARED = {"max_confidentiality": "social"}
ALL_SCOPES = ("people:read", "cases:read", "documents:read")


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
    cases = [_submit(anna) for _ in range(3)]
    return {"anna": anna, "bert": bert, "cases": cases, "b": _submit(bert)}


def test_a_residents_cases_with_their_documents_in_one_call(
    client: Client, world: dict[str, Any], django_assert_max_num_queries
) -> None:
    anna = world["anna"]
    first = world["cases"][0]
    letter = make_document(anna, title="Decision", case_id=first.pk)
    make_document(world["bert"], title="Bert's decision", case_id=world["b"].pk)
    api_client, headers = bearer(scopes=ALL_SCOPES, **CLEARED)
    audit_lines = AuditEvent.objects.count()
    # token, person, audit line, cases, documents, call log (+ transaction edges)
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/v1/people/{anna.pk}/cases/", **headers)
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["reference"] for row in rows] == [c.reference for c in reversed(world["cases"])]
    assert rows[0]["status_name"]
    by_reference = {row["reference"]: row for row in rows}
    [document] = by_reference[first.reference]["documents"]
    assert document["code"] == letter.code
    assert document["download"].endswith(
        f"/api/v1/cases/{first.reference}/documents/{letter.pk}/pdf"
    )
    assert by_reference[world["cases"][1].reference]["documents"] == []
    assert "Bert" not in response.content.decode()
    assert world["b"].reference not in response.content.decode()
    [line] = AuditEvent.objects.order_by("pk")[audit_lines:]
    assert line.subject_person_id == anna.pk
    assert api_client.name in line.reason
    assert ApiCall.objects.get(client=api_client).personal_data


def test_pages_and_without_documents_read_documents_are_null(
    client: Client, world: dict[str, Any]
) -> None:
    anna = world["anna"]
    make_document(anna, title="Decision", case_id=world["cases"][0].pk)
    _api_client, headers = bearer(scopes=("people:read", "cases:read"), **CLEARED)
    url = f"/api/v1/people/{anna.pk}/cases/?page_size=2"
    seen = []
    while url:
        page = client.get(url, **headers).json()
        assert all(row["documents"] is None for row in page["results"])
        seen += [row["reference"] for row in page["results"]]
        url = page["next"]
    assert seen == [case.reference for case in reversed(world["cases"])]
    bad = client.get(f"/api/v1/people/{anna.pk}/cases/?cursor=bm9wZQ", **headers)
    assert bad.status_code == 400
    assert bad["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("scopes", "clearance"),
    [
        (("people:read", "documents:read"), "social"),  # no cases:read
        (("cases:read", "documents:read"), "social"),  # no people:read
    ],
)
def test_refused_clients_read_nothing(
    client: Client, world: dict[str, Any], scopes: tuple[str, ...], clearance: str
) -> None:
    _api_client, headers = bearer(scopes=scopes, max_confidentiality=clearance)
    audit_lines = AuditEvent.objects.count()
    response = client.get(f"/api/v1/people/{world['anna'].pk}/cases/", **headers)
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert world["cases"][0].reference not in response.content.decode()
    assert AuditEvent.objects.count() == audit_lines


def test_a_lower_clearance_sees_the_dossiers_up_to_its_level(
    client: Client, world: dict[str, Any]
) -> None:
    anna = world["anna"]
    normal, sensitive, social = world["cases"]
    Case.objects.filter(pk=normal.pk).update(confidentiality="normal")
    Case.objects.filter(pk=sensitive.pk).update(confidentiality="sensitive")
    Case.objects.filter(pk=social.pk).update(confidentiality="social")
    make_document(anna, title="Social decision", case_id=social.pk)
    expected = {
        "normal": [normal.reference],
        "sensitive": [sensitive.reference, normal.reference],
        "social": [social.reference, sensitive.reference, normal.reference],
    }
    for level, references in expected.items():
        _api_client, headers = bearer(scopes=ALL_SCOPES, max_confidentiality=level, name=level)
        audit_lines = AuditEvent.objects.filter(subject_person_id=anna.pk).count()
        seen, bodies, url = [], "", f"/api/v1/people/{anna.pk}/cases/?page_size=1"
        calls = 0
        while url:
            response = client.get(url, **headers)
            assert response.status_code == 200, level
            bodies += response.content.decode()
            seen += [row["reference"] for row in response.json()["results"]]
            url = response.json()["next"]
            calls += 1
        assert seen == references, level
        assert (social.reference in bodies) == (level == "social")
        assert ("Social decision" in bodies) == (level == "social")
        # Still a read of the resident's file: one audit line per call.
        assert AuditEvent.objects.filter(subject_person_id=anna.pk).count() == audit_lines + calls


def test_a_resident_out_of_reach_is_404(client: Client, world: dict[str, Any]) -> None:
    _api_client, headers = bearer(scopes=ALL_SCOPES, **CLEARED)
    audit_lines = AuditEvent.objects.count()
    for person_id in (999_999, 2**70):
        response = client.get(f"/api/v1/people/{person_id}/cases/", **headers)
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
    assert AuditEvent.objects.count() == audit_lines
    assert client.get(f"/api/v1/people/{world['anna'].pk}/cases/").status_code == 401
