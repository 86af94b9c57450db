"""The generated town looks like a Flemish town (no database needed)."""

from __future__ import annotations

import datetime as dt
from itertools import islice

from loket.demo.constants import REFERENCE_DATE
from loket.demo.names import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES, STREETS
from loket.demo.population import PopulationGenerator


def _age(birth_date: dt.date) -> int:
    years = REFERENCE_DATE.year - birth_date.year
    return years - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (birth_date.month, birth_date.day))


def test_a_town_of_11000_has_realistic_households_ages_and_paper_preference():
    households = list(PopulationGenerator(residents=11_000, seed=8770).households())
    persons = [person for household in households for person in household.members]
    assert len(persons) == 11_000
    assert 4_500 <= len(households) <= 5_000
    ages = [_age(person.birth_date) for person in persons]
    share = lambda test: sum(map(test, ages)) / len(ages)  # noqa: E731
    assert 0.16 <= share(lambda age: age < 18) <= 0.25
    assert 0.15 <= share(lambda age: age >= 65) <= 0.25
    assert 0.04 <= share(lambda age: age >= 80) <= 0.09
    assert max(ages) <= 99
    paper = [age for age, person in zip(ages, persons, strict=True) if person.prefers_paper]
    assert 0.04 <= len(paper) / len(persons) <= 0.06
    assert sum(age >= 75 for age in paper) > len(paper) / 2
    assert any(person.email for person in persons)
    assert any(person.phone for person in persons)
    assert all(
        person.email.endswith((".org", ".net", ".com")) for person in persons if person.email
    )
    assert len({h.address.street_name for h in households}) >= 120
    assert any(h.address.box_number for h in households)
    assert len({h.address.key for h in households}) == len(households)


def test_names_lists_are_a_few_hundred_and_the_generator_stays_lazy():
    first_names = sum(len(names) for names in (*MALE_NAMES, *FEMALE_NAMES))
    assert first_names + len(FAMILY_NAMES) >= 300
    assert len(STREETS) >= 100
    # Asking for the first households of Antwerp does not build the rest.
    generator = PopulationGenerator(residents=550_000, seed=1)
    first = list(islice(generator.households(), 10))
    assert len(first) == 10
    assert len(generator._streets) > 900  # a big town gets more streets
