"""Who sees which document: staff only in the departments that issued it, a mandatary
only under a mandate that covers documents. Every refusal changes nothing."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from loket.accounts.constants import SESSION_ACTING
from loket.accounts.models import Mandate
from loket.core.models import AuditEvent
from loket.core.tests.factories import DepartmentFactory, StaffFactory
from loket.documents.constants import (
    MANDATE_SCOPE_DOCUMENTS,
    TEMPLATE_DECISION,
    TEMPLATE_RESIDENCE,
    DocumentKind,
    DocumentStatus,
)
from loket.documents.models import Document
from loket.documents.tests.conftest import log_in_resident, log_in_staff, resident, staff_with
from loket.documents.types import format_code

pytestmark = pytest.mark.django_db


def _document(person: Any, *, title: str, case_id: int | None = None, department: Any = None):
    """A document row with a stored file (no seal needed to test who may see it)."""
    code = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(12))
    document = Document(
        code=code,
        template_key=TEMPLATE_DECISION if case_id else TEMPLATE_RESIDENCE,
        template_version=1,
        kind=DocumentKind.LETTER if case_id else DocumentKind.CERTIFICATE,
        language="en",
        title=title,
        person=person,
        case_id=case_id,
        department=department,
        sha256=secrets.token_hex(32),
        size=9,
        pages=1,
        issued_at=timezone.now(),
        issuer_name="Stad Mandelmunster",
        sealed_by="test",
    )
    document.file.save(f"{code}.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    document.save()
    return document


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _state() -> list[tuple[Any, ...]]:
    return list(
        Document.objects.order_by("pk").values_list("pk", "status", "revoke_reason", "replaces")
    )


# --- Staff: a case's documents only in the case's department -------------------------


def test_a_handler_does_not_see_the_documents_of_another_department(
    client: Client, municipality: Any, department: Any, media: Any
):
    other = DepartmentFactory(organisation=municipality, name="Burgerzaken")
    person = resident(last_name="Claeys")
    secret = _document(person, title="SECRET-DECISION", case_id=41, department=other)
    ours = _document(person, title="OUR-DECISION", case_id=42, department=department)
    certificate = _document(person, title="A-CERTIFICATE")
    handler = staff_with(department, "handler")
    log_in_staff(client, handler)

    by_case = client.get(f"/backoffice/documenten/?case={secret.case_id}")
    assert by_case.status_code == 200
    assert b"SECRET-DECISION" not in by_case.content
    recent = client.get("/backoffice/documenten/").content
    assert b"SECRET-DECISION" not in recent
    assert b"OUR-DECISION" in recent
    assert b"A-CERTIFICATE" in recent  # issued outside a case: every document handler
    assert b"OUR-DECISION" in client.get("/backoffice/documenten/?case=42").content
    by_code = client.get(f"/backoffice/documenten/?code={format_code(secret.code)}")
    assert by_code.status_code == 200  # not a redirect to its page
    assert b"No document has this code" in by_code.content

    before = _state()
    audit_before = AuditEvent.objects.count()
    base = f"/backoffice/documenten/{secret.pk}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "pdf/").status_code == 404
    assert client.post(base + "intrekken/", {"revoke-reason": "x"}).status_code == 404
    assert client.post(base + "opnieuw/", {"reissue-reason": "x"}).status_code == 404
    assert _state() == before
    assert AuditEvent.objects.count() == audit_before  # not even a recorded person read
    secret.refresh_from_db()
    assert secret.status == DocumentStatus.ISSUED

    # Their own department's document and the certificate open as before.
    assert client.get(f"/backoffice/documenten/{ours.pk}/").status_code == 200
    assert client.get(f"/backoffice/documenten/{certificate.pk}/").status_code == 200

    # A handler of the other department sees it.
    colleague = staff_with(other, "handler")
    log_in_staff(client, colleague)
    assert client.get(base).status_code == 200
    assert b"SECRET-DECISION" in client.get("/backoffice/documenten/?case=41").content


def test_a_case_document_without_a_department_is_for_superusers_only(
    client: Client, municipality: Any, department: Any, media: Any
):
    person = resident()
    orphan = _document(person, title="ORPHAN-DECISION", case_id=7)
    log_in_staff(client, staff_with(department, "handler"))
    assert b"ORPHAN-DECISION" not in client.get("/backoffice/documenten/?case=7").content
    assert client.get(f"/backoffice/documenten/{orphan.pk}/").status_code == 404
    log_in_staff(client, StaffFactory(is_superuser=True))
    assert b"ORPHAN-DECISION" in client.get("/backoffice/documenten/?case=7").content
    assert client.get(f"/backoffice/documenten/{orphan.pk}/").status_code == 200


def test_a_counter_clerk_sees_only_their_own_departments_documents(
    client: Client, municipality: Any, department: Any, media: Any
):
    other = DepartmentFactory(organisation=municipality)
    person = resident()
    theirs = _document(person, title="OTHER-DECISION", case_id=3, department=other)
    ours = _document(person, title="COUNTER-DECISION", case_id=4, department=department)
    log_in_staff(client, staff_with(department, "counter_clerk"))
    assert client.get(f"/backoffice/documenten/{theirs.pk}/").status_code == 404
    assert client.get(f"/backoffice/documenten/{ours.pk}/").status_code == 200


def test_the_recent_list_stays_a_few_queries(
    client: Client,
    municipality: Any,
    department: Any,
    media: Any,
    django_assert_max_num_queries: Any,
):
    other = DepartmentFactory(organisation=municipality)
    person = resident()
    for number in range(6):
        _document(person, title=f"THEIRS-{number}", case_id=number + 1, department=other)
        _document(person, title=f"OURS-{number}", case_id=number + 100, department=department)
    log_in_staff(client, staff_with(department, "handler"))
    client.get("/backoffice/documenten/")
    with django_assert_max_num_queries(15):
        page = client.get("/backoffice/documenten/")
    assert page.content.count(b"/backoffice/documenten/") >= 6
    # Titles that no random code or token can contain by chance.
    assert b"OURS-0" in page.content
    assert b"THEIRS-" not in page.content


# --- Residents: a mandate limited to some services does not open documents -----------


def _act_under(client: Client, grantor: Any, mandate: Mandate) -> None:
    session = client.session
    session[SESSION_ACTING] = {
        "kind": "person",
        "id": grantor.pk,
        "via": "mandate",
        "mandate_id": mandate.pk,
    }
    session.save()


def _mandate(grantor: Any, mandatary: Any, services: list[str] | None) -> Mandate:
    return Mandate.objects.create(
        grantor=grantor,
        mandatary=mandatary,
        all_services=services is None,
        services=services or [],
        valid_from=timezone.localdate(),
    )


def test_a_mandate_for_some_services_does_not_open_the_grantors_documents(
    client: Client, municipality: Any, media: Any
):
    grantor = resident(last_name="Grantor")
    mandatary = resident(last_name="Helper")
    secret = _document(grantor, title="SECRET-DECISION")
    log_in_resident(client, mandatary)
    _act_under(client, grantor, _mandate(grantor, mandatary, ["zaalhuur"]))

    page = client.get("/mijn-documenten/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "SECRET-DECISION" not in text
    assert format_code(secret.code) not in text
    assert "covers only some services" in text

    before, audit_before = _state(), AuditEvent.objects.count()
    refused = client.post("/mijn-documenten/aanvragen/", {"template": TEMPLATE_RESIDENCE})
    assert refused.status_code == 403
    assert client.get(f"/mijn-documenten/{secret.code}/").status_code == 403
    assert _state() == before
    assert not Document.objects.filter(person=grantor).exclude(pk=secret.pk).exists()
    assert AuditEvent.objects.count() == audit_before


def test_a_mandate_for_all_services_or_naming_documents_opens_them(
    client: Client, municipality: Any, media: Any
):
    grantor = resident()
    mandatary = resident()
    secret = _document(grantor, title="GRANTOR-CERTIFICATE")
    log_in_resident(client, mandatary)
    for services in (None, ["zaalhuur", MANDATE_SCOPE_DOCUMENTS]):
        _act_under(client, grantor, _mandate(grantor, mandatary, services))
        page = client.get("/mijn-documenten/")
        assert page.status_code == 200
        assert b"GRANTOR-CERTIFICATE" in page.content
        assert client.get(f"/mijn-documenten/{secret.code}/").status_code == 200
