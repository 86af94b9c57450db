"""Frozen data of the accounts module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

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


# --- Acting on behalf ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """On whose behalf a request acts: a person, a company or an association, and why
    the actor may (``via``: self, mandate, parent, representative, counter).

    ``services`` is None when every service is allowed, else the slugs of services or
    categories a mandate covers. ``actor_person_id`` is the resident who acts (None for
    a clerk at the counter).
    """

    kind: str
    id: int
    label: str
    via: str
    actor_person_id: int | None = None
    mandate_id: int | None = None
    services: tuple[str, ...] | None = None

    @property
    def person_id(self) -> int | None:
        """The represented resident (for audit lines and a case's party), if a person."""
        return self.id if self.kind == "person" else None

    @property
    def is_self(self) -> bool:
        return self.via == "self"

    def covers(self, *slugs: str) -> bool:
        """Whether acting for this party is allowed for a service: pass the service's
        slug and its category slugs; any of them listed in the mandate is enough."""
        return self.services is None or any(slug in self.services for slug in slugs)

    @property
    def key(self) -> str:
        """Identifies a choice on the "act on behalf of" page."""
        return f"{self.via}:{self.kind}:{self.id}:{self.mandate_id or 0}"


@dataclass(frozen=True, slots=True)
class MandateSummary:
    id: int
    grantor_id: int
    grantor_name: str
    mandatary_id: int
    mandatary_name: str
    all_services: bool
    services: tuple[str, ...]
    valid_from: date
    valid_until: date | None
    created_at: datetime
    revoked_at: datetime | None
    status: str
    status_label: str

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def can_be_revoked(self) -> bool:
        return self.revoked_at is None and self.status != "expired"


@dataclass(frozen=True, slots=True)
class MandatePage:
    items: tuple[MandateSummary, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class OnBehalfLine:
    """One thing done on someone's behalf: by whom, for whom, what and how."""

    at: datetime
    who: str
    for_whom: str
    what: str
    via: str


@dataclass(frozen=True, slots=True)
class OnBehalfPage:
    items: tuple[OnBehalfLine, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class CounterVisitSummary:
    id: int
    clerk_id: int
    person_id: int
    person_name: str
    department_name: str
    purpose: str
    started_at: datetime
    ended_at: datetime | None
