"""Case endpoint: scope cases:read, confidentiality-filtered, audited, public timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.api.tests.helpers import bearer
from loket.cases.constants import PartyKind
from loket.cases.models import Case
from loket.cases.services import case_submit, case_types_seed_demo
from loket.cases.types import PartyRef
from loket.core.models import AuditEvent
from loket.core.tests.factories import OrganisationFactory
from loket.people.tests.factories import AddressFactory, PersonFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def case() -> Any:
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    person = PersonFactory(address=AddressFactory())
    result = case_submit(
        actor=None,
        case_type_slug="gezinssamenstelling",
        data={"doel": "school"},
        party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label=str(person), person_id=person.pk),
    )
    return Case.objects.get(pk=result.case_id)


def test_case_with_timeline_for_a_client_with_cases_read(client: Client, case: Any) -> None:
    api_client, headers = bearer(scopes=("cases:read",))
    response = client.get(f"/api/v1/cases/{case.reference}/", **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reference"] == case.reference
    assert body["timeline"]
    assert AuditEvent.objects.filter(
        subject_person_id=case.person_id, action="view", reason__contains=api_client.name
    ).exists()


def test_narrow_scope_and_low_clearance_see_nothing(client: Client, case: Any) -> None:
    _people_only, headers = bearer(scopes=("people:read",))
    response = client.get(f"/api/v1/cases/{case.reference}/", **headers)
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert case.reference not in response.content.decode()
    Case.objects.filter(pk=case.pk).update(confidentiality="sensitive")
    _normal_only, headers = bearer(scopes=("cases:read",), name="Low clearance")
    hidden = client.get(f"/api/v1/cases/{case.reference}/", **headers)
    missing = client.get("/api/v1/cases/2099-999999/", **headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    _cleared, headers = bearer(
        scopes=("cases:read",), max_confidentiality="sensitive", name="Cleared"
    )
    assert client.get(f"/api/v1/cases/{case.reference}/", **headers).status_code == 200
