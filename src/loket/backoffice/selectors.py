"""Reads for the back-office dashboard, composed from the modules' own selectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loket.backoffice.permissions import can_view_audit_log
from loket.core.selectors import (
    audit_events_recent,
    department_list,
    membership_list_for_staff,
    organisation_list_public,
    worker_list_alive,
)
from loket.core.types import WorkerInfo
from loket.people.selectors import person_count

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
