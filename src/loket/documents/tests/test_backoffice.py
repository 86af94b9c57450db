"""Staff through the real views: issue, revoke, re-issue, the template editor (a broken
template shows its error in the preview) and the print batches."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest
from django.test import Client

from loket.core.models import AuditEvent
from loket.documents import services
from loket.documents.constants import TEMPLATE_RESIDENCE
from loket.documents.models import Document, DocumentTemplate, PrintBatch
from loket.documents.tests.conftest import log_in_staff, resident, staff_with
from loket.notifications import services as notifications
from loket.notifications.constants import LetterStatus
from loket.notifications.models import Letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(client: Client, department: Any) -> Any:
    user = staff_with(department, "handler")
    log_in_staff(client, user)
    return user


def test_a_handler_issues_revokes_and_reissues(
    client: Client, sealing: Any, municipality: Any, department: Any, handler: Any
):
    person = resident(first_name="Jozef")
    number = person.national_number
    response = client.post(
        "/backoffice/documenten/uitgeven/",
        {
            "national_number": number,
            "template": TEMPLATE_RESIDENCE,
            "language": "",
            "purpose": "Asked at the counter",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(person_id=person.pk, case_id=None)
    assert AuditEvent.objects.filter(
        subject_person_id=person.pk, action="view", reason="Asked at the counter"
    ).exists()

    of_case = services.document_issue(
        actor=None,
        template_key=TEMPLATE_RESIDENCE,
        person_id=person.pk,
        case_id=5,
        department_id=department.pk,
    )
    assert of_case.department_id == department.pk
    listing = client.get("/backoffice/documenten/?case=5")
    assert b"Documents of case 5" in listing.content
    assert of_case.display_code.encode() in listing.content
    assert listing.content.count(b"/backoffice/documenten/") >= 1
    page = client.get(f"/backoffice/documenten/{document.pk}/")
    assert page.status_code == 200
    assert b"Jozef" in page.content

    client.post(f"/backoffice/documenten/{document.pk}/opnieuw/", {"reissue-reason": "Typo"})
    document.refresh_from_db()
    assert document.status == "revoked"
    new = Document.objects.get(replaces=document)
    assert new.case_id is None
    client.post(f"/backoffice/documenten/{new.pk}/intrekken/", {"revoke-reason": "Moved"})
    new.refresh_from_db()
    assert new.status == "revoked"
    assert new.revoke_reason == "Moved"


def test_issue_form_keeps_input_on_error(client: Client, municipality: Any, handler: Any):
    response = client.post(
        "/backoffice/documenten/uitgeven/",
        {"national_number": "12345", "template": TEMPLATE_RESIDENCE, "purpose": "x"},
    )
    assert response.status_code == 400
    assert b'value="12345"' in response.content
    assert b"No resident has this national number" in response.content


def test_template_error_shows_in_the_preview_and_cannot_be_published(
    client: Client, municipality: Any, department: Any
):
    editor = staff_with(department, "administrator")
    log_in_staff(client, editor)
    url = f"/backoffice/documenten/sjablonen/{TEMPLATE_RESIDENCE}/nl/"
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"action": "save", "title": "Bewijs", "body": "<p>{% if %}</p>", "css": ""}
    )
    assert b"The template has an error" in response.content
    assert client.get(url + "voorbeeld.pdf").status_code == 422
    client.post(url, {"action": "publish"})
    published = DocumentTemplate.objects.filter(
        key=TEMPLATE_RESIDENCE, language="nl", published_at__isnull=False
    )
    assert published.count() == 1  # still only version 1

    client.post(url, {"action": "save", "title": "Bewijs", "body": "<p>{{ person.full_name }}</p>"})
    preview = client.get(url + "voorbeeld.pdf")
    assert preview.status_code == 200
    assert preview.content.startswith(b"%PDF-")
    client.post(url, {"action": "publish"})
    assert published.count() == 2


def test_pages_are_hidden_from_staff_without_the_permission(
    client: Client, municipality: Any, department: Any
):
    clerk = staff_with(department, "council_member")
    log_in_staff(client, clerk)
    assert client.get("/backoffice/documenten/").status_code == 302  # not for them at all
    handler = staff_with(department, "handler")
    log_in_staff(client, handler)
    assert client.get("/backoffice/documenten/").status_code == 200
    assert client.get("/backoffice/documenten/sjablonen/").status_code == 404
    assert client.get("/backoffice/documenten/drukwerk/").status_code == 404


def _paper_letter(person: Any, key: str) -> None:
    notifications.notify(
        event="case-status-changed",
        person_id=person.pk,
        context={
            "case_reference": "2026-000042",
            "case_title": "Parkeerkaart",
            "status": "approved",
            "case_url": "https://loket.example/d/42",
        },
        idempotency_key=key,
    )


def test_print_batch_with_cover_list(client: Client, municipality: Any, department: Any):
    seniors = [resident(prefers_paper=True, first_name=f"Senior{i}") for i in range(3)]
    for i, senior in enumerate(seniors):
        _paper_letter(senior, f"letter-{i}")
    assert Letter.objects.filter(status=LetterStatus.PENDING).count() == 3

    mailroom = staff_with(department, "communication")
    log_in_staff(client, mailroom)
    response = client.post("/backoffice/documenten/drukwerk/")
    batch = PrintBatch.objects.get()
    assert response["Location"].endswith(f"/drukwerk/{batch.pk}/")
    assert batch.letter_count == 3
    assert list(batch.letters.values_list("first_page", flat=True)) == [2, 3, 4]

    pdf_response = client.get(f"/backoffice/documenten/drukwerk/{batch.pk}/pdf/")
    data = b"".join(pdf_response.streaming_content)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == batch.page_count == 4  # cover list + one page per letter
        assert pdf.open_metadata().pdfa_status == "2B"
    assert Letter.objects.filter(status=LetterStatus.BATCHED).count() == 3

    assert services.print_batch_run(actor=None) is None  # nothing waits any more
    client.post(f"/backoffice/documenten/drukwerk/{batch.pk}/printed/")
    assert Letter.objects.filter(status=LetterStatus.PRINTED).count() == 3
    client.post(f"/backoffice/documenten/drukwerk/{batch.pk}/posted/")
    batch.refresh_from_db()
    assert batch.status == "posted"
    assert batch.posted_at is not None


def test_print_batch_run_is_repeatable(municipality: Any):
    _paper_letter(resident(prefers_paper=True), "one")
    first = services.print_batch_run(actor=None, reference="2026-11-22-a")
    again = services.print_batch_run(actor=None, reference="2026-11-22-a")
    assert first is not None
    assert again is not None
    assert first.pk == again.pk
