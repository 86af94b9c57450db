"""Acting on behalf through the pages, with a real resident login (eID at the demo
identity provider): as a parent, under a mandate, and a mandate revoked meanwhile."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from loket.accounts.constants import (
    EVENT_ACTING_REFUSED,
    EVENT_ACTING_STARTED,
    SESSION_ACTING,
)
from loket.accounts.models import Mandate
from loket.accounts.services import mandate_grant
from loket.core.models import AuditEvent
from loket.people.models import Person
from loket.people.tests.factories import PersonFactory

from .acting_helpers import log_in_resident
from .conftest import CHILD_NUMBER, PARENT, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sarah(resident_login, client):
    response = log_in(client, method="eid")
    assert response.status_code == 302
    return Person.objects.get(national_number=PARENT.national_number)


@pytest.fixture
def maria():
    return PersonFactory(first_name="Maria", last_name="Vanneste")


def _key(page: str, name: str) -> str:
    """The radio value of a choice on the acting page, found by its label."""
    start = page.index(name)
    value = page.rindex('value="', 0, start) + len('value="')
    return page[value : page.index('"', value)]


def test_parent_acts_for_child_and_both_see_it(client, sarah):
    mats = Person.objects.get(national_number=CHILD_NUMBER)
    page = client.get("/namens/").content.decode()
    assert "Mats Peeters" in page
    assert "Your child" in page
    response = client.post("/namens/", {"party": _key(page, "Mats Peeters")})
    assert response.status_code == 302
    assert client.session[SESSION_ACTING]["id"] == mats.pk
    details = client.get("/mijn-gegevens/").content.decode()
    assert "You are acting on behalf of Mats Peeters" in details
    line = AuditEvent.objects.get(changes__event=EVENT_ACTING_STARTED)
    assert line.subject_person_id == mats.pk
    assert line.changes["via"] == "parent"
    assert line.changes["on_behalf_of"]["label"] == "Mats Peeters"
    mine = client.get("/mijn-gegevens/voor-anderen/").content.decode()
    assert "Mats Peeters" in mine
    assert "as parent" in mine
    # The child's own access log shows it too (a parent reading it later, say).
    child = Client()
    log_in_resident(child, mats)
    theirs = child.get("/mijn-gegevens/namens-mij/").content.decode()
    assert "Sarah Peeters" in theirs
    assert "as parent" in theirs
    # Back to oneself.
    response = client.post("/namens/terug/", {"next": "/mijn-gegevens/"})
    assert response["Location"] == "/mijn-gegevens/"
    assert SESSION_ACTING not in client.session
    assert "You are acting on behalf" not in client.get("/mijn-gegevens/").content.decode()


def test_mandatary_acts_and_grantor_sees_it_then_revokes_mid_session(client, sarah, maria):
    mandate_grant(
        actor=None,
        grantor_id=maria.pk,
        mandatary_national_number=PARENT.national_number,
        mandatary_last_name="Peeters",
        valid_from=timezone.localdate(),
    )
    page = client.get("/namens/").content.decode()
    assert "Mandate for all services" in page
    client.post("/namens/", {"party": _key(page, "Maria Vanneste")})
    assert (
        "You are acting on behalf of Maria Vanneste" in client.get("/volmachten/").content.decode()
    )

    grantor = Client()
    log_in_resident(grantor, maria)
    theirs = grantor.get("/mijn-gegevens/namens-mij/").content.decode()
    assert "Sarah Peeters" in theirs
    assert "under a mandate" in theirs
    mandates = grantor.get("/volmachten/").content.decode()
    assert "Sarah Peeters" in mandates
    assert "valid" in mandates
    # Revoking asks for confirmation first.
    mandate = Mandate.objects.get()
    confirm = grantor.get(f"/volmachten/{mandate.pk}/intrekken/")
    assert b"Yes, revoke the mandate" in confirm.content
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
    assert grantor.post(f"/volmachten/{mandate.pk}/intrekken/").status_code == 302
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None

    # The mandatary's next request: back to themselves, with a message and an audit line.
    response = client.get("/mijn-gegevens/", follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "was revoked or has expired" in text
    assert "You are acting on behalf" not in text
    assert SESSION_ACTING not in client.session
    refused = AuditEvent.objects.get(changes__event=EVENT_ACTING_REFUSED)
    assert refused.subject_person_id == maria.pk

    # Choosing the stale option again (a page open in another tab): a clear refusal.
    response = client.post("/namens/", {"party": _key(page, "Maria Vanneste")})
    assert response.status_code == 409
    assert "no longer act on behalf of this person" in response.content.decode()
    assert AuditEvent.objects.filter(changes__event=EVENT_ACTING_REFUSED).count() == 2
    assert SESSION_ACTING not in client.session


def test_mandate_form_keeps_input_and_refuses_clearly(client, sarah, maria):
    response = client.post(
        "/volmachten/",
        {
            "mandatary_national_number": maria.national_number,
            "mandatary_last_name": "Wrongname",
            "scope": "all",
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "We find nobody in the population register" in text
    assert 'value="Wrongname"' in text
    assert not Mandate.objects.exists()
    response = client.post(
        "/volmachten/",
        {
            "mandatary_national_number": maria.national_number,
            "mandatary_last_name": "Vanneste",
            "scope": "some",
            "services": "",
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Name at least one service" in response.content.decode()
    response = client.post(
        "/volmachten/",
        {
            "mandatary_national_number": maria.national_number,
            "mandatary_last_name": "Vanneste",
            "scope": "some",
            "services": "parkeerkaart\nafval",
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert mandate.grantor.national_number == PARENT.national_number
    assert mandate.services == ["parkeerkaart", "afval"]


def test_a_stranger_gets_404_on_someone_elses_mandate(client, sarah, maria):
    mandate = Mandate.objects.create(
        grantor=maria, mandatary=PersonFactory(), valid_from=timezone.localdate()
    )
    assert client.get(f"/volmachten/{mandate.pk}/intrekken/").status_code == 404
    assert client.post(f"/volmachten/{mandate.pk}/intrekken/").status_code == 404


def test_pages_need_a_resident_login(client, db):
    for url in ("/namens/", "/volmachten/", "/mijn-gegevens/namens-mij/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/aanmelden/")


def test_lists_do_not_grow_queries(client, sarah, django_assert_max_num_queries):
    for _ in range(30):
        mandate_grant(
            actor=None,
            grantor_id=sarah.pk,
            mandatary_national_number=PersonFactory().national_number,
            mandatary_last_name=Person.objects.order_by("-pk").first().last_name,
            valid_from=timezone.localdate(),
        )
    with django_assert_max_num_queries(12):
        assert client.get("/volmachten/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/mijn-gegevens/voor-anderen/").status_code == 200
