"""Frozen data of the accounts module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from loket.people.types import PersonSummary


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the identity provider says logged in. Out of ``repr()``: the number."""

    national_number: str = field(repr=False)
    first_name: str
    last_name: str
    email: str
    language: str


@dataclass(frozen=True, slots=True)
class VerifiedLogin:
    """An ID token that passed every check, with the identity it carries."""

    identity: Identity
    dialect: str
    acr: str
    level: int
    auth_time: datetime | None
    sid: str
    subject: str


@dataclass(frozen=True, slots=True)
class LoginResult:
    user_id: int
    person_id: int | None
    first_login: bool

    @property
    def limited(self) -> bool:
        return self.person_id is None


@dataclass(frozen=True, slots=True)
class MyDetails:
    """What the municipality knows about a resident, for "Mijn gegevens"."""

    first_name: str
    last_name: str
    email: str
    person: PersonSummary | None
    household: tuple[PersonSummary, ...]

    @property
    def limited(self) -> bool:
        return self.person is None


@dataclass(frozen=True, slots=True)
class AccessLogLine:
    at: datetime
    who: str
    who_is_self: bool
    action: str
    what: str
    why: str


@dataclass(frozen=True, slots=True)
class AccessLogPage:
    items: tuple[AccessLogLine, ...]
    next_cursor: str | None
