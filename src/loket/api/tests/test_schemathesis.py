"""Schemathesis fuzzes every operation of /api/schema/ against the live WSGI app:
no server errors, and every response matches the schema (status, content type, body)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from loket.api.tests.helpers import bearer, make_document
from loket.cases.constants import PartyKind
from loket.cases.services import case_submit, case_types_seed_demo
from loket.cases.types import PartyRef
from loket.core.tests.factories import OrganisationFactory
from loket.payments.services import order_create
from loket.payments.types import OrderLineInput
from loket.people.tests.factories import AddressFactory, PersonFactory

EXAMPLES_PER_OPERATION = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db: Any) -> Iterator[Any]:
    # Like Django's test client: a request must not close the test's connection (it
    # holds the test transaction; PostgreSQL would lose it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_headers(db: Any, settings: Any, tmp_path: Any) -> dict[str, str]:
    settings.MEDIA_ROOT = tmp_path / "media"
    organisation = OrganisationFactory(slug="proefdorp", is_primary=True)
    organisation.departments.create(name="Burgerzaken", slug="burgerzaken")
    person = PersonFactory(address=AddressFactory())
    case_types_seed_demo()
    submitted = case_submit(
        actor=None,
        case_type_slug="gezinssamenstelling",
        data={"doel": "school"},
        party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label="P", person_id=person.pk),
    )
    make_document(person, title="Decision", case_id=submitted.case_id)
    make_document(person, title="Certificate")
    order_create(
        lines=[OrderLineInput(description="Uittreksel", unit_cents=500)],
        description="Uittreksel",
        person_id=person.pk,
    )
    _client, headers = bearer(
        scopes=("people:read", "cases:read", "documents:read", "payments:read", "payments:write"),
        max_confidentiality="social",
        rate_limit_per_minute=100_000,
    )
    return {"Authorization": headers["HTTP_AUTHORIZATION"]}


@pytest.mark.django_db
def test_api_conforms_to_its_schema(api_schema: Any, api_headers: dict[str, str]) -> None:
    """Each operation gets a bounded number of generated requests, valid and invalid."""
    calls: list[int] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call_and_validate(headers=api_headers, checks=CHECKS)
            calls.append(response.status_code)

        try:
            check()
        except Unsatisfiable:
            # Nothing about this operation can be made invalid (e.g. a bare string path).
            assert mode == GenerationMode.NEGATIVE
    assert len(operations) >= 8
    assert any(code < 300 for code in calls)
    assert any(400 <= code < 500 for code in calls)
