"""The population register as Loket asks it: a small protocol, several adapters.

Loket asks the population register (the Rijksregister, reached through MAGDA) only two
things: who is this person, and who lives with them. Whatever answers implements
``PopulationRegistry``; ``loket.people.selectors.registry_get()`` returns the adapter
this deployment is configured with.

- ``registry/embedded.py`` answers from the municipality's own tables (in the demo,
  the seeded population register of Mandelmunster).
- Adapters for real outside systems (MAGDA and its vendors) will live in
  ``people/providers/<vendor>/``, each with a local simulator that speaks the same
  protocol on loopback for the demo and the tests.
"""

from __future__ import annotations

from typing import Protocol

from loket.people.types import RegistryPerson


class PopulationRegistry(Protocol):
    """Look-ups in the population register by national (or BIS) number."""

    def lookup_person(self, national_number: str) -> RegistryPerson | None:
        """The person with this number, or None when the register does not know it."""
        ...

    def household_of(self, national_number: str) -> list[RegistryPerson]:
        """Everyone in the household of the person with this number, the person
        included, head first; an empty list when the person or household is unknown."""
        ...
