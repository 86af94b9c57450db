"""Reads of the demo module."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from loket.core.selectors import organisation_primary
from loket.demo.constants import DEMO_STAFF, MUNICIPALITY_SLUG
from loket.people.selectors import person_count


def demo_is_seeded() -> bool:
    """Whether this database holds the demo municipality (its main organisation)."""
    primary = organisation_primary()
    return primary is not None and primary.slug == MUNICIPALITY_SLUG


def demo_seed_obstacles() -> list[str]:
    """What in this database keeps the demo from being seeded into it: any
    organisation, any person, or a user with a demo staff member's username."""
    obstacles = []
    if organisation_primary() is not None:
        obstacles.append("organisations exist")
    if person_count(include_deceased=True):
        obstacles.append("persons exist")
    usernames = [staff.username for staff in DEMO_STAFF]
    taken = (
        get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    if taken:
        obstacles.append(f"users exist with the demo's usernames: {', '.join(sorted(taken))}")
    return obstacles
