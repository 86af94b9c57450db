"""Shapes data that core's selectors already loaded into what the portal pages show.

Pure functions over loaded objects: no queries, no business rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any, Protocol

from loket.core.constants import WEEKDAYS


class _Hours(Protocol):
    weekday: int
    opens: time
    closes: time
    by_appointment: bool


class _Department(Protocol):
    organisation_id: int


@dataclass(frozen=True)
class OpeningSlot:
    opens: time
    closes: time
    by_appointment: bool


@dataclass(frozen=True)
class OpeningDay:
    weekday: int
    label: str
    slots: tuple[OpeningSlot, ...]
    is_today: bool


@dataclass(frozen=True)
class OrganisationOverview:
    organisation: Any
    week: tuple[OpeningDay, ...]
    departments: tuple[Any, ...]

    @property
    def has_opening_hours(self) -> bool:
        return any(day.slots for day in self.week)


def week_schedule(hours: Iterable[_Hours], *, today: int) -> tuple[OpeningDay, ...]:
    """All seven days, Monday first; a day without slots is closed."""
    by_day: dict[int, list[OpeningSlot]] = defaultdict(list)
    for row in sorted(hours, key=lambda h: (h.weekday, h.opens)):
        by_day[row.weekday].append(OpeningSlot(row.opens, row.closes, row.by_appointment))
    return tuple(
        OpeningDay(
            weekday=weekday,
            label=str(label),
            slots=tuple(by_day.get(weekday, ())),
            is_today=weekday == today,
        )
        for weekday, label in WEEKDAYS
    )


def organisation_overviews(
    organisations: Sequence[Any], departments: Iterable[_Department], *, today: int
) -> list[OrganisationOverview]:
    """One entry per organisation with its week and its departments.

    ``organisations`` must have their opening hours prefetched (as
    ``organisation_list_public`` does), so this adds no queries."""
    departments_by_organisation: dict[int, list[Any]] = defaultdict(list)
    for department in departments:
        departments_by_organisation[department.organisation_id].append(department)
    return [
        OrganisationOverview(
            organisation=organisation,
            week=week_schedule(organisation.opening_hours.all(), today=today),
            departments=tuple(departments_by_organisation.get(organisation.pk, ())),
        )
        for organisation in organisations
    ]
