"""Test data for the people module. National numbers are valid and unique: each is
composed from the birth date, the gender and a day counter, with its check digits."""

from __future__ import annotations

import datetime as dt

import factory

from loket.people.constants import Gender, HouseholdRelation, Language
from loket.people.models import Address, Household, Person
from loket.people.types import NationalNumber

FIRST_NAMES = ("Jan", "An", "Pieter", "Els", "Tom", "Sofie", "Luc", "Marie", "Wout", "Lies")
LAST_NAMES = ("Peeters", "Janssens", "Maes", "Vandenberghe", "Declercq", "Desmet", "Devos")


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    street_name = "Stationsstraat"
    house_number = factory.Sequence(lambda n: str(n + 1))
    box_number = ""
    postcode = "8770"
    municipality_name = "Mandelmunster"
    nis_code = "36007"


class HouseholdFactory(factory.django.DjangoModelFactory[Household]):
    class Meta:
        model = Household

    reference = factory.Sequence(lambda n: f"T{n:07d}")
    address = factory.SubFactory(AddressFactory)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)])
    last_name = factory.Sequence(lambda n: LAST_NAMES[n % len(LAST_NAMES)])
    gender = factory.Sequence(lambda n: Gender.MALE if n % 2 else Gender.FEMALE)
    birth_date = factory.Sequence(lambda n: dt.date(1950, 1, 1) + dt.timedelta(days=n * 37 % 25000))
    # The counter comes from the sequence too, so two persons never share a number,
    # also when a test gives them the same birth date.
    national_number = factory.LazyAttributeSequence(
        lambda person, n: (
            NationalNumber.compose(
                birth_date=person.birth_date, gender=person.gender, index=n % 499
            ).value
        )
    )
    language = Language.DUTCH
    household: factory.SubFactory | None = None
    household_relation = ""
    address = factory.LazyAttribute(
        lambda person: person.household.address if person.household else None
    )


class HouseholdMemberFactory(PersonFactory):
    household = factory.SubFactory(HouseholdFactory)
    household_relation = HouseholdRelation.HEAD
