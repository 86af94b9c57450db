"""``recipients_for`` gives the same answer for one person (baked, ADR 0020) and for a
fan-out batch (an ordinary query set): the latest verified address wins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loket.notifications.constants import ContactKind
from loket.notifications.models import ContactPoint, Preference
from loket.notifications.selectors import BAKED_RECIPIENTS_MAX, recipients_for
from loket.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_one_person_and_a_batch_give_the_same_recipients() -> None:
    now = timezone.now()
    people = [PersonFactory() for _ in range(BAKED_RECIPIENTS_MAX + 2)]
    for n, person in enumerate(people):
        ContactPoint.objects.create(
            person=person, kind=ContactKind.EMAIL, value=f"oud{n}@example.org",
            verified_at=now - timedelta(days=2),
        )  # fmt: skip
        ContactPoint.objects.create(
            person=person, kind=ContactKind.EMAIL, value=f"nieuw{n}@example.org",
            verified_at=now - timedelta(days=1),
        )  # fmt: skip
        ContactPoint.objects.create(
            person=person, kind=ContactKind.PHONE, value="+32470000000", verified_at=None
        )
    Preference.objects.create(person=people[0], use_email=False, language="fr")

    batch = recipients_for(person_ids=[p.pk for p in people])
    assert len(batch) == len(people)
    for n, person in enumerate(people):
        alone = recipients_for(person_ids=[person.pk])
        assert alone == {person.pk: batch[person.pk]}
        assert alone[person.pk].email == f"nieuw{n}@example.org"
        assert alone[person.pk].phone == ""  # never verified
    assert batch[people[0].pk].use_email is False
    assert batch[people[0].pk].language == "fr"
    assert recipients_for(person_ids=[people[1].pk, people[0].pk]) == {
        people[0].pk: batch[people[0].pk],
        people[1].pk: batch[people[1].pk],
    }
    assert recipients_for(person_ids=[]) == {}
