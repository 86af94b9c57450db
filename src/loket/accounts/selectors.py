"""Reads of the accounts module."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.constants import (
    COUNTER_FAILURE_WINDOW_MINUTES,
    COUNTER_MAX_FAILURES,
    COUNTER_VISIT_MAX_HOURS,
    EVENT_ACTING_ENDED,
    EVENT_ACTING_REFUSED,
    EVENT_ACTING_STARTED,
    EVENT_COUNTER_ENDED,
    EVENT_COUNTER_REFUSED,
    EVENT_COUNTER_STARTED,
    EVENT_MANDATE_GRANTED,
    EVENT_MANDATE_REVOKED,
    SESSION_ACTING,
    SESSION_COUNTER,
    ActingVia,
    MandateStatus,
    PartyKind,
)
from loket.accounts.models import (
    CounterCheckFailure,
    CounterVisit,
    LoginSession,
    Mandate,
    ResidentAccount,
)
from loket.accounts.permissions import may_serve_at_counter, resident_login_of
from loket.accounts.types import (
    AccessLogLine,
    AccessLogPage,
    CounterVisitSummary,
    MandatePage,
    MandateSummary,
    MyDetails,
    OnBehalfLine,
    OnBehalfPage,
    Party,
)
from loket.core.selectors import BakedQuery, audit_events_for_person
from loket.core.services import User
from loket.people.selectors import (
    associations_chaired_by,
    companies_represented_by,
    household_members,
    minors_in_care_of,
    person_get,
)

# An audit line (``core.AuditEvent``); the kernel's model is not imported here.
AuditEvent = Any

ACCESS_LOG_PAGE_SIZE = 25


# One account per user: no ORDER BY as ``.first()`` would add. It runs on every portal
# page, so its SQL is built once (ADR 0020).
_ACCOUNT_OF_USER: BakedQuery[ResidentAccount] = BakedQuery(
    lambda shape, user_id: ResidentAccount.objects.filter(user_id=user_id)[:1],
    name="resident account of user",
)


def resident_account_get(*, user: User) -> ResidentAccount | None:
    if user.pk is None:
        return None
    account: ResidentAccount | None = _ACCOUNT_OF_USER.first(int(user.pk))
    return account


def resident_account_of_request(request: HttpRequest) -> ResidentAccount | None:
    """``resident_account_get`` for ``request.user``, kept on the request: a portal
    page needs it several times (the acting party, the inbox badge, ...), one query."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached = getattr(request, "_loket_resident_account", None)
    if cached is not None and cached[0] == user.pk:
        return cast(ResidentAccount | None, cached[1])
    account = resident_account_get(user=user)
    request._loket_resident_account = (user.pk, account)  # type: ignore[attr-defined]
    return account


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
                why=describe_event(event),
            )
        )
    next_cursor = (
        _encode_cursor(rows[limit - 1].at, rows[limit - 1].pk) if len(rows) > limit else None
    )
    return AccessLogPage(items=tuple(lines), next_cursor=next_cursor)


# --- Acting on behalf ------------------------------------------------------------------

MANDATE_PAGE_SIZE = 25
ON_BEHALF_PAGE_SIZE = 25
_UNSET = object()


def mandate_status(*, mandate: Mandate, on: date | None = None) -> str:
    on = on or timezone.localdate()
    if mandate.revoked_at is not None:
        return MandateStatus.REVOKED
    if mandate.valid_until is not None and mandate.valid_until < on:
        return MandateStatus.EXPIRED
    if mandate.valid_from > on:
        return MandateStatus.PLANNED
    return MandateStatus.ACTIVE


def _mandate_summary(mandate: Mandate, on: date) -> MandateSummary:
    status = mandate_status(mandate=mandate, on=on)
    return MandateSummary(
        id=mandate.pk,
        grantor_id=mandate.grantor_id,
        grantor_name=mandate.grantor.full_name,
        mandatary_id=mandate.mandatary_id,
        mandatary_name=mandate.mandatary.full_name,
        all_services=mandate.all_services,
        services=tuple(mandate.services or ()),
        valid_from=mandate.valid_from,
        valid_until=mandate.valid_until,
        created_at=mandate.created_at,
        revoked_at=mandate.revoked_at,
        status=status,
        status_label=str(MandateStatus(status).label),
    )


def _mandate_page(rows: QuerySet[Mandate], after: str | None, limit: int) -> MandatePage:
    rows = rows.select_related("grantor", "mandatary").order_by("-created_at", "-id")
    if after:
        at, pk = _decode_cursor(after)
        rows = rows.filter(created_at__lte=at).filter(
            Q(created_at__lt=at) | Q(created_at=at, id__lt=pk)
        )
    found = list(rows[: limit + 1])
    today = timezone.localdate()
    next_cursor = (
        _encode_cursor(found[limit - 1].created_at, found[limit - 1].pk)
        if len(found) > limit
        else None
    )
    return MandatePage(
        items=tuple(_mandate_summary(row, today) for row in found[:limit]),
        next_cursor=next_cursor,
    )


def mandates_given_page(
    *, person_id: int, after: str | None = None, limit: int = MANDATE_PAGE_SIZE
) -> MandatePage:
    """The mandates a resident gave, newest first (one query a page). Raises
    ``ValueError`` for a cursor this function did not make."""
    return _mandate_page(Mandate.objects.filter(grantor_id=person_id), after, limit)


def mandates_received_page(
    *, person_id: int, after: str | None = None, limit: int = MANDATE_PAGE_SIZE
) -> MandatePage:
    """The mandates a resident received, newest first (one query a page)."""
    return _mandate_page(Mandate.objects.filter(mandatary_id=person_id), after, limit)


def mandate_get_for_person(*, mandate_id: int, person_id: int) -> MandateSummary | None:
    """A mandate that this resident gave or received; None for any other."""
    mandate = (
        Mandate.objects.select_related("grantor", "mandatary")
        .filter(Q(grantor_id=person_id) | Q(mandatary_id=person_id), pk=mandate_id)
        .first()
    )
    return _mandate_summary(mandate, timezone.localdate()) if mandate is not None else None


def _mandates_valid(*, on: date) -> QuerySet[Mandate]:
    return Mandate.objects.filter(revoked_at=None, valid_from__lte=on).filter(
        Q(valid_until=None) | Q(valid_until__gte=on)
    )


def _mandate_party(mandate: Mandate, actor_person_id: int) -> Party:
    return Party(
        kind=PartyKind.PERSON,
        id=mandate.grantor_id,
        label=mandate.grantor.full_name,
        via=ActingVia.MANDATE,
        actor_person_id=actor_person_id,
        mandate_id=mandate.pk,
        services=None if mandate.all_services else tuple(mandate.services or ()),
    )


def acting_self(*, person_id: int, label: str) -> Party:
    return Party(
        kind=PartyKind.PERSON,
        id=person_id,
        label=label,
        via=ActingVia.SELF,
        actor_person_id=person_id,
    )


def acting_choices(*, person_id: int, label: str) -> list[Party]:
    """Everyone this resident may act for: themselves, the minors in their care, the
    companies they represent, the associations they chair and whoever gave them a valid
    mandate. Five queries, whatever the numbers."""
    choices = [acting_self(person_id=person_id, label=label)]
    for via, kind in (
        (ActingVia.PARENT, PartyKind.PERSON),
        (ActingVia.REPRESENTATIVE, PartyKind.COMPANY),
        (ActingVia.REPRESENTATIVE, PartyKind.ASSOCIATION),
    ):
        choices += acting_choices_of_kind(person_id=person_id, via=via, kind=kind)
    mandates = (
        _mandates_valid(on=timezone.localdate())
        .filter(mandatary_id=person_id, grantor__date_of_death__isnull=True)
        .select_related("grantor")
        .order_by("grantor__last_name", "grantor__first_name", "id")
    )
    choices += [_mandate_party(mandate, person_id) for mandate in mandates]
    return choices


def acting_party_validate(*, person_id: int, data: Any) -> Party | None:
    """The party stored in the session (``SESSION_ACTING``) if this resident may still
    act for it today; None when not (a mandate revoked or expired meanwhile, a child
    come of age, a representation ended). One or two queries; no side effects."""
    if not isinstance(data, dict):
        return None
    via, kind, party_id = data.get("via"), data.get("kind"), data.get("id")
    if not isinstance(party_id, int):
        return None
    if via == ActingVia.MANDATE and kind == PartyKind.PERSON:
        mandate_id = data.get("mandate_id")
        if not isinstance(mandate_id, int):
            return None
        mandate = (
            _mandates_valid(on=timezone.localdate())
            .filter(
                pk=mandate_id,
                mandatary_id=person_id,
                grantor_id=party_id,
                grantor__date_of_death__isnull=True,
            )
            .select_related("grantor")
            .first()
        )
        return _mandate_party(mandate, person_id) if mandate is not None else None
    for choice in acting_choices_of_kind(person_id=person_id, via=str(via), kind=str(kind)):
        if choice.id == party_id:
            return choice
    return None


def acting_choices_of_kind(*, person_id: int, via: str, kind: str) -> list[Party]:
    """Only the choices of one kind (for re-checking one choice cheaply)."""
    if via == ActingVia.PARENT and kind == PartyKind.PERSON:
        return [
            Party(
                kind=PartyKind.PERSON,
                id=child.id,
                label=child.full_name,
                via=ActingVia.PARENT,
                actor_person_id=person_id,
            )
            for child in minors_in_care_of(person_id=person_id)
        ]
    if via == ActingVia.REPRESENTATIVE and kind == PartyKind.COMPANY:
        return [
            Party(
                kind=PartyKind.COMPANY,
                id=company.company_id,
                label=company.company_name,
                via=ActingVia.REPRESENTATIVE,
                actor_person_id=person_id,
            )
            for company in companies_represented_by(person_id=person_id)
        ]
    if via == ActingVia.REPRESENTATIVE and kind == PartyKind.ASSOCIATION:
        return [
            Party(
                kind=PartyKind.ASSOCIATION,
                id=association.id,
                label=association.name,
                via=ActingVia.REPRESENTATIVE,
                actor_person_id=person_id,
            )
            for association in associations_chaired_by(person_id=person_id)
        ]
    return []


def _self_label(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def acting_party(request: HttpRequest) -> Party | None:
    """On whose behalf this request acts.

    - a clerk with an open counter visit: the resident at the counter (``via`` counter);
    - a resident (eID/itsme login): the party chosen on "Ik handel namens" if still
      valid, else themselves (``via`` self);
    - anyone else, or a resident the register does not know: None.

    The middleware re-checks the choice on every request (and ends it, with a message
    and an audit line, when it is no longer valid); this function has no side effects.
    The answer is kept on the request.
    """
    cached = getattr(request, "_loket_acting_party", _UNSET)
    if cached is not _UNSET:
        return cast(Party | None, cached)
    party = _acting_party_resolve(request)
    request._loket_acting_party = party  # type: ignore[attr-defined]
    return party


def _acting_party_resolve(request: HttpRequest) -> Party | None:
    user = request.user
    if not user.is_authenticated:
        return None
    if resident_login_of(request) is None:
        visit = counter_visit_active(request)
        if visit is None:
            return None
        return Party(
            kind=PartyKind.PERSON,
            id=visit.person_id,
            label=visit.person_name,
            via=ActingVia.COUNTER,
        )
    account = resident_account_of_request(request)
    if account is None or account.person_id is None:
        return None
    data = request.session.get(SESSION_ACTING)
    if data:
        party = acting_party_validate(person_id=account.person_id, data=data)
        if party is not None:
            return party
    return acting_self(person_id=account.person_id, label=_self_label(user))


# --- Counter mode ------------------------------------------------------------------------


def _visit_summary(visit: CounterVisit) -> CounterVisitSummary:
    return CounterVisitSummary(
        id=visit.pk,
        clerk_id=visit.clerk_id,
        person_id=visit.person_id,
        person_name=visit.person.full_name,
        department_name=visit.department_name,
        purpose=visit.purpose,
        started_at=visit.started_at,
        ended_at=visit.ended_at,
    )


def counter_visit_get_open(*, clerk: Any, visit_id: int) -> CounterVisitSummary | None:
    """The clerk's visit if it is open and younger than ``COUNTER_VISIT_MAX_HOURS``."""
    since = timezone.now() - timedelta(hours=COUNTER_VISIT_MAX_HOURS)
    visit = (
        CounterVisit.objects.select_related("person")
        .filter(pk=visit_id, clerk=clerk, ended_at=None, started_at__gt=since)
        .first()
    )
    return _visit_summary(visit) if visit is not None else None


def counter_visit_active(request: HttpRequest) -> CounterVisitSummary | None:
    """The counter visit this clerk's session runs (a staff session that chose a
    resident at ``/backoffice/balie/``), or None. Other modules use it to act for the
    resident at the counter (channel "counter").

    Checked on every request: the session must still be a verified staff session (the
    second factor passed), the clerk must still hold ``counter.serve``, and the visit
    must be open and younger than ``COUNTER_VISIT_MAX_HOURS``."""
    cached = getattr(request, "_loket_counter_visit", _UNSET)
    if cached is not _UNSET:
        return cast(CounterVisitSummary | None, cached)
    visit = None
    visit_id = request.session.get(SESSION_COUNTER) if hasattr(request, "session") else None
    if isinstance(visit_id, int) and may_serve_at_counter(request):
        visit = counter_visit_get_open(clerk=request.user, visit_id=visit_id)
    request._loket_counter_visit = visit  # type: ignore[attr-defined]
    return visit


def counter_failures_recent(*, person_id: int, now: datetime | None = None) -> int:
    """Wrong identity card numbers typed for this resident in the last window."""
    since = (now or timezone.now()) - timedelta(minutes=COUNTER_FAILURE_WINDOW_MINUTES)
    return CounterCheckFailure.objects.filter(person_id=person_id, at__gt=since).count()


def counter_is_locked(*, person_id: int, now: datetime | None = None) -> bool:
    return counter_failures_recent(person_id=person_id, now=now) >= COUNTER_MAX_FAILURES


# --- What was done on someone's behalf ---------------------------------------------------


def _via_label(via: str) -> str:
    labels = {
        ActingVia.MANDATE: _("under a mandate"),
        ActingVia.PARENT: _("as parent"),
        ActingVia.REPRESENTATIVE: _("as representative"),
        ActingVia.COUNTER: _("at the counter"),
        ActingVia.STAFF: _("by a staff member, from a letter, call or message"),
    }
    return str(labels.get(via, via))  # type: ignore[call-overload]


def describe_event(event: AuditEvent) -> str:
    """A sentence about an audit line of acting on behalf, in the reader's language;
    the line's stored reason for anything else."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    kind = changes.get("event")
    party = changes.get("on_behalf_of") or {}
    label = str(party.get("label", "")) if isinstance(party, dict) else ""
    if kind == EVENT_COUNTER_STARTED:
        return _("Helped at the counter by %(clerk)s (%(department)s): %(purpose)s") % {
            "clerk": changes.get("clerk", ""),
            "department": changes.get("department", "") or _("municipality"),
            "purpose": changes.get("purpose", ""),
        }
    if kind == EVENT_COUNTER_ENDED:
        return _("The counter visit ended.")
    if kind == EVENT_COUNTER_REFUSED:
        return _("Someone at the counter typed a wrong identity card number for you.")
    if kind == EVENT_ACTING_STARTED:
        return _("Started acting on behalf of %(party)s (%(via)s).") % {
            "party": label,
            "via": _via_label(str(changes.get("via", ""))),
        }
    if kind == EVENT_ACTING_ENDED:
        return _("Stopped acting on behalf of %(party)s.") % {"party": label}
    if kind == EVENT_ACTING_REFUSED:
        return _("Acting on behalf of %(party)s was refused: the mandate is no longer valid.") % {
            "party": label
        }
    if kind == EVENT_MANDATE_GRANTED:
        return _("Mandate given by %(grantor)s to %(mandatary)s.") % {
            "grantor": changes.get("grantor", ""),
            "mandatary": changes.get("mandatary", ""),
        }
    if kind == EVENT_MANDATE_REVOKED:
        return _("Mandate of %(grantor)s to %(mandatary)s revoked.") % {
            "grantor": changes.get("grantor", ""),
            "mandatary": changes.get("mandatary", ""),
        }
    return event.reason


def _actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        return str(event.actor.get_full_name() or event.actor_label)
    return event.actor_label


def _on_behalf_page(events: QuerySet[Any], after: str | None, limit: int) -> OnBehalfPage:
    events = events.filter(changes__has_key="on_behalf_of").select_related("actor")
    if after:
        at, pk = _decode_cursor(after)
        events = events.filter(at__lte=at).filter(Q(at__lt=at) | Q(at=at, id__lt=pk))
    rows = list(events.order_by("-at", "-id")[: limit + 1])
    lines = []
    for event in rows[:limit]:
        party = event.changes.get("on_behalf_of") or {}
        lines.append(
            OnBehalfLine(
                at=event.at,
                who=_actor_name(event),
                for_whom=str(party.get("label", "")) if isinstance(party, dict) else "",
                what=describe_event(event) or event.object_label,
                via=_via_label(str(event.changes.get("via", ""))),
            )
        )
    next_cursor = (
        _encode_cursor(rows[limit - 1].at, rows[limit - 1].pk) if len(rows) > limit else None
    )
    return OnBehalfPage(items=tuple(lines), next_cursor=next_cursor)


def on_behalf_of_me_page(
    *, user: User, person_id: int, after: str | None = None, limit: int = ON_BEHALF_PAGE_SIZE
) -> OnBehalfPage:
    """What others did on this resident's behalf (a mandatary, a parent, a clerk at the
    counter), newest first; one query a page. Raises ``ValueError`` for a bad cursor."""
    events = audit_events_for_person(person_id=person_id).exclude(actor=user)
    return _on_behalf_page(events, after, limit)


def done_for_others_page(
    *, user: User, after: str | None = None, limit: int = ON_BEHALF_PAGE_SIZE
) -> OnBehalfPage:
    """What this user did on behalf of others, newest first; one query a page."""
    # The audit log's own index on (actor, -at) serves this query.
    events = audit_events_for_person(person_id=0).model.objects.filter(actor=user)
    return _on_behalf_page(events, after, limit)
