"""The demo shows acting on behalf: Maria's mandate to Lies, Koen for his bakery, Sarah
and Tom for their children; every persona has a valid identity card number."""

from __future__ import annotations

import pytest

from loket.accounts.selectors import acting_choices
from loket.demo.acting import PERSONA_CARD_NUMBERS
from loket.demo.constants import PERSONAS
from loket.demo.services import demo_seed
from loket.people.models import Person
from loket.people.types import IdentityCardNumber


def _person(key: str) -> Person:
    persona = next(p for p in PERSONAS if p.key == key)
    return Person.objects.get(national_number=persona.national_number)


def test_persona_card_numbers_are_valid_and_unique():
    numbers = list(PERSONA_CARD_NUMBERS.values())
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert IdentityCardNumber.parse(number).value == number


@pytest.mark.django_db
def test_the_seed_shows_acting_on_behalf():
    demo_seed(residents=120, seed=5)
    assert _person("senior-papier").identity_card_number == PERSONA_CARD_NUMBERS["senior-papier"]
    generated = Person.objects.exclude(identity_card_number__startswith="590")
    assert generated.exists()
    assert all(
        IdentityCardNumber.parse(p.identity_card_number)
        for p in generated.only("pk", "identity_card_number")
    )
    assert generated.values("identity_card_number").distinct().count() == generated.count()

    def choices(key: str) -> set[tuple[str, str]]:
        person = _person(key)
        return {(p.via, p.label) for p in acting_choices(person_id=person.pk, label="x")}

    assert ("mandate", "Maria Vanneste") in choices("vrijwilliger")
    assert ("representative", "Bakkerij De Mandel") in choices("ondernemer")
    assert ("representative", "Toneelgroep Het Masker") in choices("voorzitter")
    sarah = choices("jong-gezin")
    assert ("parent", "Lena Deprez") in sarah
    assert ("parent", "Mats Deprez") in sarah
