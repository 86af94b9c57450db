"""A request started online and left: one reminder after three days of silence (with a
link to continue and the day until which it is kept), then removal after 30 days."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount
from loket.catalog import selectors, services
from loket.catalog.models import FormDefinition, FormDraft, FormUpload, Service
from loket.catalog.tests.conftest import EVENT_FORM, PNG, make_service, upload
from loket.core.services import PERIODIC_JOBS
from loket.core.tests.factories import OrganisationFactory, UserFactory
from loket.notifications.models import InboxMessage, Message
from loket.notifications.tests.conftest import make_resident

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _resident(email: str = "an@example.org") -> tuple[Any, Any]:
    """(user, person): a resident with an account linked to the register."""
    person = make_resident(email=email, first_name="An", language="nl")
    user = UserFactory(first_name=person.first_name, last_name=person.last_name)
    ResidentAccount.objects.create(
        user=user, person_id=person.pk, national_number_digest=f"d-{person.pk}", dialect="fas"
    )
    return user, person


def _draft(user: Any, service: Service, answers: dict[str, Any] | None = None) -> FormDraft:
    services.form_draft_save(
        user=user,
        service=service,
        form_version=1,
        answers=answers or {"name": "Buurtfeest", "closure": "no"},
        current_step="event",
    )
    return FormDraft.objects.get(user=user, service=service)


def _remind(now: Any, capture: Any) -> int:
    with capture(execute=True):
        return services.form_drafts_remind(now=now)


def test_one_reminder_after_three_days_not_before_and_never_twice(
    department: Any, django_capture_on_commit_callbacks: Any
) -> None:
    service = make_service(department, form=EVENT_FORM)
    user, person = _resident()
    draft = _draft(user, service)
    revision = draft.updated_at
    start = timezone.now()

    assert _remind(start + 2 * DAY, django_capture_on_commit_callbacks) == 0
    assert not Message.objects.exists()

    assert _remind(start + 3 * DAY + timedelta(minutes=1), django_capture_on_commit_callbacks) == 1
    message = Message.objects.get(event_key="draft-reminder")
    assert message.person_id == person.pk
    assert message.channel == "email"  # her verified e-mail address
    assert message.language == "nl"
    assert "U bent een aanvraag begonnen voor Evenementenvergunning" in message.body
    assert "/aanvragen/evenementenvergunning/?stap=plan" in message.body  # the next step
    kept_until = timezone.localtime(revision + 30 * DAY).strftime("%d/%m/%Y")
    assert f"tot {kept_until}" in message.body
    inbox = InboxMessage.objects.get(person_id=person.pk, event_key="draft-reminder")
    assert "/aanvragen/evenementenvergunning/" in inbox.body
    draft.refresh_from_db()
    assert draft.reminded_at is not None
    assert draft.updated_at == revision  # the draft's revision (other tabs) is untouched

    assert _remind(start + 5 * DAY, django_capture_on_commit_callbacks) == 0
    # Resumed after the reminder and left again: still at most one reminder.
    services.form_draft_save(
        user=user, service=service, form_version=1, answers={"name": "X"}, current_step="event"
    )
    assert _remind(start + 10 * DAY, django_capture_on_commit_callbacks) == 0
    assert Message.objects.filter(event_key="draft-reminder").count() == 1
    assert InboxMessage.objects.filter(event_key="draft-reminder").count() == 1


def test_no_reminder_for_a_service_no_longer_published(
    department: Any, django_capture_on_commit_callbacks: Any
) -> None:
    service = make_service(department, form=EVENT_FORM)
    user, _person = _resident()
    draft = _draft(user, service)
    Service.objects.filter(pk=service.pk).update(is_published=False)

    assert _remind(timezone.now() + 4 * DAY, django_capture_on_commit_callbacks) == 0
    assert not Message.objects.exists()
    assert not InboxMessage.objects.exists()
    draft.refresh_from_db()
    assert draft.reminded_at is None


def test_no_reminder_when_the_form_changed_since(
    department: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A draft of an older form version cannot be resumed (the form starts over)."""
    service = make_service(department, form=EVENT_FORM)
    user, _person = _resident()
    _draft(user, service)
    FormDefinition.objects.create(
        service=service, version=2, definition=EVENT_FORM, published_at=timezone.now()
    )

    assert _remind(timezone.now() + 4 * DAY, django_capture_on_commit_callbacks) == 0
    assert not Message.objects.exists()


def test_old_drafts_are_deleted_with_their_files(
    department: Any, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    service = make_service(department, form=EVENT_FORM)
    user, _person = _resident()
    owner_key = selectors.form_owner_key(user_id=user.pk)
    definition = selectors.form_definition_get(service=service)
    assert definition is not None
    result = services.form_step_validate(
        service=service,
        definition=definition,
        step_key="plan",
        data={"f-email": "an@example.org"},
        files={"f-site_plan": upload(PNG)},
        owner_key=owner_key,
    )
    assert result.ok, result.errors
    answers = services.form_answers_merge(definition=definition, answers={}, result=result)
    _draft(user, service, answers)
    stored = FormUpload.objects.get()
    path = Path(stored.file.path)
    assert path.is_file()
    other_user, _ = _resident("ben@example.org")
    kept = _draft(other_user, service)  # changed recently: stays

    with django_capture_on_commit_callbacks(execute=True):
        assert services.form_drafts_prune(now=timezone.now() + 29 * DAY) == 0
    assert FormDraft.objects.count() == 2
    FormDraft.objects.filter(user=user).update(updated_at=timezone.now() - 31 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.form_drafts_prune() == 1
    assert list(FormDraft.objects.all()) == [kept]
    assert not FormUpload.objects.exists()
    assert not path.exists()


def test_the_job_is_scheduled_every_day() -> None:
    from loket.catalog import tasks

    job = PERIODIC_JOBS[tasks.remind_drafts.module_path]
    assert job.cron == "17 10 * * *"
    assert tasks.remind_drafts.call() == {"deleted": 0, "reminded": 0}


def test_the_link_in_the_reminder_resumes_the_request(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The request pages belong to the cases module (a higher layer): seed its demo
    # case types by name, as the demo command does.
    from loket.catalog.demo import seed

    OrganisationFactory(is_primary=True)
    import_string("loket.cases.services.case_types_seed_demo")()
    seed()
    import_string("loket.cases.services.case_types_link_services")()
    service = Service.objects.get(slug="evenementenvergunning")
    user, person = _resident()
    services.form_draft_save(  # as the request page keeps it for a resident acting for herself
        user=user,
        service=service,
        form_version=1,
        answers={"naam_evenement": "Buurtfeest De Linde", "wegafsluiting": "no"},
        current_step="evenement",
        party_kind="person",
        party_id=person.pk,
    )
    assert _remind(timezone.now() + 4 * DAY, django_capture_on_commit_callbacks) == 1
    body = Message.objects.get(event_key="draft-reminder").body
    found = re.search(r"https?://[^/\s]+(/aanvragen/\S+)", body)
    assert found is not None
    link = found.group(1)
    assert link == "/aanvragen/evenementenvergunning/?stap=plan"

    client = Client()  # a new visit: nothing in the session, the draft is loaded
    client.force_login(user)
    session = client.session
    session[SESSION_LOGIN] = {
        "dialect": "fas",
        "level": 450,
        "acr": "",
        "sid": "",
        "started_at": time.time(),
        "last_seen": time.time(),
    }
    session.save()
    page = client.get(link)
    assert page.status_code == 200
    assert 'name="f-inplantingsplan"' in page.content.decode()
    first = client.get("/aanvragen/evenementenvergunning/?stap=evenement")
    assert "Buurtfeest De Linde" in first.content.decode()
