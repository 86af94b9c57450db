"""Mandates: giving and revoking them, and the refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loket.accounts.constants import EVENT_MANDATE_GRANTED, EVENT_MANDATE_REVOKED, MandateStatus
from loket.accounts.models import Mandate
from loket.accounts.selectors import (
    acting_choices,
    acting_party_validate,
    mandate_get_for_person,
    mandates_given_page,
    mandates_received_page,
)
from loket.accounts.services import MandateRefused, mandate_grant, mandate_revoke
from loket.core.models import AuditEvent
from loket.people.tests.factories import PersonFactory

from .acting_helpers import resident_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria():
    return PersonFactory(first_name="Maria", last_name="Vanneste")


@pytest.fixture
def lies():
    return PersonFactory(first_name="Lies", last_name="Vermeulen")


def _grant(actor, grantor, mandatary, **kwargs):
    defaults = {
        "valid_from": timezone.localdate(),
        "mandatary_national_number": mandatary.national_number,
        "mandatary_last_name": mandatary.last_name,
    }
    return mandate_grant(actor=actor, grantor_id=grantor.pk, **{**defaults, **kwargs})


def test_grant_writes_the_mandate_and_an_audit_line_for_both(maria, lies):
    user = resident_user(maria)
    mandate = _grant(user, maria, lies, mandatary_last_name="  vermeulen ")
    assert mandate.all_services
    assert mandate.valid_until is None
    lines = AuditEvent.objects.filter(changes__event=EVENT_MANDATE_GRANTED)
    assert set(lines.values_list("subject_person_id", flat=True)) == {maria.pk, lies.pk}
    assert all(line.actor_id == user.pk for line in lines)
    # Both see it, with its status.
    assert mandates_given_page(person_id=maria.pk).items[0].status == MandateStatus.ACTIVE
    assert mandates_received_page(person_id=lies.pk).items[0].grantor_name == "Maria Vanneste"
    assert mandate_get_for_person(mandate_id=mandate.pk, person_id=PersonFactory().pk) is None


def test_grant_for_some_services(maria, lies):
    mandate = _grant(None, maria, lies, all_services=False, services=["Parkeerkaart", "afval"])
    assert mandate.services == ["parkeerkaart", "afval"]
    party = next(p for p in acting_choices(person_id=lies.pk, label="Lies") if p.via == "mandate")
    assert party.covers("afval")
    assert not party.covers("bouwvergunning")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mandatary_last_name": "Peeters"}, "nobody"),
        ({"mandatary_national_number": "00000000000"}, "nobody"),
        ({"valid_until": timezone.localdate() - dt.timedelta(days=1)}, "before the start"),
        ({"valid_from": timezone.localdate() - dt.timedelta(days=1)}, "past"),
        ({"all_services": False, "services": ["  "]}, "at least one service"),
    ],
)
def test_refusals_leave_nothing_changed(settings, maria, lies, change, message):
    settings.LANGUAGE_CODE = "en"
    before = AuditEvent.objects.count()
    with pytest.raises(MandateRefused, match=message):
        _grant(None, maria, lies, **change)
    assert not Mandate.objects.exists()
    assert AuditEvent.objects.count() == before


def test_refuses_a_mandate_to_oneself(maria):
    with pytest.raises(MandateRefused):
        _grant(None, maria, maria)
    assert not Mandate.objects.exists()


def test_revoke_by_grantor_or_mandatary_only_once(maria, lies):
    mandate = _grant(None, maria, lies)
    stranger = PersonFactory()
    with pytest.raises(MandateRefused):
        mandate_revoke(actor=None, person_id=stranger.pk, mandate_id=mandate.pk)
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
    user = resident_user(lies)
    mandate_revoke(actor=user, person_id=lies.pk, mandate_id=mandate.pk)
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None
    assert mandate.revoked_by == user
    assert AuditEvent.objects.filter(changes__event=EVENT_MANDATE_REVOKED).count() == 2
    with pytest.raises(MandateRefused):
        mandate_revoke(actor=None, person_id=maria.pk, mandate_id=mandate.pk)
    assert mandates_given_page(person_id=maria.pk).items[0].status == MandateStatus.REVOKED
    # A revoked mandate is no longer a choice, nor valid in a session.
    assert [p.via for p in acting_choices(person_id=lies.pk, label="Lies")] == ["self"]
    data = {"kind": "person", "id": maria.pk, "via": "mandate", "mandate_id": mandate.pk}
    assert acting_party_validate(person_id=lies.pk, data=data) is None


def test_expired_and_planned_mandates_are_not_choices(maria, lies):
    today = timezone.localdate()
    _grant(None, maria, lies, valid_from=today + dt.timedelta(days=3))
    expired = Mandate.objects.create(
        grantor=maria,
        mandatary=lies,
        valid_from=today - dt.timedelta(days=10),
        valid_until=today - dt.timedelta(days=1),
    )
    assert [p.via for p in acting_choices(person_id=lies.pk, label="Lies")] == ["self"]
    statuses = {m.id: m.status for m in mandates_given_page(person_id=maria.pk).items}
    assert statuses[expired.pk] == MandateStatus.EXPIRED
    assert MandateStatus.PLANNED in statuses.values()


def test_mandate_lists_are_paginated_without_n_plus_one(maria, django_assert_max_num_queries):
    for _ in range(30):
        _grant(None, maria, PersonFactory())
    with django_assert_max_num_queries(1):
        first = mandates_given_page(person_id=maria.pk)
    assert len(first.items) == 25
    assert first.next_cursor
    with django_assert_max_num_queries(1):
        second = mandates_given_page(person_id=maria.pk, after=first.next_cursor)
    assert len(second.items) == 5
    assert second.next_cursor is None
    assert not {m.id for m in first.items} & {m.id for m in second.items}


def test_acting_for_a_company_records_the_actor_as_the_resident_concerned(lies):
    from loket.accounts.services import acting_party_set, party_audit_changes
    from loket.people.services import company_create, company_representative_add

    company = company_create(
        actor=None, enterprise_number="0403170701", name="Bakkerij", legal_form="bv"
    )
    company_representative_add(
        actor=None,
        company_id=company.pk,
        person_id=lies.pk,
        function="zaakvoerder",
        since=dt.date(2008, 5, 1),
    )
    user = resident_user(lies)
    session: dict = {}
    choice = next(p for p in acting_choices(person_id=lies.pk, label="Lies") if p.kind == "company")
    party = acting_party_set(
        user=user, person_id=lies.pk, self_label="Lies", choice=choice.key, session=session
    )
    assert (party.kind, party.id, party.person_id) == ("company", company.pk, None)
    assert session["loket.acting_party"]["id"] == company.pk
    line = AuditEvent.objects.filter(actor=user).latest("id")
    assert line.subject_person_id == lies.pk
    assert line.changes["on_behalf_of"] == {
        "kind": "company",
        "id": company.pk,
        "label": "Bakkerij",
    }
    # Acting for oneself adds no "on behalf of" to an audit line.
    me = acting_choices(person_id=lies.pk, label="Lies")[0]
    assert party_audit_changes(me, case=1) == {"case": 1}
