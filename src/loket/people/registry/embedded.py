"""The embedded population register: answers from the municipality's own tables.

In the demo these tables are the seeded population register of Mandelmunster; in a
deployment they are the municipality's copy of its residents. Adapters that ask the
real register (MAGDA) will live in ``people/providers/<vendor>/``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from loket.people.models import Person, PersonQuerySet
from loket.people.types import NationalNumber, RegistryPerson


class EmbeddedPopulationRegistry:
    """``PopulationRegistry`` answered by the ``people`` tables, one query per call."""

    name = "embedded"

    def lookup_person(self, national_number: str) -> RegistryPerson | None:
        number = _parse(national_number)
        if number is None:
            return None
        person = _persons().filter(national_number=number).first()
        return person.to_registry_person() if person is not None else None

    def household_of(self, national_number: str) -> list[RegistryPerson]:
        number = _parse(national_number)
        if number is None:
            return []
        members = (
            _persons()
            .alive()
            .filter(household__members__national_number=number)
            .in_household_order()
        )
        return [person.to_registry_person() for person in members]


def _parse(national_number: str) -> str | None:
    try:
        return NationalNumber.parse(national_number).value
    except ValidationError:
        return None


def _persons() -> PersonQuerySet:
    return Person.objects.select_related("address", "household")
