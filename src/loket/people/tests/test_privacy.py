"""The full national number never shows: not in str/repr, the admin, or the logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from loket.people.constants import Gender
from loket.people.services import person_create, person_update
from loket.people.tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

NUMBER = "85073003328"
SHAPES = ("85073003328", "85.07.30-033.28", "033.28", "03328")


def _assert_hidden(text: str) -> None:
    for shape in SHAPES:
        assert shape not in text


def _person():
    return PersonFactory(
        first_name="Jan",
        last_name="Peeters",
        national_number=NUMBER,
        birth_date=dt.date(1985, 7, 30),
        gender=Gender.MALE,
        household=HouseholdFactory(),
    )


def test_str_and_repr_show_the_name_only():
    person = _person()
    assert str(person) == "Jan Peeters"
    assert repr(person) == f"<Person {person.pk}: Jan Peeters>"
    _assert_hidden(repr([person]))
    assert person.masked_national_number == "85.07.30-***.**"


def test_services_never_log_the_number(caplog):
    caplog.set_level(logging.DEBUG)
    person = person_create(
        actor=None, national_number="85.07.30-033.28", first_name="Jan", last_name="Peeters"
    )
    person_update(actor=None, person=person, changes={"phone": "+32470000000"})
    assert caplog.records  # the services do log; just never the number
    _assert_hidden(caplog.text)


@pytest.fixture
def admin_client_(client):
    admin = get_user_model().objects.create_superuser("beheerder", "b@example.org", "x")
    client.force_login(admin)
    session = client.session  # as the staff login leaves it: second factor passed
    session.update({"loket_auth_kind": "staff", "loket_staff_factor": "totp"})
    session.save()
    return client


def test_admin_list_search_and_detail_show_the_masked_number_only(admin_client_):
    person = _person()
    for url in (
        reverse("admin:people_person_changelist"),
        reverse("admin:people_person_changelist") + "?q=peeters",
        reverse("admin:people_person_change", args=[person.pk]),
        reverse("admin:people_household_change", args=[person.household_id]),
    ):
        response = admin_client_.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_hidden(html)
        if "change" in url and "household" not in url:
            assert "85.07.30-***.**" in html
        assert "Peeters" in html


def test_admin_search_does_not_look_up_national_numbers(admin_client_):
    _person()
    url = reverse("admin:people_person_changelist") + "?q=" + NUMBER
    response = admin_client_.get(url)
    assert response.status_code == 200
    assert "Peeters" not in response.content.decode()


def test_admin_is_view_only(admin_client_):
    person = _person()
    assert admin_client_.get(reverse("admin:people_person_add")).status_code == 403
    response = admin_client_.post(
        reverse("admin:people_person_change", args=[person.pk]), {"first_name": "Piet"}
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.first_name == "Jan"
