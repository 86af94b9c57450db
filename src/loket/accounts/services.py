"""Writes of the accounts module: resident logins, their sessions, audit lines for
failed logins and for staff reads of a resident's data."""

from __future__ import annotations

import hashlib
import hmac
from importlib import import_module
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from loket.accounts.constants import SessionEnd
from loket.accounts.models import LoginSession, ResidentAccount
from loket.accounts.types import LoginResult, VerifiedLogin
from loket.core.constants import AuditAction
from loket.core.services import DomainError, User, audit_record
from loket.people.selectors import person_get, person_get_by_national_number, registry_get

__all__ = [
    "login_failure_record",
    "login_session_end",
    "login_session_start",
    "login_sessions_end_all",
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
