"""Reads of the accounts module."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from loket.accounts.models import LoginSession, ResidentAccount
from loket.accounts.types import AccessLogLine, AccessLogPage, MyDetails
from loket.core.selectors import audit_events_for_person
from loket.core.services import User
from loket.people.selectors import household_members, person_get

ACCESS_LOG_PAGE_SIZE = 25


def resident_account_get(*, user: User) -> ResidentAccount | None:
    return ResidentAccount.objects.filter(user=user).first()


def login_session_count_open(*, user: User) -> int:
    return LoginSession.objects.filter(user=user, ended_at=None).count()


def my_details_get(*, user: User) -> MyDetails:
    """What the municipality knows about the logged-in resident (their own page: not a
    staff read, so no audit line)."""
    account = resident_account_get(user=user)
    person = person_get(person_id=account.person_id) if account and account.person_id else None
    household: tuple = ()
    if person is not None and person.household_id is not None:
        household = tuple(
            member
            for member in household_members(household_id=person.household_id)
            if member.id != person.id
        )
    return MyDetails(
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        person=person,
        household=household,
    )


def _encode_cursor(at: datetime, pk: int) -> str:
    raw = json.dumps([at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, pk = json.loads(raw)
        return datetime.fromisoformat(at), int(pk)
    except (binascii.Error, ValueError, TypeError) as error:
        raise ValueError("not a cursor of this list") from error


def access_log_page(
    *, user: User, person_id: int, after: str | None = None, limit: int = ACCESS_LOG_PAGE_SIZE
) -> AccessLogPage:
    """Who did what with a resident's data, newest first, keyset-paginated (one query
    per page). Raises ``ValueError`` for a cursor this function did not make."""
    events = audit_events_for_person(person_id=person_id).select_related("actor")
    if after:
        at, pk = _decode_cursor(after)
        events = events.filter(at__lte=at).filter(Q(at__lt=at) | Q(at=at, id__lt=pk))
    rows = list(events[: limit + 1])
    lines = []
    for event in rows[:limit]:
        is_self = event.actor_id is not None and event.actor_id == user.pk
        if is_self:
            who = _("You")
        elif event.actor is not None:
            name = event.actor.get_full_name() or event.actor_label
            who = _("%(name)s (staff)") % {"name": name} if event.actor.is_staff else name
        else:
            who = _("The municipality (automatic)")
        lines.append(
            AccessLogLine(
                at=event.at,
                who=who,
                who_is_self=is_self,
                action=str(event.get_action_display()),
                what=event.object_label,
                why=event.reason,
            )
        )
    next_cursor = (
        _encode_cursor(rows[limit - 1].at, rows[limit - 1].pk) if len(rows) > limit else None
    )
    return AccessLogPage(items=tuple(lines), next_cursor=next_cursor)
