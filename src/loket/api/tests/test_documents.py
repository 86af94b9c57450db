"""Documents over the API: metadata and the PDF with documents:read, hidden with their
dossier above the client's clearance, every read audited; public verification."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.api.tests.helpers import bearer, make_document
from loket.cases.constants import PartyKind
from loket.cases.models import Case
from loket.cases.services import case_submit, case_types_seed_demo
from loket.cases.types import PartyRef
from loket.core.models import AuditEvent
from loket.core.tests.factories import OrganisationFactory
from loket.documents.models import Document
from loket.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    person = PersonFactory(first_name="Anna", last_name="Peeters")
    cases = []
    for _ in range(2):
        result = case_submit(
            actor=None,
            case_type_slug="gezinssamenstelling",
            data={"doel": "school"},
            party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label="A", person_id=person.pk),
        )
        cases.append(Case.objects.get(pk=result.case_id))
    open_case, secret_case = cases
    Case.objects.filter(pk=secret_case.pk).update(confidentiality="social")
    return {
        "person": person,
        "case": open_case,
        "secret_case": secret_case,
        "certificate": make_document(person, title="Residence certificate"),
        "letter": make_document(person, title="Decision", case_id=open_case.pk),
        "secret": make_document(person, title="Social decision", case_id=secret_case.pk),
    }


def test_a_residents_documents_outside_dossiers_in_pages(
    client: Client, world: dict[str, Any], django_assert_max_num_queries
) -> None:
    person = world["person"]
    later = make_document(person, title="Extract")
    api_client, headers = bearer(scopes=("people:read", "documents:read"))
    url = f"/api/v1/people/{person.pk}/documents/?page_size=1"
    seen: list[dict[str, Any]] = []
    while url:
        with django_assert_max_num_queries(8):
            response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        seen += response.json()["results"]
        url = response.json()["next"]
    assert [row["title"] for row in seen] == ["Extract", "Residence certificate"]
    assert seen[0]["download"].endswith(f"/api/v1/documents/{later.pk}/pdf")
    assert seen[0]["case_reference"] is None
    assert AuditEvent.objects.filter(
        subject_person_id=person.pk, reason__contains=api_client.name
    ).exists()
    bad = client.get(f"/api/v1/people/{person.pk}/documents/?cursor=bm9wZQ", **headers)
    assert bad.status_code == 400
    assert bad["Content-Type"] == PROBLEM
    _no_people, headers = bearer(scopes=("documents:read",), name="No people")
    assert client.get(f"/api/v1/people/{person.pk}/documents/", **headers).status_code == 403


def test_a_dossiers_documents_and_their_pdf(client: Client, world: dict[str, Any]) -> None:
    letter, case = world["letter"], world["case"]
    _api_client, headers = bearer(scopes=("cases:read", "documents:read"))
    response = client.get(f"/api/v1/cases/{case.reference}/documents/", **headers)
    assert response.status_code == 200
    [row] = response.json()
    assert row["code"] == letter.code
    assert row["case_reference"] == case.reference
    pdf = client.get(row["download"], HTTP_ACCEPT="application/pdf", **headers)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    # Another dossier's document under this dossier's address: 404.
    other = f"/api/v1/cases/{case.reference}/documents/{world['secret'].pk}/pdf"
    assert client.get(other, **headers).status_code == 404


@pytest.mark.parametrize("suffix", ["", "{id}/pdf"])
def test_a_dossier_above_the_clearance_hides_its_documents(
    client: Client, world: dict[str, Any], suffix: str
) -> None:
    _reader, headers = bearer(scopes=("cases:read", "documents:read"))
    _no_scope, no_scope = bearer(scopes=("cases:read",), name="No documents")
    audit_lines = AuditEvent.objects.count()
    secret = world["secret_case"].reference
    hidden = client.get(
        f"/api/v1/cases/{secret}/documents/" + suffix.format(id=world["secret"].pk), **headers
    )
    missing = client.get(
        "/api/v1/cases/2099-999999/documents/" + suffix.format(id=world["secret"].pk), **headers
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    refused = client.get(
        f"/api/v1/cases/{world['case'].reference}/documents/"
        + suffix.format(id=world["letter"].pk),
        **no_scope,
    )
    assert refused.status_code == 403
    assert world["letter"].code not in refused.content.decode()
    assert AuditEvent.objects.count() == audit_lines
    _cleared, headers = bearer(
        scopes=("cases:read", "documents:read"), max_confidentiality="social", name="C"
    )
    url = f"/api/v1/cases/{secret}/documents/" + suffix.format(id=world["secret"].pk)
    assert client.get(url, **headers).status_code == 200


def test_metadata_and_pdf_of_a_certificate(client: Client, world: dict[str, Any]) -> None:
    certificate = world["certificate"]
    api_client, headers = bearer(scopes=("people:read", "documents:read"))
    detail = client.get(f"/api/v1/documents/{certificate.pk}/", **headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["code"] == certificate.code
    assert body["status"] == "issued"
    pdf = client.get(body["download"], HTTP_ACCEPT="application/pdf", **headers)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert certificate.code in pdf["Content-Disposition"]
    reasons = list(
        AuditEvent.objects.filter(subject_person_id=world["person"].pk).values_list(
            "reason", flat=True
        )
    )
    assert any(api_client.name in reason and "download" in reason for reason in reasons)


@pytest.mark.parametrize("path", ["/api/v1/documents/{id}/", "/api/v1/documents/{id}/pdf"])
def test_refused_scope_and_documents_of_dossiers(
    client: Client, world: dict[str, Any], path: str
) -> None:
    _no_scope, no_scope = bearer(scopes=("people:read", "cases:read"))
    _reader, headers = bearer(
        scopes=("people:read", "documents:read"), max_confidentiality="social"
    )
    audit_lines = AuditEvent.objects.count()
    refused = client.get(path.format(id=world["certificate"].pk), **no_scope)
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert world["certificate"].code not in refused.content.decode()
    # A dossier's document is read under its dossier only.
    in_dossier = client.get(path.format(id=world["secret"].pk), **headers)
    missing = client.get(path.format(id=999_999), **headers)
    assert in_dossier.status_code == missing.status_code == 404
    assert in_dossier.json() == missing.json()
    assert AuditEvent.objects.count() == audit_lines


@pytest.mark.parametrize("path", ["/api/v1/documents/{id}/", "/api/v1/documents/{id}/pdf"])
def test_documents_read_alone_does_not_reach_a_residents_certificate(
    client: Client, world: dict[str, Any], path: str
) -> None:
    """A document outside a dossier belongs to a person: reading it needs people:read
    as well, as the resident's list of documents does."""
    _documents_only, headers = bearer(scopes=("documents:read",))
    audit_lines = AuditEvent.objects.count()
    refused = client.get(path.format(id=world["certificate"].pk), **headers)
    assert refused.status_code == 403
    assert world["certificate"].code not in refused.content.decode()
    assert AuditEvent.objects.count() == audit_lines


def test_public_verification_by_code(client: Client, world: dict[str, Any]) -> None:
    certificate = world["certificate"]
    code = certificate.code
    typed = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
    response = client.get(f"/api/v1/verification/{typed}/")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "authentic"
    assert body["holder"] == "A. P."
    assert "Peeters" not in response.content.decode()
    Document.objects.filter(pk=certificate.pk).update(status="revoked", revoked_at=timezone.now())
    assert client.get(f"/api/v1/verification/{code}/").json()["outcome"] == "revoked"
    unknown = client.get("/api/v1/verification/AAAABBBBCCCC/")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == PROBLEM
