"""The API matrix: every endpoint of the REST API × every kind of caller.

Callers: no token, a malformed or unknown token, a token of a client without scopes,
with ``people:read``, with ``cases:read``, with both, an expired token and the token of
a client revoked since. Public endpoints answer everyone with a token that is valid or
absent; restricted ones answer 401 without a valid token and 403 without the scope. A
refused call leaks nothing (no name, no reference, no masked number) and writes no
audit line about the resident. A new endpoint fails ``test_every_api_endpoint_is_in_the_matrix``
until its row is added here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from loket.api import services
from loket.api.constants import Scope
from loket.api.models import ApiToken
from loket.api.tests.helpers import bearer, make_client
from loket.cases.constants import PartyKind
from loket.cases.models import Case
from loket.cases.services import case_submit, case_types_seed_demo
from loket.cases.types import PartyRef
from loket.core.models import AuditEvent, Department
from loket.core.tests.factories import OrganisationFactory
from loket.people.tests.factories import AddressFactory, PersonFactory

from .test_permission_matrix import ROUTES

pytestmark = pytest.mark.django_db

PUBLIC: tuple[str, ...] = ()  # no scope needed
P, C, D = "people:read", "cases:read", "documents:read"
PAY, PAY_W = "payments:read", "payments:write"


@dataclass(frozen=True)
class Row:
    scopes: tuple[str, ...]  # the design: every scope the endpoint needs
    method: str = "get"
    body: dict[str, str] | None = None
    query: str = ""
    real: bool = True  # the world has a real object: allowed callers get exactly 200
    tokenless: bool = False  # documentation: answers whatever token comes with it


API_MATRIX: dict[str, Row] = {
    "api:schema": Row(PUBLIC, tokenless=True),
    "api:docs": Row(PUBLIC, tokenless=True),
    "api:organisation-list": Row(PUBLIC),
    "api:organisation-detail": Row(PUBLIC),
    "api:department-list": Row(PUBLIC),
    "api:department-detail": Row(PUBLIC),
    "api:service-list": Row(PUBLIC),
    "api:service-detail": Row(PUBLIC),
    "api:document-verification": Row(PUBLIC, real=False),
    "api:case-list": Row((C,)),
    "api:case-detail": Row((C,)),
    "api:person-list": Row((P,), query="?name={last_name}"),
    "api:person-detail": Row((P,)),
    "api:person-lookup": Row((P,), method="post", body={"national_number": "{national_number}"}),
    "api:person-cases": Row((P, C)),
    "api:person-documents": Row((P, D)),
    "api:person-orders": Row((P, PAY)),
    "api:case-documents": Row((C, D)),
    "api:case-document-pdf": Row((C, D), real=False),
    "api:case-orders": Row((C, PAY)),
    "api:document-detail": Row((P, D), real=False),
    "api:document-pdf": Row((P, D), real=False),
    "api:order-detail": Row((PAY,), real=False),
    "api:order-payment-link": Row((PAY, PAY_W), method="post", body={}, real=False),
}
# Not data endpoints: the token endpoint (its own test below) and the catch-all 404.
OTHER = {"api:token", "api:not-found"}

ALL_SCOPES = tuple(Scope.values)
INVALID = ("none", "malformed", "unknown", "expired", "revoked")
VALID: dict[str, tuple[str, ...]] = {
    "no-scope": (),
    **{f"only {scope}": (scope,) for scope in ALL_SCOPES},
    "all scopes": ALL_SCOPES,
}
VALID_PAIRS = {"people+cases": (P, C), "people+documents": (P, D), "cases+documents": (C, D),
               "people+payments": (P, PAY), "cases+payments": (C, PAY)}  # fmt: skip
VALID.update({k: v for k, v in VALID_PAIRS.items() if set(v) <= set(ALL_SCOPES)})
_PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")


def _api_names() -> set[str]:
    return {name for name in ROUTES if name.startswith("api:")} - OTHER


def test_every_api_endpoint_is_in_the_matrix() -> None:
    missing = sorted(_api_names() - set(API_MATRIX))
    assert not missing, "Add these API endpoints to API_MATRIX: " + ", ".join(missing)


def test_each_endpoint_asks_the_scopes_of_its_design() -> None:
    """The view's ``required_scopes`` is what the matrix says; personal data needs one."""
    problems = []
    for name in sorted(_api_names() & set(API_MATRIX)):
        path = _path(name, SAMPLE_VALUES).split("?", 1)[0]
        view = resolve(path).func.view_class  # type: ignore[attr-defined]
        declared = tuple(getattr(view, "required_scopes", ()))
        if set(declared) != set(API_MATRIX[name].scopes):
            problems.append(f"{name}: declares {declared}, designed {API_MATRIX[name].scopes}")
        if getattr(view, "personal_data", False) and not declared:
            problems.append(f"{name}: personal data without a scope")
    assert not problems, "\n".join(problems)


SAMPLE_VALUES: dict[str, Any] = {
    "slug": "api-matrix",
    "pk": 1,
    "reference": "2026-000001",
    "person_id": 1,
    "document_id": 999999,
    "order_id": 999999,
    "code": "ONBEKEND",
    "last_name": "x",
}


def _path(name: str, values: dict[str, Any]) -> str:
    route = ROUTES[name].path
    path = _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "x")), route)
    return "/" + path.lstrip("^").rstrip("$") + API_MATRIX[name].query.format(**values)


@pytest.fixture
def world() -> dict[str, Any]:
    # One slug for the organisation and the service: both detail routes take <slug>.
    OrganisationFactory(is_primary=True, slug="api-matrix")
    case_types_seed_demo()
    person = PersonFactory(first_name="Zoë", last_name="Vanderzwaluwen", address=AddressFactory())
    result = case_submit(
        actor=None,
        case_type_slug="gezinssamenstelling",
        data={"doel": "school"},
        party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label=str(person), person_id=person.pk),
    )
    case = Case.objects.get(pk=result.case_id)
    from loket.catalog.tests.conftest import make_service

    department = Department.objects.get(slug="burgerzaken")
    make_service(department, slug="api-matrix")
    headers: dict[str, dict[str, str]] = {
        "none": {},
        "malformed": {"HTTP_AUTHORIZATION": "Bearer"},
        "unknown": {"HTTP_AUTHORIZATION": "Bearer lkt_" + "A" * 43},
    }
    for caller, scopes in VALID.items():
        # Cleared for every level: this matrix is about scopes (clearance: test below).
        _client, headers[caller] = bearer(
            scopes=scopes, name=f"client {caller}", max_confidentiality="social"
        )
    expired, headers["expired"] = bearer(scopes=ALL_SCOPES, name="expired")
    past = timezone.now() - timedelta(seconds=1)
    ApiToken.objects.filter(client=expired).update(expires_at=past)
    revoked, headers["revoked"] = bearer(scopes=ALL_SCOPES, name="revoked")
    services.api_client_revoke(actor=None, client_id=revoked.pk)
    values = {
        **SAMPLE_VALUES,
        "pk": department.pk,
        "reference": case.reference,
        "person_id": person.pk,
        "last_name": person.last_name,
        "national_number": person.national_number,
    }
    return {"person": person, "case": case, "headers": headers, "values": values}


def _call(client: Client, name: str, values: dict[str, Any], headers: dict[str, str]) -> Any:
    row = API_MATRIX[name]
    path = _path(name, values)
    if row.method == "post":
        body = {k: v.format(**values) for k, v in (row.body or {}).items()}
        return client.post(path, body, content_type="application/json", **headers)
    return client.get(path, **headers)


def _expected(row: Row, caller: str) -> set[int]:
    allowed = {200} if row.real else {200, 400, 404, 409}
    if caller in INVALID and caller != "none":
        # A token that does not work is refused even where none is needed: the client
        # learns its token stopped working instead of silently reading as anonymous.
        return allowed | {401} if row.tokenless else {401}
    if not row.scopes:
        return allowed
    if caller == "none":
        return {401}
    return allowed if set(row.scopes) <= set(VALID[caller]) else {403}


def test_api_matrix(world: dict[str, Any]) -> None:
    client = Client()
    person = world["person"]
    secrets_of_resident = (
        person.last_name,
        person.national_number,
        person.masked_national_number,
        world["case"].reference,
    )
    problems: list[str] = []
    for name in sorted(_api_names() & set(API_MATRIX)):
        row = API_MATRIX[name]
        for caller in (*INVALID, *VALID):
            audit_before = AuditEvent.objects.filter(subject_person_id=person.pk).count()
            response = _call(client, name, world["values"], world["headers"][caller])
            expected = _expected(row, caller)
            if response.status_code not in expected:
                problems.append(f"{name} {caller}: {response.status_code}, expected {expected}")
                continue
            if response.status_code in (401, 403):
                body = response.content.decode()
                leaked = [s for s in secrets_of_resident if s and s in body]
                if leaked:
                    problems.append(f"{name} {caller}: refused but shows {leaked}")
                if AuditEvent.objects.filter(subject_person_id=person.pk).count() != audit_before:
                    problems.append(f"{name} {caller}: refused but wrote an audit line")
                if response["Content-Type"] != "application/problem+json":
                    problems.append(f"{name} {caller}: refusal is not problem+json")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_a_client_reads_dossiers_only_up_to_its_confidentiality(world: dict[str, Any]) -> None:
    Case.objects.filter(pk=world["case"].pk).update(confidentiality="social")
    for maximum, expected in (("normal", 404), ("sensitive", 404), ("social", 200)):
        _client, headers = bearer(
            scopes=(Scope.CASES_READ,), max_confidentiality=maximum, name=f"level {maximum}"
        )
        response = _call(Client(), "api:case-detail", world["values"], headers)
        assert response.status_code == expected, maximum
    # Lists leave a dossier above the clearance out, as if it did not exist.
    for name in ("api:person-cases", "api:case-list"):
        for maximum in ("normal", "sensitive", "social"):
            _client, headers = bearer(
                scopes=(P, C), max_confidentiality=maximum, name=f"{name} {maximum}"
            )
            response = _call(Client(), name, world["values"], headers)
            assert response.status_code == 200, (name, maximum)
            listed = world["case"].reference in response.content.decode()
            assert listed == (maximum == "social"), (name, maximum)


def test_the_token_endpoint_issues_only_what_the_client_holds(db: Any) -> None:
    _api_client, key, secret = make_client(scopes=(Scope.CASES_READ,))
    client = Client()
    ok = _token(client, {"grant_type": "client_credentials", "client_id": key,
                         "client_secret": secret})  # fmt: skip
    assert ok.status_code == 200
    assert ok.json()["scope"] == Scope.CASES_READ
    wider = _token(client, {"grant_type": "client_credentials", "client_id": key,
                            "client_secret": secret, "scope": f"{C} {P}"})  # fmt: skip
    assert wider.status_code == 400
    assert wider.json()["error"] == "invalid_scope"
    wrong = _token(client, {"grant_type": "client_credentials", "client_id": key,
                            "client_secret": secret + "x"})  # fmt: skip
    assert wrong.status_code == 401
    assert "access_token" not in wrong.content.decode()
    assert ApiToken.objects.count() == 1


def _token(client: Client, form: dict[str, str]) -> Any:
    return client.post(
        "/api/oauth/token", urlencode(form), content_type="application/x-www-form-urlencoded"
    )
