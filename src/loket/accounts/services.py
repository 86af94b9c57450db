"""Writes of the accounts module: resident logins, their sessions, audit lines for
failed logins and for staff reads of a resident's data."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import MutableMapping, Sequence
from datetime import date
from importlib import import_module
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from loket.accounts.constants import (
    COUNTER_FAILURE_WINDOW_MINUTES,
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
    PartyKind,
    SessionEnd,
)
from loket.accounts.models import (
    CounterCheckFailure,
    CounterVisit,
    LoginSession,
    Mandate,
    ResidentAccount,
)
from loket.accounts.selectors import (
    acting_choices,
    acting_party_validate,
    counter_is_locked,
    mandate_status,
)
from loket.accounts.types import LoginResult, Party, VerifiedLogin
from loket.core.constants import AuditAction, Permission
from loket.core.selectors import department_list, staff_department_ids
from loket.core.services import DomainError, User, audit_record
from loket.people.selectors import (
    person_get,
    person_get_by_national_number,
    person_identity_card_matches,
    registry_get,
    search_key,
)

__all__ = [
    "ActingRefused",
    "CounterCheckFailed",
    "CounterLocked",
    "MandateRefused",
    "acting_party_clear",
    "acting_party_revalidate",
    "acting_party_set",
    "counter_visit_end",
    "counter_visit_start",
    "login_failure_record",
    "login_session_end",
    "login_session_start",
    "login_sessions_end_all",
    "mandate_grant",
    "mandate_revoke",
    "party_audit_changes",
    "party_audit_subject",
    "person_view_record",
    "resident_login",
]


def _digest(national_number: str) -> str:
    """A keyed hash of the national number: recognises a resident without storing it."""
    key = hashlib.sha256(f"loket.accounts.resident:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, national_number.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def resident_login(*, login: VerifiedLogin) -> LoginResult:
    """Find or create the resident's account and link it to the register (once-only).

    The register is asked every time: a newcomer who has since been registered gets a
    full account at their next login. Nobody fills in a registration form.
    """
    identity = login.identity
    registered = registry_get().lookup_person(identity.national_number)
    summary = (
        person_get_by_national_number(national_number=identity.national_number)
        if registered is not None
        else None
    )
    person_id = summary.id if summary is not None else None
    digest = _digest(identity.national_number)
    account = (
        ResidentAccount.objects.select_for_update()
        .select_related("user")
        .filter(national_number_digest=digest)
        .first()
    )
    first_login = account is None
    now = timezone.now()
    first_name = registered.first_name if registered else identity.first_name
    last_name = registered.last_name if registered else identity.last_name
    if account is None:
        user = User(
            username=f"resident-{uuid4().hex[:20]}",
            first_name=first_name[:150],
            last_name=last_name[:150],
            email=identity.email,
            preferred_language=(registered.language if registered else identity.language)[:8],
        )
        user.set_unusable_password()
        user.save()
        account = ResidentAccount.objects.create(
            user=user,
            person_id=person_id,
            national_number_digest=digest,
            dialect=login.dialect,
            last_login_at=now,
        )
    else:
        user = account.user
        changed = []
        if account.person_id != person_id:
            account.person_id = person_id
            changed.append("person")
        account.last_login_at = now
        account.save(update_fields=["last_login_at", *changed])
        if identity.email and identity.email != user.email:
            user.email = identity.email
            user.save(update_fields=["email"])
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        target=account,
        subject_person_id=person_id,
        reason=f"resident login ({login.dialect}, level {login.level})",
        changes={"level": login.level, "first_login": first_login, "limited": person_id is None},
    )
    return LoginResult(user_id=user.pk, person_id=person_id, first_login=first_login)


@transaction.atomic
def login_session_start(
    *, user_id: int, session_key: str, login: VerifiedLogin, replaces: str = ""
) -> LoginSession:
    """Record a resident login on this device; ``replaces`` is the session key a
    step-up login replaced."""
    if replaces:
        login_session_end(session_key=replaces, reason=SessionEnd.STEP_UP)
    return LoginSession.objects.create(
        user_id=user_id,
        session_key=session_key,
        dialect=login.dialect,
        acr=login.acr[:200],
        level=login.level,
        auth_time=login.auth_time,
        sid=login.sid[:200],
        started_at=timezone.now(),
    )


@transaction.atomic
def login_session_end(*, session_key: str, reason: SessionEnd | str) -> int:
    """Mark the open login session(s) with this key as ended (the caller ends the
    Django session itself)."""
    if not session_key:
        return 0
    sessions = list(
        LoginSession.objects.select_for_update().filter(session_key=session_key, ended_at=None)
    )
    for row in sessions:
        row.ended_at = timezone.now()
        row.end_reason = str(reason)
        row.save(update_fields=["ended_at", "end_reason"])
        audit_record(
            actor=row.user,
            action=AuditAction.UPDATE,
            target=row,
            reason=f"session ended: {reason}",
        )
    return len(sessions)


@transaction.atomic
def login_sessions_end_all(*, user: User, reason: SessionEnd | str = SessionEnd.EVERYWHERE) -> int:
    """End every open login session of a user, on every device: their Django sessions
    are deleted from the session store, so the next request there is anonymous."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = list(LoginSession.objects.select_for_update().filter(user=user, ended_at=None))
    now = timezone.now()
    for row in sessions:
        store(session_key=row.session_key).delete()
        row.ended_at = now
        row.end_reason = str(reason)
        row.save(update_fields=["ended_at", "end_reason"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        target=user,
        object_label="resident account",
        reason=f"all sessions ended: {reason}",
        changes={"sessions": len(sessions)},
    )
    return len(sessions)


@transaction.atomic
def login_failure_record(*, failure: str, detail: str = "") -> None:
    """An audit line for a login that did not succeed (nobody is logged in)."""
    audit_record(
        actor=None,
        action=AuditAction.LOGIN,
        object_type="accounts.residentlogin",
        object_label="resident login failed",
        reason=f"login failed: {failure}"[:500],
        changes={"outcome": "failed", "failure": failure, "detail": detail[:200]},
    )


@transaction.atomic
def person_view_record(*, actor: User, person_id: int, purpose: str) -> None:
    """Record that a staff member looked at a resident's data, and why: the resident
    sees this line on "Wie bekeek mijn gegevens?". Call it on every staff read of a
    resident's file; the resident's own pages do not count."""
    if not purpose.strip():
        raise DomainError("Say why you open this resident's data.")
    person = person_get(person_id=person_id)
    if person is None:
        raise DomainError("This resident does not exist.")
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="people.person",
        object_id=str(person_id),
        object_label=person.full_name,
        subject_person_id=person_id,
        reason=purpose.strip(),
    )


# --- Mandates ----------------------------------------------------------------------------


class MandateRefused(DomainError):
    """A mandate cannot be given or ended as asked; the message says why."""


# A mandate's services: slugs of the catalogue (services or categories).
MAX_MANDATE_SERVICES = 50


def _clean_services(services: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for value in services:
        slug = slugify(value.strip())[:100]
        if slug and slug not in cleaned:
            cleaned.append(slug)
    return cleaned[:MAX_MANDATE_SERVICES]


def _mandate_changes(mandate: Mandate, event: str, **extra: Any) -> dict[str, Any]:
    return {
        "event": event,
        "mandate": mandate.pk,
        "grantor": mandate.grantor.full_name,
        "mandatary": mandate.mandatary.full_name,
        "all_services": mandate.all_services,
        "services": list(mandate.services or ()),
        **extra,
    }


def _audit_mandate(actor: User | None, mandate: Mandate, event: str, reason: str) -> None:
    """One line for each of the two persons, so that both see it."""
    action = AuditAction.CREATE if event == EVENT_MANDATE_GRANTED else AuditAction.UPDATE
    for person_id in (mandate.grantor_id, mandate.mandatary_id):
        audit_record(
            actor=actor,
            action=action,
            target=mandate,
            object_label=f"mandate {mandate.pk}",
            subject_person_id=person_id,
            reason=reason,
            changes=_mandate_changes(mandate, event),
        )


@transaction.atomic
def mandate_grant(
    *,
    actor: User | None,
    grantor_id: int,
    mandatary_national_number: str,
    mandatary_last_name: str,
    valid_from: date,
    valid_until: date | None = None,
    all_services: bool = True,
    services: Sequence[str] = (),
) -> Mandate:
    """The grantor lets another resident act for them. The mandatary is named by
    national number and last name, and both must match the register.

    Raises ``MandateRefused`` (nothing is written) for an unknown person, oneself,
    dates in the wrong order or in the past, or an empty list of services.
    """
    grantor = person_get(person_id=grantor_id)
    if grantor is None or grantor.is_deceased:
        raise MandateRefused(_("Only a registered resident can give a mandate."))
    mandatary = person_get_by_national_number(national_number=mandatary_national_number)
    if (
        mandatary is None
        or mandatary.is_deceased
        or search_key(mandatary.last_name) != search_key(mandatary_last_name)
    ):
        raise MandateRefused(
            _(
                "We find nobody in the population register with this national number and "
                "last name. Check both and try again."
            )
        )
    if mandatary.id == grantor.id:
        raise MandateRefused(_("You cannot give a mandate to yourself."))
    today = timezone.localdate()
    if valid_from < today:
        raise MandateRefused(_("A mandate cannot start in the past."))
    if valid_until is not None and valid_until < valid_from:
        raise MandateRefused(_("The end date comes before the start date."))
    cleaned = [] if all_services else _clean_services(services)
    if not all_services and not cleaned:
        raise MandateRefused(_("Choose all services, or name at least one service."))
    mandate = Mandate.objects.create(
        grantor_id=grantor.id,
        mandatary_id=mandatary.id,
        all_services=all_services,
        services=cleaned,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    mandate = Mandate.objects.select_related("grantor", "mandatary").get(pk=mandate.pk)
    _audit_mandate(actor, mandate, EVENT_MANDATE_GRANTED, "mandate given")
    return mandate


@transaction.atomic
def mandate_revoke(*, actor: User | None, person_id: int, mandate_id: int) -> Mandate:
    """End a mandate now; its grantor or its mandatary may. Raises ``MandateRefused``
    when the mandate is not theirs or has ended already."""
    mandate = (
        Mandate.objects.select_for_update()
        .select_related("grantor", "mandatary")
        .filter(pk=mandate_id)
        .first()
    )
    if mandate is None or person_id not in (mandate.grantor_id, mandate.mandatary_id):
        raise MandateRefused(_("This mandate does not exist."))
    if mandate.revoked_at is not None:
        raise MandateRefused(_("This mandate was revoked already."))
    if mandate_status(mandate=mandate) == "expired":
        raise MandateRefused(_("This mandate has expired already."))
    mandate.revoked_at = timezone.now()
    mandate.revoked_by = actor
    mandate.save(update_fields=["revoked_at", "revoked_by"])
    by = "grantor" if person_id == mandate.grantor_id else "mandatary"
    _audit_mandate(actor, mandate, EVENT_MANDATE_REVOKED, f"mandate revoked by the {by}")
    return mandate


# --- Acting on behalf --------------------------------------------------------------------


class ActingRefused(DomainError):
    """The resident may not (or no longer) act for this party."""


def _party_data(party: Party) -> dict[str, Any]:
    return {"kind": party.kind, "id": party.id, "via": party.via, "mandate_id": party.mandate_id}


def party_audit_changes(party: Party, **extra: Any) -> dict[str, Any]:
    """``changes`` for an audit line of something done on someone's behalf: the party
    and how. Other modules pass this (with their own keys) to ``audit_record``, and
    the represented resident sees the line on "Done on my behalf"."""
    changes: dict[str, Any] = dict(extra)
    if not party.is_self:
        changes["on_behalf_of"] = {"kind": party.kind, "id": party.id, "label": party.label}
        changes["via"] = party.via
        if party.mandate_id:
            changes["mandate"] = party.mandate_id
    return changes


def party_audit_subject(party: Party) -> int | None:
    """The resident an audit line is about: the represented person, or the acting
    resident when acting for a company or association."""
    return party.person_id if party.person_id is not None else party.actor_person_id


def _audit_acting(actor: User, party: Party, event: str, reason: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if event != EVENT_ACTING_REFUSED else AuditAction.VIEW,
        object_type=f"people.{party.kind}",
        object_id=str(party.id),
        object_label=party.label,
        subject_person_id=party_audit_subject(party),
        reason=reason,
        changes=party_audit_changes(party, event=event),
    )


def acting_party_set(
    *,
    user: User,
    person_id: int,
    self_label: str,
    choice: str,
    session: MutableMapping[str, Any],
) -> Party:
    """Act from now on for the chosen party (a key of ``acting_choices``), in this
    session. The choice is checked again here: a mandate revoked or expired since the
    page was shown is refused with ``ActingRefused`` and an audit line."""
    with transaction.atomic():
        choices = {
            party.key: party for party in acting_choices(person_id=person_id, label=self_label)
        }
        party = choices.get(choice)
        if party is None:
            refused = _refused_party(person_id=person_id, choice=choice)
            if refused is not None:
                _audit_acting(user, refused, EVENT_ACTING_REFUSED, "mandate no longer valid")
    if party is None:
        raise ActingRefused(
            _(
                "You can no longer act on behalf of this person: the mandate was revoked "
                "or has expired. You act for yourself."
            )
        )
    previous = session.get(SESSION_ACTING)
    with transaction.atomic():
        if party.is_self:
            session.pop(SESSION_ACTING, None)
            if previous:
                old = acting_party_validate(person_id=person_id, data=previous)
                if old is not None and not old.is_self:
                    _audit_acting(user, old, EVENT_ACTING_ENDED, "back to acting for oneself")
            return party
        session[SESSION_ACTING] = _party_data(party)
        _audit_acting(user, party, EVENT_ACTING_STARTED, "acting on behalf")
    return party


def _refused_party(*, person_id: int, choice: str) -> Party | None:
    """The mandate party a stale choice referred to, for the audit line."""
    parts = choice.split(":")
    if len(parts) != 4 or parts[0] != ActingVia.MANDATE or not parts[3].isdigit():
        return None
    mandate = (
        Mandate.objects.select_related("grantor")
        .filter(pk=int(parts[3]), mandatary_id=person_id)
        .first()
    )
    if mandate is None:
        return None
    return Party(
        kind=PartyKind.PERSON,
        id=mandate.grantor_id,
        label=mandate.grantor.full_name,
        via=ActingVia.MANDATE,
        actor_person_id=person_id,
        mandate_id=mandate.pk,
    )


@transaction.atomic
def acting_party_clear(*, user: User, person_id: int, session: MutableMapping[str, Any]) -> None:
    """Back to acting for oneself."""
    data = session.pop(SESSION_ACTING, None)
    if data:
        party = acting_party_validate(person_id=person_id, data=data)
        if party is not None and not party.is_self:
            _audit_acting(user, party, EVENT_ACTING_ENDED, "back to acting for oneself")


@transaction.atomic
def acting_party_revalidate(
    *, user: User, person_id: int, session: MutableMapping[str, Any]
) -> Party | None:
    """Check the party chosen in this session again (on every request). Returns it when
    still valid; otherwise ends it, writes an audit line and returns None: the caller
    tells the resident that they act for themselves again."""
    data = session.get(SESSION_ACTING)
    if not data:
        return None
    party = acting_party_validate(person_id=person_id, data=data)
    if party is not None:
        return party
    session.pop(SESSION_ACTING, None)
    stale = _stale_party(person_id=person_id, data=data)
    if stale is not None:
        _audit_acting(user, stale, EVENT_ACTING_REFUSED, "no longer valid: back to oneself")
    else:
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            object_type="accounts.acting",
            object_label="acting on behalf ended",
            subject_person_id=person_id,
            reason="no longer valid: back to oneself",
            changes={"event": EVENT_ACTING_REFUSED},
        )
    return None


def _stale_party(*, person_id: int, data: Any) -> Party | None:
    if not isinstance(data, dict):
        return None
    if data.get("via") == ActingVia.MANDATE:
        return _refused_party(
            person_id=person_id, choice=f"mandate:person:{data.get('id')}:{data.get('mandate_id')}"
        )
    kind = data.get("kind")
    party_id = data.get("id")
    if kind == PartyKind.PERSON and isinstance(party_id, int):
        person = person_get(person_id=party_id)
        if person is not None:
            return Party(
                kind=PartyKind.PERSON,
                id=person.id,
                label=person.full_name,
                via=str(data.get("via", "")),
                actor_person_id=person_id,
            )
    return None


# --- Counter mode ------------------------------------------------------------------------


class CounterCheckFailed(DomainError):
    """The identity card number did not match, or the check is locked for a while."""


class CounterLocked(CounterCheckFailed):
    pass


def _clerk_department(clerk: User) -> str:
    ids = staff_department_ids(user=clerk, permission=Permission.COUNTER_SERVE)
    department = (
        department_list().filter(pk__in=ids, memberships__user=clerk).first()
        or department_list().filter(pk__in=ids).first()
    )
    return department.name if department is not None else ""


def counter_visit_start(
    *,
    clerk: User,
    person_id: int,
    card_number: str,
    purpose: str,
    session: MutableMapping[str, Any] | None = None,
) -> CounterVisit:
    """Start serving a resident at the counter after checking their identity card.

    A wrong number writes an audit line (which the resident sees) and raises
    ``CounterCheckFailed``; after ``COUNTER_MAX_FAILURES`` wrong numbers in
    ``COUNTER_FAILURE_WINDOW_MINUTES`` minutes the check is locked for that resident
    (``CounterLocked``). The card number itself is never stored or logged.
    """
    purpose = " ".join(purpose.split())[:200]
    if not purpose:
        raise CounterCheckFailed(_("Say how you help the resident (the purpose of the visit)."))
    failure: CounterCheckFailed | None = None
    with transaction.atomic():
        # One resident's checks run one at a time: the lock is on their register row.
        person_model = CounterCheckFailure._meta.get_field("person").related_model
        person = person_model.objects.select_for_update().filter(pk=person_id).first()  # type: ignore[union-attr]
        if person is None or person.date_of_death is not None:
            raise CounterCheckFailed(_("This resident does not exist."))
        now = timezone.now()
        if counter_is_locked(person_id=person_id, now=now):
            failure = CounterLocked(
                _(
                    "Too many wrong identity card numbers for this resident. The check is "
                    "locked for %(minutes)d minutes: ask for the card and check it carefully."
                )
                % {"minutes": COUNTER_FAILURE_WINDOW_MINUTES}
            )
            _audit_counter_failure(clerk, person, "locked")
        elif not person_identity_card_matches(person_id=person_id, card_number=card_number):
            CounterCheckFailure.objects.create(person_id=person_id, clerk=clerk, at=now)
            _audit_counter_failure(clerk, person, "wrong card number")
            failure = CounterCheckFailed(
                _(
                    "This identity card number does not belong to this resident. Check the "
                    "card and type the number again. No visit was started."
                )
            )
        else:
            if session is not None:
                _end_open_visit(clerk=clerk, session=session)
            department = _clerk_department(clerk)
            visit = CounterVisit.objects.create(
                clerk=clerk,
                person_id=person_id,
                department_name=department,
                purpose=purpose,
                started_at=now,
            )
            audit_record(
                actor=clerk,
                action=AuditAction.VIEW,
                target=visit,
                object_label=f"counter visit {visit.pk}",
                subject_person_id=person_id,
                reason=f"counter: {purpose}",
                changes={
                    "event": EVENT_COUNTER_STARTED,
                    "on_behalf_of": {"kind": "person", "id": person_id, "label": person.full_name},
                    "via": ActingVia.COUNTER,
                    "clerk": clerk.get_full_name() or clerk.get_username(),
                    "department": department,
                    "purpose": purpose,
                },
            )
            if session is not None:
                session[SESSION_COUNTER] = visit.pk
            return visit
    assert failure is not None
    raise failure


def _audit_counter_failure(clerk: User, person: Any, outcome: str) -> None:
    audit_record(
        actor=clerk,
        action=AuditAction.VIEW,
        object_type="accounts.countervisit",
        object_label="counter identity check failed",
        subject_person_id=person.pk,
        reason=f"counter identity check: {outcome}",
        changes={"event": EVENT_COUNTER_REFUSED, "outcome": outcome},
    )


def _end_open_visit(*, clerk: User, session: MutableMapping[str, Any]) -> None:
    visit_id = session.pop(SESSION_COUNTER, None)
    if isinstance(visit_id, int):
        counter_visit_end(clerk=clerk, visit_id=visit_id)


@transaction.atomic
def counter_visit_end(
    *, clerk: User, visit_id: int, session: MutableMapping[str, Any] | None = None
) -> CounterVisit | None:
    """End a counter visit of this clerk (nothing happens for one already ended)."""
    if session is not None and session.get(SESSION_COUNTER) == visit_id:
        session.pop(SESSION_COUNTER, None)
    visit = (
        CounterVisit.objects.select_for_update()
        .select_related("person")
        .filter(pk=visit_id, clerk=clerk, ended_at=None)
        .first()
    )
    if visit is None:
        return None
    visit.ended_at = timezone.now()
    visit.save(update_fields=["ended_at"])
    audit_record(
        actor=clerk,
        action=AuditAction.UPDATE,
        target=visit,
        object_label=f"counter visit {visit.pk}",
        subject_person_id=visit.person_id,
        reason="counter visit ended",
        changes={"event": EVENT_COUNTER_ENDED},
    )
    return visit
