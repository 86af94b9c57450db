"""Counter mode: a clerk checks a resident's identity card and serves them; the resident
sees it afterwards. Wrong numbers are refused and logged, and five of them lock."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.test import Client

from loket.accounts.constants import (
    EVENT_COUNTER_REFUSED,
    SESSION_COUNTER,
)
from loket.accounts.models import CounterVisit
from loket.accounts.selectors import acting_party, counter_visit_active
from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.constants import AuditAction, RoleSlug
from loket.core.models import AuditEvent
from loket.core.tests.factories import DepartmentFactory, MembershipFactory, StaffFactory
from loket.people.tests.factories import PersonFactory

from .acting_helpers import log_in_resident

pytestmark = pytest.mark.django_db

CARD = "590000506547"
OTHER_CARD = "590000202615"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def maria():
    return PersonFactory(
        first_name="Maria",
        last_name="Vanneste",
        birth_date=dt.date(1941, 9, 3),
        identity_card_number=CARD,
    )


@pytest.fixture
def clerk(client):
    user = StaffFactory(first_name="Lotte", last_name="Declercq")
    MembershipFactory(
        user=user,
        department=DepartmentFactory(name="Burgerzaken"),
        role=RoleSlug.COUNTER_CLERK,
    )
    log_in_staff(client, user)
    return user


def _check(client, person, card=CARD, purpose="Parking card"):
    return client.post(
        f"/backoffice/balie/inwoner/{person.pk}/", {"card_number": card, "purpose": purpose}
    )


def test_find_check_serve_end_and_the_resident_sees_it(client, clerk, maria, caplog):
    caplog.set_level(logging.DEBUG)
    found = client.post("/backoffice/balie/", {"name": "vanneste", "birth_date": "1941-09-03"})
    assert found.status_code == 200
    assert f"/backoffice/balie/inwoner/{maria.pk}/" in found.content.decode()
    response = _check(client, maria, card="590-0005065-47")
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/balie/bezoek/"
    visit = CounterVisit.objects.get()
    assert visit.clerk == clerk
    assert visit.department_name == "Burgerzaken"
    assert client.session[SESSION_COUNTER] == visit.pk
    page = client.get("/backoffice/balie/bezoek/")
    assert "Serving Maria Vanneste" in page.content.decode()
    # Opening the resident's summary is a recorded staff read with the purpose.
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="people.person", subject_person_id=maria.pk
    ).exists()
    # Other modules learn that the clerk acts for the resident at the counter.
    request = page.wsgi_request
    assert counter_visit_active(request).person_id == maria.pk
    party = acting_party(request)
    assert (party.kind, party.id, party.via) == ("person", maria.pk, "counter")

    assert client.post("/backoffice/balie/bezoek/einde/").status_code == 302
    visit.refresh_from_db()
    assert visit.ended_at is not None
    assert SESSION_COUNTER not in client.session

    resident = Client()
    log_in_resident(resident, maria)
    text = resident.get("/mijn-gegevens/namens-mij/").content.decode()
    assert "Helped at the counter by Lotte Declercq (Burgerzaken): Parking card" in text
    text = resident.get("/mijn-gegevens/wie-bekeek/").content.decode()
    assert "Helped at the counter by Lotte Declercq (Burgerzaken)" in text
    # The card number is never logged nor written in the audit log.
    assert CARD not in caplog.text
    assert not AuditEvent.objects.filter(changes__icontains=CARD).exists()
    assert not AuditEvent.objects.filter(reason__contains=CARD).exists()


def test_wrong_card_number_is_refused_logged_and_starts_nothing(client, clerk, maria):
    response = _check(client, maria, card=OTHER_CARD)
    assert response.status_code == 409
    text = response.content.decode()
    assert "does not belong to this resident" in text
    assert "Parking card" in text  # the purpose typed is kept
    assert not CounterVisit.objects.exists()
    line = AuditEvent.objects.get(changes__event=EVENT_COUNTER_REFUSED)
    assert line.subject_person_id == maria.pk
    assert line.actor == clerk
    # A number that is not a card number at all is a form error, not a guess.
    response = _check(client, maria, card="1234")
    assert response.status_code == 400
    assert AuditEvent.objects.filter(changes__event=EVENT_COUNTER_REFUSED).count() == 1
    resident = Client()
    log_in_resident(resident, maria)
    text = resident.get("/mijn-gegevens/wie-bekeek/").content.decode()
    assert "typed a wrong identity card number for you" in text


def test_five_wrong_numbers_lock_the_check_for_that_resident(client, clerk, maria):
    for _ in range(5):
        assert _check(client, maria, card=OTHER_CARD).status_code == 409
    response = _check(client, maria)  # even the right number now
    assert response.status_code == 409
    assert "locked" in response.content.decode()
    assert not CounterVisit.objects.exists()
    # Another resident is not affected.
    other = PersonFactory(identity_card_number=OTHER_CARD)
    assert _check(client, other, card=OTHER_CARD).status_code == 302


def test_only_clerks_with_a_verified_staff_session(client, maria):
    # Not logged in: to the staff login.
    response = client.get("/backoffice/balie/")
    assert response.status_code == 302
    assert "/backoffice/aanmelden/" in response["Location"]
    # Staff without counter.serve: refused.
    handler = StaffFactory()
    MembershipFactory(user=handler, role=RoleSlug.COMMUNICATION)
    log_in_staff(client, handler)
    assert client.get("/backoffice/balie/").status_code == 403
    assert _check(client, maria).status_code == 403
    assert not CounterVisit.objects.exists()
    # A clerk whose session skipped the second factor: to the staff login.
    clerk = StaffFactory()
    MembershipFactory(user=clerk, role=RoleSlug.COUNTER_CLERK)
    fresh = Client()
    fresh.force_login(clerk)
    assert fresh.get("/backoffice/balie/").status_code == 302
    # A resident session never gets in.
    resident = Client()
    log_in_resident(resident, maria)
    assert resident.get("/backoffice/balie/").status_code == 403


def test_search_is_one_query_page(client, clerk, django_assert_max_num_queries):
    for _ in range(15):
        PersonFactory(last_name="Peeters", birth_date=dt.date(1980, 1, 1))
    with django_assert_max_num_queries(10):
        response = client.post(
            "/backoffice/balie/", {"name": "peeters", "birth_date": "1980-01-01"}
        )
    assert response.content.decode().count("/backoffice/balie/inwoner/") == 10


# --- Regression: counter mode re-checks the clerk, visits expire, no names in URLs ----


def _open_visit(clerk, person, *, started=None):
    from django.utils import timezone

    return CounterVisit.objects.create(
        clerk=clerk,
        person=person,
        department_name="Burgerzaken",
        purpose="Parking card",
        started_at=started or timezone.now(),
    )


def _serve(client, visit):
    session = client.session
    session[SESSION_COUNTER] = visit.pk
    session.save()


def _docs_of(client, person):
    """What "Mijn documenten" shows this client: the resident's page or a refusal."""
    response = client.get("/mijn-documenten/")
    return response.status_code, person.last_name in response.content.decode()


def test_the_search_is_posted_and_a_get_does_not_search(client, clerk, maria):
    # A name and a birth date typed in the address bar (or found in a log) search nothing.
    response = client.get("/backoffice/balie/", {"name": "vanneste", "birth_date": "1941-09-03"})
    assert response.status_code == 200
    text = response.content.decode()
    assert f"/backoffice/balie/inwoner/{maria.pk}/" not in text
    assert 'method="post"' in text
    # The form posts, and keeps what was typed on an error.
    response = client.post("/backoffice/balie/", {"name": "vanneste", "birth_date": "3/9"})
    assert response.status_code == 400
    assert 'value="vanneste"' in response.content.decode()


def test_a_clerk_without_counter_serve_no_longer_acts_for_the_resident(client, maria):
    clerk = StaffFactory()  # no role at all, but a visit left open in the session
    log_in_staff(client, clerk)
    _serve(client, _open_visit(clerk, maria))
    page = client.get("/backoffice/")
    assert counter_visit_active(page.wsgi_request) is None
    assert acting_party(page.wsgi_request) is None
    status, shown = _docs_of(client, maria)
    assert status == 302
    assert not shown
    assert not AuditEvent.objects.filter(subject_person_id=maria.pk).exists()


def test_a_clerk_without_the_second_factor_no_longer_acts_for_the_resident(client, maria):
    clerk = StaffFactory()
    MembershipFactory(user=clerk, role=RoleSlug.COUNTER_CLERK)
    client.force_login(clerk)  # a password only: the second factor was never passed
    _serve(client, _open_visit(clerk, maria))
    page = client.get("/backoffice/aanmelden/")
    assert counter_visit_active(page.wsgi_request) is None
    assert acting_party(page.wsgi_request) is None
    status, shown = _docs_of(client, maria)
    assert status == 302
    assert not shown
    assert not AuditEvent.objects.filter(subject_person_id=maria.pk).exists()


def test_a_counter_visit_expires_and_is_ended_with_an_audit_line(client, clerk, maria):
    from django.utils import timezone

    from loket.accounts.constants import COUNTER_VISIT_MAX_HOURS, EVENT_COUNTER_ENDED

    old = timezone.now() - dt.timedelta(hours=COUNTER_VISIT_MAX_HOURS, minutes=1)
    visit = _open_visit(clerk, maria, started=old)
    _serve(client, visit)
    page = client.get("/backoffice/balie/bezoek/")
    assert page.status_code == 302  # no longer serving anyone
    assert counter_visit_active(page.wsgi_request) is None
    status, shown = _docs_of(client, maria)
    assert status == 302
    assert not shown
    visit.refresh_from_db()
    assert visit.ended_at is not None
    assert SESSION_COUNTER not in client.session
    assert AuditEvent.objects.filter(
        subject_person_id=maria.pk, changes__event=EVENT_COUNTER_ENDED
    ).exists()
    # A visit just under the limit still counts.
    fresh = _open_visit(clerk, maria, started=old + dt.timedelta(minutes=2))
    _serve(client, fresh)
    page = client.get("/backoffice/balie/bezoek/")
    assert page.status_code == 200
    assert counter_visit_active(page.wsgi_request).id == fresh.pk
