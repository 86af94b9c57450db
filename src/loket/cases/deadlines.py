"""Deadlines in calendar or working days; working days skip weekends and Belgian
public holidays (New Year, Easter Monday, 1 May, Ascension, Whit Monday, 21 July,
15 August, 1 and 11 November, Christmas)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from loket.cases.constants import DeadlineKind


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BE", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def deadline_for(start: date, days: int, kind: str) -> date:
    if kind == DeadlineKind.WORKING:
        return add_working_days(start, days)
    return start + timedelta(days=days)
