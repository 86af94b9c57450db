"""Services of the catalogue: creating and changing services, the form builder with
its versions, drafts, the demo seed, and refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from loket.catalog import selectors, services
from loket.catalog.models import FormDefinition, FormDraft, LifeEvent, Service
from loket.catalog.services import ServiceInput, StaleDraft
from loket.catalog.tests.conftest import make_service
from loket.core.models import AuditEvent
from loket.core.services import DomainError
from loket.core.tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _input(department: Any, **fields: Any) -> ServiceInput:
    values: dict[str, Any] = {
        "slug": "zaalhuur",
        "title": "Een zaal huren",
        "summary": "Huur een zaal.",
        "department_id": department.pk,
        "channels": ("online",),
    }
    values.update(fields)
    return ServiceInput(**values)


def test_an_editor_creates_and_changes_a_service_with_an_audit_line(
    editor: Any, department: Any
) -> None:
    event = LifeEvent.objects.create(slug="feest", name="Feest")
    service = services.service_create(
        actor=editor, data=_input(department, life_event_ids=(event.pk,))
    )
    assert service.identifier == "urn:loket:service:zaalhuur"
    assert list(service.life_events.all()) == [event]
    services.service_update(
        actor=editor,
        service_id=service.pk,
        data=_input(department, title="Zaal huren", is_published=True),
    )
    service.refresh_from_db()
    assert service.title == "Zaal huren"
    assert service.is_published
    assert list(service.life_events.all()) == []
    actions = list(
        AuditEvent.objects.filter(object_id=str(service.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_refusals_change_nothing(editor: Any, handler: Any, department: Any) -> None:
    other_department = DepartmentFactory()
    with pytest.raises(PermissionDenied):
        services.service_create(actor=handler, data=_input(department))
    with pytest.raises(PermissionDenied):
        services.service_create(actor=editor, data=_input(other_department))
    service = make_service(department, slug="zaalhuur")
    with pytest.raises(PermissionDenied):
        services.form_step_add(actor=handler, service_id=service.pk, key="a", title="A")
    with pytest.raises(PermissionDenied):
        services.service_update(actor=editor, service_id=service.pk, data=_input(other_department))
    with pytest.raises(DomainError, match="already uses the web address"):
        services.service_create(actor=editor, data=_input(department))
    with pytest.raises(DomainError, match="Unknown channel"):
        services.service_update(
            actor=editor, service_id=service.pk, data=_input(department, channels=("pigeon",))
        )
    assert Service.objects.count() == 1
    assert not FormDefinition.objects.exists()
    assert Service.objects.get().department == department
    assert not AuditEvent.objects.exists()


def test_the_builder_edits_a_working_copy_and_publishing_makes_a_new_version(
    editor: Any, department: Any
) -> None:
    service = make_service(department)
    services.form_step_add(actor=editor, service_id=service.pk, key="who", title="Wie")
    services.form_field_save(
        actor=editor,
        service_id=service.pk,
        step_key="who",
        field={"key": "name", "type": "text", "label": "Naam", "required": True},
    )
    services.form_field_save(
        actor=editor,
        service_id=service.pk,
        step_key="who",
        field={"key": "club", "type": "yesno", "label": "Vereniging?"},
    )
    services.form_field_move(
        actor=editor, service_id=service.pk, step_key="who", field_key="club", direction=-1
    )
    assert selectors.form_definition_get(service=service) is None  # nothing published yet
    assert services.form_version_publish(actor=editor, service_id=service.pk) == 1
    published = selectors.form_definition_get(service=service)
    assert [f.key for f in published.steps[0].fields] == ["club", "name"]

    # A change after publishing starts version 2; residents keep filling in version 1.
    services.form_field_save(
        actor=editor,
        service_id=service.pk,
        step_key="who",
        original_key="name",
        field={"key": "name", "type": "text", "label": "Volledige naam", "required": True},
    )
    # Residents still get version 1, parsed once for this process.
    assert selectors.form_definition_get(service=service) is published
    assert selectors.form_working_copy_get(service=service).version == 2
    assert services.form_version_publish(actor=editor, service_id=service.pk) == 2
    assert (
        selectors.form_definition_get(service=service).steps[0].fields[1].label == "Volledige naam"
    )
    assert (
        selectors.form_definition_get(service=service, version=1).steps[0].fields[1].label == "Naam"
    )
    with pytest.raises(DomainError, match="no changes to publish"):
        services.form_version_publish(actor=editor, service_id=service.pk)


def test_a_change_that_would_break_the_form_is_refused_and_changes_nothing(
    editor: Any, department: Any
) -> None:
    service = make_service(department)
    services.form_step_add(actor=editor, service_id=service.pk, key="a", title="A")
    services.form_field_save(
        actor=editor,
        service_id=service.pk,
        step_key="a",
        field={"key": "sound", "type": "yesno", "label": "Muziek?"},
    )
    services.form_step_add(
        actor=editor, service_id=service.pk, key="b", title="B", show_if={"sound": "yes"}
    )
    before = FormDefinition.objects.get().definition
    audits = AuditEvent.objects.count()
    with pytest.raises(services.DefinitionError, match="not a question of an earlier step"):
        services.form_field_remove(
            actor=editor, service_id=service.pk, step_key="a", field_key="sound"
        )
    with pytest.raises(services.DefinitionError):
        services.form_step_move(actor=editor, service_id=service.pk, step_key="b", direction=-1)
    with pytest.raises(services.DefinitionError, match="used twice"):
        services.form_step_add(actor=editor, service_id=service.pk, key="a", title="Again")
    with pytest.raises(DomainError, match="cannot move further"):
        services.form_step_move(actor=editor, service_id=service.pk, step_key="a", direction=-1)
    assert FormDefinition.objects.get().definition == before
    assert AuditEvent.objects.count() == audits


def test_discarding_returns_to_the_published_version(editor: Any, department: Any) -> None:
    service = make_service(department, form={"steps": [{"key": "a", "title": "A", "fields": []}]})
    services.form_step_remove(actor=editor, service_id=service.pk, step_key="a")
    assert selectors.form_working_copy_get(service=service).steps == ()
    services.form_working_copy_discard(actor=editor, service_id=service.pk)
    assert [s.key for s in selectors.form_working_copy_get(service=service).steps] == ["a"]


def test_a_draft_is_saved_resumed_and_guarded_against_a_stale_page(department: Any) -> None:
    service = make_service(department)
    user = UserFactory()
    revision = services.form_draft_save(
        user=user,
        service=service,
        form_version=1,
        answers={"name": "An"},
        current_step="who",
        party_id=5,
    )
    draft = selectors.form_draft_get(user=user, service=service, party_id=5)
    assert draft.answers == {"name": "An"}
    assert draft.current_step == "who"
    assert draft.revision == revision
    assert selectors.form_draft_get(user=user, service=service, party_id=6) is None  # another party
    newer = services.form_draft_save(
        user=user,
        service=service,
        form_version=1,
        answers={"name": "Anna"},
        current_step="plan",
        party_id=5,
        revision=revision,
    )
    with pytest.raises(StaleDraft):
        services.form_draft_save(
            user=user,
            service=service,
            form_version=1,
            answers={"name": "old tab"},
            current_step="who",
            party_id=5,
            revision=revision,
        )
    assert selectors.form_draft_get(user=user, service=service, party_id=5).answers == {
        "name": "Anna"
    }
    assert newer != revision
    assert [s.slug for s, _d in selectors.form_draft_list(user=user)] == [service.slug]
    assert services.form_draft_discard(user=user, service=service, party_id=5)
    assert not FormDraft.objects.exists()


def test_the_demo_catalogue_is_seeded_once_with_valid_published_forms(db: Any) -> None:
    for slug in ("burgerzaken", "vrije-tijd", "technische-dienst", "communicatie", "omgeving"):
        DepartmentFactory(slug=slug)
    assert services.catalog_seed_demo() == 8
    assert services.catalog_seed_demo() == 0
    assert LifeEvent.objects.count() == 8
    for service in Service.objects.all():
        definition = selectors.form_definition_get(service=service)
        assert definition is not None, service.slug
        assert definition.version == 1
    permit = Service.objects.get(slug="evenementenvergunning")
    assert permit.department.slug == "vrije-tijd"
    assert permit.is_published
    report = selectors.service_get(slug="melding-openbaar-domein")
    assert report.login_level == 0
