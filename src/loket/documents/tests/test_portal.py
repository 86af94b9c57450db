"""Residents through the real views: "Mijn documenten" (also for whom they act for)
and the public verification page (by code and by upload)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from loket.accounts.constants import SESSION_ACTING
from loket.core.models import AuditEvent
from loket.documents import selectors, services
from loket.documents.constants import TEMPLATE_RESIDENCE
from loket.documents.models import Document
from loket.documents.tests.conftest import log_in_resident, resident
from loket.documents.types import format_code
from loket.people.tests.factories import HouseholdMemberFactory

pytestmark = pytest.mark.django_db


def test_a_resident_requests_a_residence_certificate_and_downloads_it(
    client: Client, sealing: Any, municipality: Any
):
    person = resident(first_name="Maria", last_name="Peeters", language="en")
    log_in_resident(client, person)

    page = client.get("/mijn-documenten/")
    assert page.status_code == 200
    assert b"No documents yet" in page.content
    assert b"Residence certificate" in page.content  # offered for self-service

    done = client.post("/mijn-documenten/aanvragen/", {"template": TEMPLATE_RESIDENCE})
    assert done.status_code == 302
    document = Document.objects.get(person_id=person.pk)
    page = client.get("/mijn-documenten/")
    assert format_code(document.code).encode() in page.content

    download = client.get(f"/mijn-documenten/{document.code}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_someone_else_s_document_is_not_found(client: Client, sealing: Any, municipality: Any):
    other = resident()
    document = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=other.pk
    )
    log_in_resident(client, resident())
    assert client.get(f"/mijn-documenten/{document.code}/").status_code == 404


def test_a_parent_sees_and_requests_the_documents_of_their_child(
    client: Client, sealing: Any, municipality: Any
):
    import datetime as dt

    parent = HouseholdMemberFactory(first_name="Sarah")
    child = HouseholdMemberFactory(
        household=parent.household,
        household_relation="child",
        first_name="Lotte",
        birth_date=timezone.localdate() - dt.timedelta(days=365 * 10),
    )
    own = services.document_issue(actor=None, template_key=TEMPLATE_RESIDENCE, person_id=parent.pk)
    log_in_resident(client, parent)
    session = client.session
    session[SESSION_ACTING] = {"via": "parent", "kind": "person", "id": child.pk}
    session.save()

    client.post("/mijn-documenten/aanvragen/", {"template": TEMPLATE_RESIDENCE})
    childs = Document.objects.get(person_id=child.pk)
    page = client.get("/mijn-documenten/")
    assert format_code(childs.code).encode() in page.content
    assert format_code(own.code).encode() not in page.content
    assert client.get(f"/mijn-documenten/{childs.code}/").status_code == 200
    assert (
        AuditEvent.objects.filter(subject_person_id=child.pk, changes__via="parent").count() >= 2
    )  # requested and downloaded on the child's behalf


def test_mijn_documenten_needs_a_login(client: Client, municipality: Any):
    response = client.get("/mijn-documenten/")
    assert response.status_code == 302


def test_mijn_documenten_pages_without_n_plus_one(
    client: Client, sealing: Any, municipality: Any, django_assert_max_num_queries: Any
):
    person = resident()
    for _ in range(3):
        services.document_issue(actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk)
    log_in_resident(client, person)
    client.get("/mijn-documenten/")
    with django_assert_max_num_queries(20):
        assert client.get("/mijn-documenten/").status_code == 200


def test_verification_by_code(client: Client, sealing: Any, municipality: Any):
    person = resident(first_name="Maria", last_name="Peeters")
    document = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
    )
    response = client.post("/verificatie/", {"which": "code", "c-code": document.display_code})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Authentic" in page.content
    assert b"M. P." in page.content
    assert b"Peeters" not in page.content  # initials only

    services.document_revoke(actor=None, document_id=document.id, reason="wrong address")
    page = client.get(f"/verificatie/{document.code}/")
    assert b"Revoked" in page.content
    assert b"wrong address" not in page.content

    assert b"Unknown code" in client.get("/verificatie/ZZZZZZZZZZZZ/").content
    empty = client.post("/verificatie/", {"which": "code", "c-code": ""})
    assert empty.status_code == 400


def _upload(client: Client, data: bytes) -> Any:
    return client.post(
        "/verificatie/",
        {"which": "upload", "u-file": SimpleUploadedFile("doc.pdf", data, "application/pdf")},
    )


def test_verification_by_upload(client: Client, sealing: Any, municipality: Any):
    person = resident()
    summary = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
    )
    data = selectors.document_read(Document.objects.get(pk=summary.id))

    page = _upload(client, data)
    assert page.status_code == 200
    assert b"Authentic" in page.content

    tampered = bytearray(data)
    tampered[tampered.index(b"stream") + 30] ^= 0x20
    page = _upload(client, bytes(tampered))
    assert page.status_code == 200
    assert b"Not authentic" in page.content

    for junk in (b"not a pdf at all", b"%PDF-1.7\n%%EOF", data[: len(data) // 2]):
        page = _upload(client, junk)
        assert page.status_code == 200
        assert b"Not authentic" in page.content

    services.document_revoke(actor=None, document_id=summary.id, reason="replaced")
    assert b"Revoked" in _upload(client, data).content
