"""Reads for the back-office dashboard, composed from the modules' own selectors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from loket.backoffice.permissions import can_view_audit_log
from loket.core.selectors import (
    audit_events_recent,
    department_list,
    membership_list_for_staff,
    organisation_list_public,
    worker_list_alive,
)
from loket.core.types import WorkerInfo
from loket.people.constants import HouseholdRelation
from loket.people.selectors import household_members, person_count, person_get
from loket.people.types import PersonSummary

AUDIT_LINES_ON_OVERVIEW = 10


@dataclass(frozen=True)
class StaffRoleLabel:
    code: str
    label: str


@dataclass(frozen=True)
class StaffDepartment:
    name: str
    organisation: str
    roles: tuple[StaffRoleLabel, ...]


@dataclass(frozen=True)
class WorkOverview:
    departments: tuple[StaffDepartment, ...]
    resident_count: int | None
    organisation_count: int
    department_count: int
    workers: tuple[WorkerInfo, ...]
    audit_visible: bool
    audit_events: tuple[Any, ...]


def staff_departments(*, user: Any) -> tuple[StaffDepartment, ...]:
    """The user's departments with their role(s) in each, in one query."""
    names: dict[int, tuple[str, str]] = {}
    roles: dict[int, list[StaffRoleLabel]] = {}
    for membership in membership_list_for_staff(user=user):
        department = membership.department
        names[department.pk] = (department.name, department.organisation.name)
        roles.setdefault(department.pk, []).append(
            StaffRoleLabel(code=membership.role.slug, label=membership.role.name)
        )
    return tuple(
        StaffDepartment(name=name, organisation=organisation, roles=tuple(roles[pk]))
        for pk, (name, organisation) in names.items()
    )


def work_overview_for_staff(*, user: Any) -> WorkOverview:
    """Everything the back-office home shows to one staff member."""
    departments = staff_departments(user=user)
    audit_visible = can_view_audit_log(user)
    return WorkOverview(
        departments=departments,
        resident_count=person_count(),
        organisation_count=organisation_list_public().count(),
        department_count=department_list().count(),
        workers=tuple(worker_list_alive()),
        audit_visible=audit_visible,
        audit_events=(
            tuple(audit_events_recent(limit=AUDIT_LINES_ON_OVERVIEW)) if audit_visible else ()
        ),
    )


# --- Residents -----------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdLine:
    name: str
    relation: str
    age: int | None


@dataclass(frozen=True)
class ResidentFile:
    """The minimal file a staff member sees after saying why they open it."""

    person: PersonSummary
    age: int | None
    relation: str
    household: tuple[HouseholdLine, ...]


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _relation(code: str) -> str:
    return str(HouseholdRelation(code).label) if code in HouseholdRelation.values else ""


def resident_file(*, person_id: int) -> ResidentFile | None:
    """A resident's name, masked national number, age, address and household (two
    queries). Callers record the view first (``person_view_record``)."""
    person = person_get(person_id=person_id)
    if person is None:
        return None
    today = timezone.localdate()
    household: tuple[HouseholdLine, ...] = ()
    if person.household_id is not None:
        household = tuple(
            HouseholdLine(
                name=member.full_name,
                relation=_relation(member.household_relation),
                age=age_on(member.birth_date, today),
            )
            for member in household_members(household_id=person.household_id)
            if member.id != person.id
        )
    return ResidentFile(
        person=person,
        age=age_on(person.birth_date, today),
        relation=_relation(person.household_relation),
        household=household,
    )
