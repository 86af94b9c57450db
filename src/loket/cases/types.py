"""Frozen data of the cases module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PartyRef:
    """On whose behalf a case is filed. ``person_id`` is the resident who hears about
    it (the person themselves, or the person acting for a company or association)."""

    kind: str
    id: int | None
    label: str
    person_id: int | None
    via: str = "self"  # self | mandate | parent | representative | counter
    mandate_id: int | None = None
    services: tuple[str, ...] | None = None  # what a mandate covers; None: everything

    def covers(self, *slugs: str) -> bool:
        return self.services is None or any(slug in self.services for slug in slugs)

    def audit_changes(self) -> dict[str, object]:
        """The party in an audit line, as the accounts module's "done on my behalf"
        pages read it."""
        if self.via == "self" or self.id is None:
            return {}
        changes: dict[str, object] = {
            "on_behalf_of": {"kind": self.kind, "id": self.id, "label": self.label},
            "via": self.via,
        }
        if self.mandate_id:
            changes["mandate"] = self.mandate_id
        return changes


@dataclass(frozen=True, slots=True)
class ResidentScope:
    """Which cases a portal visitor may see: their own user and the parties they act
    for (kind → ids), or one case by its tracking code."""

    user_id: int | None = None
    party_ids: dict[str, frozenset[int]] = field(default_factory=dict)
    tracking_code: str = field(default="", repr=False)
    # The visitor's own person: cases they filed for themselves stay theirs whoever they
    # act for now. Cases filed for someone else are only seen through ``party_ids``.
    own_person_id: int | None = None
    # What a mandate covers (service or case type slugs); None: everything.
    services: tuple[str, ...] | None = None
    # The tracking code's hash, kept in the session after typing the code on /volg/.
    tracking_hash: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class SubmitResult:
    case_id: int
    reference: str
    tracking_code: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A case in a list (portal or back office)."""

    id: int
    reference: str
    title: str
    type_name: str
    status_name: str
    public_status: str
    next_step: str
    waiting_for: str
    department: str
    assignee: str
    party_label: str
    channel: str
    submitted_at: datetime
    deadline: date | None
    is_open: bool
    overdue: bool
    deadline_near: bool
    # Keys and ids for machine readers (the API); the fields above are for people.
    case_type_slug: str = ""
    status_key: str = ""
    department_id: int | None = None
    confidentiality: str = ""
    person_id: int | None = None
    updated_at: datetime | None = None
    # "none": no payment was ever asked in this case, so it has no orders.
    payment_status: str = ""


@dataclass(frozen=True, slots=True)
class CasePage:
    items: tuple[CaseRow, ...]
    next_cursor: str | None
