"""Which channel, language and text a message to one resident gets (pure functions,
no database): used by notify() for one message and by the fan-out for thousands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from loket.notifications.constants import FALLBACK_LANGUAGE, LANGUAGES, Channel, MessageStatus
from loket.notifications.rendering import TemplateProblem, render
from loket.people.types import PersonSummary

PERSONAL_PLACEHOLDERS = ("first_name", "last_name", "full_name")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True, slots=True)
class TemplateText:
    subject: str
    body: str
    language: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """What routing needs to know of a resident besides the person record."""

    email: str = ""  # verified only
    phone: str = ""  # verified only
    use_email: bool = True
    use_sms: bool = True
    quiet_start: time | None = None
    quiet_end: time | None = None
    # The resident's own choice on the preferences page; empty / None: the register's.
    language: str = ""
    paper_only: bool | None = None


@dataclass(slots=True)
class Planned:
    channel: str
    language: str
    recipient: str
    subject: str
    body: str
    status: str
    ready_at: datetime
    reason: str = ""
    inbox: tuple[str, str] | None = None  # (subject, body) for the portal inbox
    letter_name: str = ""


Templates = Mapping[tuple[str, str], TemplateText]  # (channel, language) → text


def normalise_phone(number: str) -> str:
    """Belgian ways of writing a mobile number to E.164: 0470 12 34 56 → +32470123456."""
    digits = re.sub(r"[\s./()-]", "", number)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+32" + digits[1:]
    return digits


def phone_problem(number: str) -> str:
    return "" if _E164.match(number) else "not a valid mobile number"


def email_problem(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return "not a valid e-mail address"
    return ""


def _pick(templates: Templates, channel: str, language: str) -> TemplateText | None:
    return templates.get((channel, language)) or templates.get((channel, FALLBACK_LANGUAGE))


def quiet_until(recipient: Recipient, now: datetime) -> datetime | None:
    """The end of the resident's quiet hours if ``now`` falls inside them."""
    start, end = recipient.quiet_start, recipient.quiet_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    clock = local.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += timedelta(days=1)
    return until


def plan(
    *,
    person: PersonSummary,
    recipient: Recipient,
    templates: Templates,
    allowed: tuple[str, ...],
    context: Mapping[str, object],
    urgent: bool,
    now: datetime,
) -> Planned:
    """The one outward message (or inbox-only entry) for ``person``.

    Paper-only residents (their own choice, else the register's) get a letter; others
    the first channel they allow for which they have a verified address and the event
    has a template (e-mail, then SMS); failing that a letter when the event has one,
    else only the portal inbox. A text
    that cannot be rendered parks the message with the reason.
    """
    language = recipient.language or person.language
    if language not in LANGUAGES:
        language = FALLBACK_LANGUAGE
    paper_only = person.prefers_paper if recipient.paper_only is None else recipient.paper_only
    full = {
        **context,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
    }
    allowed_all = (*allowed, *PERSONAL_PLACEHOLDERS)

    channel = ""
    address = ""
    if paper_only and _pick(templates, Channel.LETTER, language):
        channel = Channel.LETTER
    else:
        if recipient.use_email and recipient.email and _pick(templates, Channel.EMAIL, language):
            channel, address = Channel.EMAIL, recipient.email
        elif recipient.use_sms and recipient.phone and _pick(templates, Channel.SMS, language):
            channel, address = Channel.SMS, recipient.phone
        elif _pick(templates, Channel.LETTER, language):
            channel = Channel.LETTER
    if channel == Channel.LETTER:
        address = person.address.label if person.address is not None else ""

    inbox_text = _pick(templates, Channel.INBOX, language) or _pick(
        templates, Channel.EMAIL, language
    )
    status = MessageStatus.QUEUED
    ready_at = now
    reason = ""
    subject = body = ""
    inbox = None
    try:
        if inbox_text is not None:
            inbox = (
                render(inbox_text.subject, allowed=allowed_all, context=full),
                render(inbox_text.body, allowed=allowed_all, context=full),
            )
        if channel:
            text = _pick(templates, channel, language)
            assert text is not None
            language = text.language
            subject = render(text.subject, allowed=allowed_all, context=full)
            body = render(text.body, allowed=allowed_all, context=full)
        elif inbox is not None:
            subject, body = inbox
    except TemplateProblem as problem:
        return Planned(
            channel=channel or Channel.INBOX,
            language=language,
            recipient=address,
            subject="",
            body="",
            status=MessageStatus.PARKED,
            ready_at=now,
            reason=f"Template problem: {problem}",
        )

    if not channel:
        channel = Channel.INBOX
        status = MessageStatus.DELIVERED if inbox is not None else MessageStatus.FAILED
        reason = "" if inbox is not None else "no template for this event"
    elif channel == Channel.LETTER and not address:
        status, reason = MessageStatus.FAILED, "no postal address"
    elif channel in (Channel.EMAIL, Channel.SMS) and not urgent:
        until = quiet_until(recipient, now)
        if until is not None:
            status, ready_at = MessageStatus.WAITING, until
    return Planned(
        channel=channel,
        language=language,
        recipient=address,
        subject=subject,
        body=body,
        status=status,
        ready_at=ready_at,
        reason=reason,
        inbox=inbox,
        letter_name=person.full_name,
    )
