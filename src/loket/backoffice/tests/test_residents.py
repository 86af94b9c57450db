"""Back office "Inwoners": search, the purpose form, the file and its access-log line."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.constants import RoleSlug
from loket.core.models import AuditEvent
from loket.core.tests.factories import MembershipFactory
from loket.people.constants import HouseholdRelation
from loket.people.tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

SEARCH = "/backoffice/inwoners/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _staff(client, role: str = RoleSlug.HANDLER):
    user = MembershipFactory(role=role).user
    log_in_staff(client, user)
    return user


@pytest.fixture
def family():
    household = HouseholdFactory()
    head = PersonFactory(
        first_name="Jan",
        last_name="Peeters",
        household=household,
        household_relation=HouseholdRelation.HEAD,
    )
    child = PersonFactory(
        first_name="Lena",
        last_name="Peeters",
        household=household,
        household_relation=HouseholdRelation.CHILD,
    )
    return head, child


def test_urls():
    assert reverse("backoffice:residents") == SEARCH
    assert reverse("backoffice:resident", args=[7]) == "/backoffice/inwoners/7/"


def test_search_page_is_for_people_view_only(client):
    assert client.get(SEARCH).status_code == 302
    _staff(client, RoleSlug.COMMUNICATION)
    assert client.get(SEARCH).status_code == 403


def test_search_by_name_finds_residents_without_recording_a_view(client, family):
    _staff(client)
    before = AuditEvent.objects.count()
    html = client.get(SEARCH, {"q": "peeters"}).content.decode()
    assert "Peeters, Jan" in html
    assert "Peeters, Lena" in html
    assert family[0].national_number not in html
    assert AuditEvent.objects.count() == before


def test_empty_state_and_short_query(client, family):
    _staff(client)
    assert "No resident matches" in client.get(SEARCH, {"q": "zzzz"}).content.decode()
    response = client.get(SEARCH, {"q": "p"})
    assert response.status_code == 400
    assert "Type at least two letters" in response.content.decode()


def test_national_number_only_by_post_never_in_the_address(client, family):
    _staff(client)
    head = family[0]
    response = client.get(SEARCH, {"q": head.national_number})
    assert response.status_code == 400
    response = client.post(SEARCH, {"q": head.national_number})
    html = response.content.decode()
    assert "Peeters, Jan" in html
    assert "Peeters, Lena" not in html


def test_search_pages_with_a_cursor(client, settings):
    _staff(client)
    PersonFactory.create_batch(30, last_name="Maes")
    first = client.get(SEARCH, {"q": "maes"})
    assert len(first.context["results"]) == 25
    next_url = first.context["next_url"]
    assert next_url
    second = client.get(SEARCH + next_url)
    assert len(second.context["results"]) == 5
    assert not second.context["next_url"]
    # A forged cursor starts at the first page instead of failing.
    assert client.get(SEARCH, {"q": "maes", "after": "bogus"}).status_code == 200


def test_search_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    _staff(client)
    PersonFactory.create_batch(5, last_name="Devos")
    client.get(SEARCH, {"q": "devos"})
    PersonFactory.create_batch(20, last_name="Devos")
    with django_assert_max_num_queries(8):
        assert client.get(SEARCH, {"q": "devos"}).status_code == 200


def test_opening_a_file_asks_why_first_and_records_one_line(client, family):
    user = _staff(client)
    head, child = family
    url = reverse("backoffice:resident", args=[head.pk])
    page = client.get(url).content.decode()
    assert "Why do you open this file?" in page
    assert "Stationsstraat" not in page
    assert not AuditEvent.objects.filter(subject_person_id=head.pk).exists()

    response = client.post(url, {"purpose": "counter", "details": "attest"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Stationsstraat" in html
    assert "Lena Peeters" in html
    assert head.national_number not in html
    assert "Social file" not in html
    line = AuditEvent.objects.get(subject_person_id=head.pk)
    assert line.actor == user
    assert line.action == "view"
    assert line.reason == "A question at the counter: attest"
    assert not AuditEvent.objects.filter(subject_person_id=child.pk).exists()

    client.post(url, {"purpose": "check"})
    assert AuditEvent.objects.filter(subject_person_id=head.pk).count() == 2


def test_purpose_form_errors_keep_input_and_record_nothing(client, family):
    _staff(client)
    url = reverse("backoffice:resident", args=[family[0].pk])
    response = client.post(url, {"purpose": "other", "details": ""})
    assert response.status_code == 400
    assert "Say what the other reason is." in response.content.decode()
    response = client.post(url, {"details": "kept text"})
    assert response.status_code == 400
    assert "kept text" in response.content.decode()
    assert not AuditEvent.objects.filter(subject_person_id=family[0].pk).exists()


def test_unknown_resident_is_404(client):
    _staff(client)
    assert client.get(reverse("backoffice:resident", args=[999999])).status_code == 404
    assert (
        client.post(reverse("backoffice:resident", args=[999999]), {"purpose": "check"}).status_code
        == 404
    )


def test_refused_staff_member_records_nothing(client, family):
    _staff(client, RoleSlug.COUNCIL_MEMBER)
    url = reverse("backoffice:resident", args=[family[0].pk])
    assert client.post(url, {"purpose": "check"}).status_code == 403
    assert not AuditEvent.objects.filter(subject_person_id=family[0].pk).exists()


def test_social_worker_sees_the_social_file_section(client, family):
    _staff(client, RoleSlug.SOCIAL_WORKER)
    url = reverse("backoffice:resident", args=[family[0].pk])
    html = client.post(url, {"purpose": "social"}).content.decode()
    assert "Social file (OCMW)" in html
    assert "No social file." in html


def test_the_resident_sees_who_opened_their_file_and_why(client, family):
    from django.test import Client

    from loket.accounts.tests.acting_helpers import log_in_resident

    user = _staff(client)
    head = family[0]
    client.post(
        reverse("backoffice:resident", args=[head.pk]),
        {"purpose": "case", "details": "dossier 2026-0042"},
    )
    resident = Client()
    log_in_resident(resident, head)
    html = resident.get(reverse("accounts:access_log")).content.decode()
    assert "Handling a dossier: dossier 2026-0042" in html
    assert user.get_full_name() in html or user.get_username() in html
