from __future__ import annotations

import pytest
from stdnum.be import nn

from loket.demo.constants import PERSONA_STREET, PERSONAS
from loket.demo.services import demo_seed
from loket.people.constants import HouseholdRelation
from loket.people.models import Association, Person
from loket.people.selectors import household_members, person_get_by_national_number


def test_personas_have_valid_unique_national_numbers_matching_birth_date_and_gender():
    numbers = [p.national_number for p in PERSONAS]
    numbers += [m.national_number for p in PERSONAS for m in p.housemates]
    assert len(set(numbers)) == len(numbers)
    for persona in PERSONAS:
        assert nn.is_valid(persona.national_number), persona.key
        assert nn.get_birth_date(persona.national_number) == persona.birth_date
        assert nn.get_gender(persona.national_number) == persona.gender
        assert persona.national_number not in repr(persona)
    keys = {p.key for p in PERSONAS}
    assert {"jong-gezin", "senior-papier", "ondernemer", "voorzitter", "nieuwkomer"} <= keys
    assert {"raadslid", "vrijwilliger"} <= keys


@pytest.mark.django_db
def test_the_seed_registers_every_persona_except_the_newcomer():
    result = demo_seed(residents=200, seed=5)
    assert result.residents == Person.objects.count() == 200
    for persona in PERSONAS:
        found = person_get_by_national_number(national_number=persona.national_number)
        if not persona.in_register:
            assert found is None, persona.key
            continue
        assert found is not None, persona.key
        assert found.full_name == f"{persona.first_name} {persona.last_name}"
        assert found.address is not None
        assert found.address.street_name == PERSONA_STREET
        assert found.household_relation == HouseholdRelation.HEAD
    family = next(p for p in PERSONAS if p.key == "jong-gezin")
    parent = person_get_by_national_number(national_number=family.national_number)
    members = household_members(household_id=parent.household_id)
    assert [m.household_relation for m in members].count(HouseholdRelation.CHILD) == 2
    senior = next(p for p in PERSONAS if p.key == "senior-papier")
    row = Person.objects.get(national_number=senior.national_number)
    assert row.prefers_paper
    assert row.email == ""
    chair = next(p for p in PERSONAS if p.chairs_association)
    association = Association.objects.get(name=chair.chairs_association)
    assert association.chair.national_number == chair.national_number
