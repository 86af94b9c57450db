"""Back-office pages: services list and edit, the form builder without JavaScript, the
preview as a resident sees it, CPSV-AP import; permissions and kept input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.catalog import selectors
from loket.catalog.models import FormDefinition, Service
from loket.catalog.tests.conftest import PNG, make_service, upload
from loket.core.models import AuditEvent
from loket.core.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _service_post(department: Any, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Een zaal huren",
        "slug": "zaalhuur",
        "summary": "Huur een zaal van de gemeente.",
        "login_level": "450",
        "department": str(department.pk),
        "channels": ["online", "counter"],
    }
    data.update(fields)
    return data


def test_staff_without_the_permission_do_not_see_the_catalogue(
    client: Client, handler: Any, department: Any
) -> None:
    service = make_service(department)
    assert client.get("/backoffice/diensten/").status_code == 302  # not logged in
    log_in_staff(client, handler)
    for url in (
        "/backoffice/diensten/",
        f"/backoffice/diensten/{service.pk}/",
        f"/backoffice/diensten/{service.pk}/formulier/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/backoffice/diensten/{service.pk}/formulier/actie/", {"action": "step-remove"}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_an_editor_does_not_reach_services_of_other_departments(editor_client: Client) -> None:
    foreign = make_service(DepartmentFactory(), slug="elders")
    assert editor_client.get(f"/backoffice/diensten/{foreign.pk}/").status_code == 404
    assert (
        editor_client.post(
            f"/backoffice/diensten/{foreign.pk}/formulier/actie/", {"action": "publish"}
        ).status_code
        == 404
    )
    assert "elders" not in editor_client.get("/backoffice/diensten/").content.decode()


def test_the_list_is_paged_in_few_queries(
    editor_client: Client, department: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(55):
        make_service(department, slug=f"dienst-{n:02d}", title=f"Dienst {n:02d}")
    with django_assert_max_num_queries(12):
        page = editor_client.get("/backoffice/diensten/").content.decode()
    assert "Dienst 49" in page
    assert "Dienst 50" not in page
    assert "Next page" in page


def test_an_empty_list_invites_to_add_a_service(editor_client: Client) -> None:
    assert (
        "There are no services in your departments yet"
        in editor_client.get("/backoffice/diensten/").content.decode()
    )


def test_creating_a_service_keeps_the_input_on_an_error(
    editor_client: Client, department: Any
) -> None:
    response = editor_client.post(
        "/backoffice/diensten/nieuw/", _service_post(department, slug="Not a slug!", summary="")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Something is not right yet" in page
    assert 'value="Een zaal huren"' in page
    assert 'aria-invalid="true"' in page
    assert not Service.objects.exists()
    response = editor_client.post("/backoffice/diensten/nieuw/", _service_post(department))
    service = Service.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/backoffice/diensten/{service.pk}/formulier/"
    assert service.channels == ["online", "counter"]


def test_a_duplicate_web_address_is_a_clear_message(editor_client: Client, department: Any) -> None:
    make_service(department, slug="zaalhuur")
    page = editor_client.post(
        "/backoffice/diensten/nieuw/", _service_post(department)
    ).content.decode()
    assert "already uses the web address" in page
    assert Service.objects.count() == 1


def test_editing_a_service(editor_client: Client, department: Any) -> None:
    service = make_service(department)
    page = editor_client.get(f"/backoffice/diensten/{service.pk}/").content.decode()
    assert 'value="Evenementenvergunning"' in page
    response = editor_client.post(
        f"/backoffice/diensten/{service.pk}/",
        _service_post(
            department,
            slug=service.slug,
            title="Evenement",
            title_fr="Événement",
            is_published="on",
        ),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.title == "Evenement"
    assert service.translations == {"fr": {"title": "Événement"}}


def test_building_a_form_with_plain_forms(editor_client: Client, department: Any) -> None:
    service = make_service(department)
    base = f"/backoffice/diensten/{service.pk}/formulier"
    assert (
        editor_client.post(
            f"{base}/stap/nieuw/", {"key": "event", "title": "Het evenement"}
        ).status_code
        == 302
    )
    assert (
        editor_client.post(
            f"{base}/stap/event/vraag/nieuw/",
            {"key": "sound", "type": "yesno", "label": "Muziek?", "required": "on"},
        ).status_code
        == 302
    )
    assert (
        editor_client.post(
            f"{base}/stap/event/vraag/nieuw/",
            {
                "key": "level",
                "type": "choice",
                "label": "Hoe luid?",
                "options": "85 | 85 dB\n95 | 95 dB",
                "show_if_field": "sound",
                "show_if_value": "yes",
                "required": "on",
            },
        ).status_code
        == 302
    )
    assert (
        editor_client.post(
            f"{base}/stap/event/vraag/nieuw/",
            {
                "key": "plan",
                "type": "file",
                "label": "Plan",
                "max_size_mb": "2",
                "allowed_types": ["image/png"],
            },
        ).status_code
        == 302
    )
    page = editor_client.get(f"{base}/").content.decode()
    assert "Muziek?" in page
    assert "Hoe luid?" in page
    assert "Publish version 1" in page
    editor_client.post(
        f"{base}/actie/", {"action": "field-down", "step": "event", "field": "level"}
    )
    working = selectors.form_working_copy_get(service=service)
    assert [f.key for f in working.steps[0].fields] == ["sound", "plan", "level"]
    assert working.steps[0].fields[1].max_size == 2 * 1024 * 1024
    # Removing the question a condition depends on is refused; nothing changes.
    response = editor_client.post(
        f"{base}/actie/", {"action": "field-remove", "step": "event", "field": "sound"}, follow=True
    )
    assert "would break the form" in response.content.decode()
    assert len(selectors.form_working_copy_get(service=service).steps[0].fields) == 3
    editor_client.post(f"{base}/actie/", {"action": "publish"})
    assert FormDefinition.objects.get().published_at is not None
    assert AuditEvent.objects.filter(object_id=str(service.pk)).count() == 6


def test_a_question_form_with_errors_keeps_the_input(
    editor_client: Client, department: Any
) -> None:
    service = make_service(department, form={"steps": [{"key": "a", "title": "A", "fields": []}]})
    base = f"/backoffice/diensten/{service.pk}/formulier"
    page = editor_client.post(
        f"{base}/stap/a/vraag/nieuw/",
        {"key": "Bad Key", "type": "choice", "label": "Kies", "options": ""},
    ).content.decode()
    assert "Something is not right yet" in page
    assert "at least one option" in page
    assert 'value="Kies"' in page
    page = editor_client.post(
        f"{base}/stap/a/vraag/nieuw/", {"key": "q", "type": "text", "label": "Q", "pattern": "("}
    ).content.decode()
    assert "not a valid regular expression" in page
    assert FormDefinition.objects.get().definition["steps"][0]["fields"] == []
    assert editor_client.get(f"{base}/stap/nope/").status_code == 404
    assert editor_client.get(f"{base}/stap/a/vraag/nope/").status_code == 404


def test_the_preview_walks_the_form_as_a_resident_without_storing(
    editor_client: Client, event_service: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    url = f"/backoffice/diensten/{event_service.pk}/formulier/voorbeeld/"
    first = editor_client.get(url).content.decode()
    assert "Step 1 of 2" in first
    assert 'name="f-name"' in first
    wrong = editor_client.post(
        url, {"step": "event", "f-name": "Feest", "f-sound": "no"}
    ).content.decode()
    assert "Something is not right yet" in wrong
    assert 'value="Feest"' in wrong
    assert 'aria-describedby="id_day-error"' in wrong
    assert 'href="#id_day"' in wrong
    answers = wrong.split('name="preview_answers" value="')[1].split('"')[0]
    step2 = editor_client.post(
        url,
        {
            "step": "event",
            "preview_answers": answers,
            "f-name": "Feest",
            "f-day": "2099-01-01",
            "f-visitors": "50",
            "f-sound": "no",
            "f-closure": "yes",
        },
    ).content.decode()
    assert "Step 2 of 3" in step2
    assert 'name="f-streets"' in step2
    answers = step2.split('name="preview_answers" value="')[1].split('"')[0]
    step3 = editor_client.post(
        url, {"step": "traffic", "preview_answers": answers, "f-streets": "Markt"}
    ).content.decode()
    assert "Step 3 of 3" in step3
    assert "an@voorbeeld.be" in step3
    answers = step3.split('name="preview_answers" value="')[1].split('"')[0]
    done = editor_client.post(
        url, {"step": "plan", "preview_answers": answers, "f-site_plan": upload(PNG)}
    ).content.decode()
    assert "reached the end of the form" in done
    assert not list(tmp_path.iterdir())


def test_importing_cpsv_ap_in_the_back_office(editor_client: Client, event_service: Any) -> None:
    document = json.loads(editor_client.get("/diensten/cpsv-ap.jsonld").content)
    document["@graph"][0]["dct:identifier"] = "urn:other:1"
    document["@graph"][0]["@id"] = "urn:other:1"
    document["@graph"][0]["loket:slug"] = "andere"
    file = SimpleUploadedFile(
        "c.jsonld", json.dumps(document).encode(), content_type="application/ld+json"
    )
    response = editor_client.post(
        "/backoffice/diensten/import/",
        {"file": file, "department": str(event_service.department_id)},
        follow=True,
    )
    assert "Import done: 1 new services, 0 changed." in response.content.decode()
    assert Service.objects.filter(slug="andere", is_published=False).exists()
    bad = SimpleUploadedFile("c.jsonld", b"{nope", content_type="application/ld+json")
    page = editor_client.post(
        "/backoffice/diensten/import/",
        {"file": bad, "department": str(event_service.department_id)},
    ).content.decode()
    assert "This is not a JSON file." in page
