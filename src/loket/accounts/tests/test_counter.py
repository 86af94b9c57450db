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
    found = client.get("/backoffice/balie/", {"name": "vanneste", "birth_date": "1941-09-03"})
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
        response = client.get("/backoffice/balie/", {"name": "peeters", "birth_date": "1980-01-01"})
    assert response.content.decode().count("/backoffice/balie/inwoner/") == 10
