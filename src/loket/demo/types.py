"""Frozen data of the demo module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo staff account to show to whoever runs the demo."""

    username: str
    password: str
    full_name: str
    description: str
    where: str


@dataclass(frozen=True, slots=True)
class SeedResult:
    residents: int
    households: int
    addresses: int
    organisations: int
    departments: int
    staff: int
    companies: int
    associations: int
    seed: int


@dataclass(frozen=True, slots=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, str], ...]  # (department slug, role slug)
    description: str = ""
    where: str = "/backoffice/"
    liaison_of: str = ""  # slug of the department whose communication liaison they are
    superuser: bool = False


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    slug: str
    kind: str
    name: str
    street: str
    email: str
    phone: str
    website: str
    is_primary: bool
    opening_hours: tuple[
        tuple[int, str, str, bool], ...
    ]  # (weekday, opens, closes, by appointment)
    departments: tuple[tuple[str, str], ...]  # (slug, name)


@dataclass(frozen=True, slots=True)
class PersonaHousemate:
    """Someone who lives with a persona (in the register, without a demo login)."""

    first_name: str
    last_name: str
    national_number: str = field(repr=False)
    birth_date: date
    gender: str
    household_relation: str


@dataclass(frozen=True, slots=True)
class Persona:
    """A test person of the demo identity provider: someone who logs in with eID or
    itsme. ``in_register`` False: a newcomer the population register does not know.
    ``description`` is shown on the demo identity provider's persona picker (Dutch)."""

    key: str
    first_name: str
    last_name: str
    national_number: str = field(repr=False)
    birth_date: date
    gender: str
    description: str
    language: str = "nl"
    email: str = ""
    prefers_paper: bool = False
    in_register: bool = True
    house_number: str = ""
    housemates: tuple[PersonaHousemate, ...] = ()
    chairs_association: str = ""  # name of the association they chair
