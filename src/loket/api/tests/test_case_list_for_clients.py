"""The dossier list for systems of the town hall and its partners (``/api/v1/cases/``):
cases:read, only dossiers up to the client's clearance, filters, keyset pages, one
audit line per resident on a page, and as many queries for 3 dossiers as for 12."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from loket.api.models import ApiCall
from loket.api.tests.helpers import bearer
from loket.cases import selectors
from loket.cases.constants import PartyKind
from loket.cases.models import Case, Status
from loket.cases.services import case_submit, case_types_seed_demo
from loket.cases.types import PartyRef
from loket.core.models import AuditEvent, Department
from loket.core.tests.factories import OrganisationFactory
from loket.people.tests.factories import AddressFactory, PersonFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
URL = "/api/v1/cases/"


def _submit(person: Any, slug: str = "gezinssamenstelling", **fields: Any) -> Case:
    result = case_submit(
        actor=None,
        case_type_slug=slug,
        data={"doel": "school", "purpose": "school"},
        party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label=str(person), person_id=person.pk),
    )
    if fields:
        Case.objects.filter(pk=result.case_id).update(**fields)
    return Case.objects.select_related("status", "case_type").get(pk=result.case_id)


@pytest.fixture
def world(settings: Any) -> dict[str, Any]:
    settings.LANGUAGE_CODE = "en"
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    anna, bert = PersonFactory(address=AddressFactory()), PersonFactory(address=AddressFactory())
    return {
        "anna": anna,
        "bert": bert,
        "normal": _submit(anna, confidentiality="normal"),
        "sensitive": _submit(bert, confidentiality="sensitive"),
        "social": _submit(anna, confidentiality="social"),
    }


def _references(client: Client, url: str, headers: dict[str, str]) -> list[str]:
    """Every reference over all pages, in order."""
    seen: list[str] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url, **headers)
        assert response.status_code == 200, response.content
        seen += [row["reference"] for row in response.json()["results"]]
        next_url = response.json()["next"]
    return seen


def test_a_client_with_cases_read_lists_dossiers_and_their_residents_are_audited(
    client: Client, world: dict[str, Any]
) -> None:
    api_client, headers = bearer(scopes=("cases:read",), max_confidentiality="social")
    audit_lines = AuditEvent.objects.count()
    response = client.get(URL, **headers)
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["reference"] for row in rows] == [
        world[level].reference for level in ("social", "sensitive", "normal")
    ]
    normal = world["normal"]
    row = rows[-1]
    assert row["case_type"] == "gezinssamenstelling"
    assert row["status"] == normal.status.key
    assert row["status_name"] == normal.status.public_name
    assert row["department"] == normal.department_id
    assert row["confidentiality"] == "normal"
    assert row["updated_at"]
    assert row["is_open"] is True
    # One line per resident on the page (Anna has two dossiers on it, Bert one).
    lines = AuditEvent.objects.order_by("pk")[audit_lines:]
    assert {line.subject_person_id for line in lines} == {world["anna"].pk, world["bert"].pk}
    assert len(lines) == 2
    assert all(api_client.name in line.reason for line in lines)
    assert ApiCall.objects.get(client=api_client).personal_data


@pytest.mark.parametrize(
    "scopes", [(), ("people:read",), ("documents:read", "payments:read", "payments:write")]
)
def test_a_client_without_cases_read_is_refused_and_reads_nothing(
    client: Client, world: dict[str, Any], scopes: tuple[str, ...]
) -> None:
    _api_client, headers = bearer(scopes=scopes, max_confidentiality="social")
    audit_lines = AuditEvent.objects.count()
    response = client.get(URL, **headers)
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    body = response.content.decode()
    assert not any(world[level].reference in body for level in ("normal", "sensitive", "social"))
    assert AuditEvent.objects.count() == audit_lines
    assert client.get(URL).status_code == 401


def test_a_client_never_sees_a_dossier_above_its_clearance(
    client: Client, world: dict[str, Any]
) -> None:
    levels = {
        "normal": ["normal"],
        "sensitive": ["sensitive", "normal"],
        "social": ["social", "sensitive", "normal"],
    }
    for clearance, visible in levels.items():
        _api_client, headers = bearer(
            scopes=("cases:read",), max_confidentiality=clearance, name=clearance
        )
        bert_lines = AuditEvent.objects.filter(subject_person_id=world["bert"].pk).count()
        # Paged one by one and filtered: still nothing above the clearance.
        assert _references(client, f"{URL}?page_size=1", headers) == [
            world[level].reference for level in visible
        ]
        filtered = _references(client, f"{URL}?case_type=gezinssamenstelling", headers)
        assert filtered == [world[level].reference for level in visible]
        # Bert's only dossier is sensitive: a normal client did not read his file.
        bert_read = AuditEvent.objects.filter(subject_person_id=world["bert"].pk).count()
        assert (bert_read > bert_lines) == (clearance != "normal")


def test_each_filter(client: Client, world: dict[str, Any]) -> None:
    _api_client, headers = bearer(scopes=("cases:read",), max_confidentiality="social")
    anna = world["anna"]
    other_department = Department.objects.exclude(pk=world["normal"].department_id).first()
    assert other_department is not None
    moved = _submit(anna, confidentiality="normal", department_id=other_department.pk)
    certificate = _submit(anna, "attest-van-woonst", confidentiality="normal")
    in_progress = Status.objects.get(case_type=world["normal"].case_type, key="in-progress")
    Case.objects.filter(pk=world["sensitive"].pk).update(status=in_progress)

    def listed(query: str) -> set[str]:
        return set(_references(client, f"{URL}?{query}", headers))

    assert listed("status=in-progress") == {world["sensitive"].reference}
    assert listed(f"status={certificate.status.key}&case_type=attest-van-woonst") == {
        certificate.reference
    }
    assert listed("case_type=attest-van-woonst") == {certificate.reference}
    assert listed("case_type=nope") == set()
    assert listed(f"department={other_department.pk}") == {moved.reference}
    assert certificate.reference in listed(f"department={certificate.department_id}")
    # updated_since: only dossiers changed at or after the moment.
    long_ago = timezone.now() - timedelta(days=30)
    Case.objects.exclude(pk=world["social"].pk).update(updated_at=long_ago)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert listed(f"updated_since={quote(since)}") == {world["social"].reference}
    # An offset typed with a bare "+" (a space once decoded) and a time without offset.
    bare = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert listed(f"updated_since={bare}") == {world["social"].reference}
    assert listed("updated_since=2000-01-01T00:00:00") == {
        case.reference for case in Case.objects.all()
    }
    for bad in ("department=x", "department=0", "department=99999999999999999999",
                "updated_since=yesterday", "updated_since=2026-13-01T00:00:00",
                "cursor=bm9wZQ", "cursor=MA", "page_size=0", "sort=id"):  # fmt: skip
        response = client.get(f"{URL}?{bad}", **headers)
        assert response.status_code == 400, bad
        assert response["Content-Type"] == PROBLEM


def test_pages_follow_the_number_and_miss_nothing_that_changes_meanwhile(
    client: Client, world: dict[str, Any]
) -> None:
    _api_client, headers = bearer(scopes=("cases:read",), max_confidentiality="social")
    extra = [_submit(world["bert"], confidentiality="normal") for _ in range(3)]
    first = client.get(f"{URL}?page_size=2", **headers).json()
    assert [row["reference"] for row in first["results"]] == [
        extra[2].reference,
        extra[1].reference,
    ]
    assert first["previous"] is None
    # A dossier on a later page changes meanwhile: it is still met once.
    Case.objects.filter(pk=world["normal"].pk).update(updated_at=timezone.now())
    rest = _references(client, first["next"], headers)
    everyone = [row["reference"] for row in first["results"]] + rest
    assert everyone == [case.reference for case in Case.objects.order_by("-pk")]
    assert len(set(everyone)) == len(everyone) == 6
    assert "page_size=2" in first["next"]


def test_the_number_of_queries_does_not_grow_with_the_dossiers(
    client: Client, world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    _api_client, headers = bearer(scopes=("cases:read",), max_confidentiality="social")
    client.get(URL, **headers)  # warm caches (content types, sites)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL, **headers).json()["results"]) == 3
    for _ in range(9):
        _submit(world["anna"], confidentiality="normal")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(URL, **headers).json()["results"]) == 12


def test_the_selector_reads_up_to_the_levels_it_is_given(world: dict[str, Any]) -> None:
    anna = world["anna"]
    page = selectors.case_page_for_client(levels=("normal",))
    assert [row.reference for row in page.items] == [world["normal"].reference]
    assert page.items[0].person_id == anna.pk
    assert page.items[0].confidentiality == "normal"
    assert page.items[0].case_type_slug == "gezinssamenstelling"
    mine = selectors.case_page_for_client(levels=("normal", "social"), person_id=anna.pk)
    assert [row.reference for row in mine.items] == [
        world["social"].reference,
        world["normal"].reference,
    ]
    assert selectors.case_page_for_client(levels=()).items == ()
    first = selectors.case_page_for_client(levels=("normal", "sensitive", "social"), limit=2)
    assert first.next_cursor is not None
    second = selectors.case_page_for_client(
        levels=("normal", "sensitive", "social"), after=first.next_cursor, limit=2
    )
    assert [row.reference for row in second.items] == [world["normal"].reference]
    assert second.next_cursor is None
    with pytest.raises(ValueError, match="cursor"):
        selectors.case_page_for_client(levels=("normal",), after="nope")
