"""Reads of the notifications module."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.selectors import BakedQuery
from loket.core.services import DomainError
from loket.notifications.constants import (
    INBOX_EPOCH_KEY,
    INBOX_UNREAD_KEY,
    INBOX_UNREAD_TTL_SECONDS,
    PROBLEM_STATUSES,
    SENT_QUICKLY,
    Channel,
    ContactKind,
    SelectionKind,
)
from loket.notifications.models import (
    ContactPoint,
    FanOut,
    InboxMessage,
    Message,
    MessageTemplate,
    Preference,
    Topic,
    TopicSubscription,
)
from loket.notifications.routing import Recipient, TemplateText
from loket.notifications.types import DaySpeed, FanOutProgress
from loket.people.types import PersonSummary


def templates_for_event(*, event_id: int) -> dict[tuple[str, str], TemplateText]:
    return {
        (t.channel, t.language): TemplateText(subject=t.subject, body=t.body, language=t.language)
        for t in MessageTemplate.objects.filter(event_id=event_id)
    }


def _contacts(person_ids: Sequence[int]) -> QuerySet[ContactPoint]:
    return ContactPoint.objects.filter(
        person_id__in=person_ids, verified_at__isnull=False
    ).order_by("verified_at", "id")


BAKED_RECIPIENTS_MAX = 8
_CONTACTS: BakedQuery[Any] = BakedQuery(
    lambda count, *ids: _contacts(ids).values("person_id", "kind", "value"),
    name="verified contact points",
)
_PREFERENCES: BakedQuery[Preference] = BakedQuery(
    lambda count, *ids: Preference.objects.filter(person_id__in=ids), name="preferences"
)


def recipients_for(*, person_ids: Sequence[int]) -> dict[int, Recipient]:
    """Verified contact points and preferences of these persons (two queries)."""
    email: dict[int, str] = {}
    phone: dict[int, str] = {}
    ids = [int(person_id) for person_id in person_ids]
    if len(ids) <= BAKED_RECIPIENTS_MAX:  # a form or a case: the SQL is built once
        contacts = [
            (row["person_id"], row["kind"], row["value"])
            for row in _CONTACTS.all(*ids, shape=len(ids))
        ]
        preference_rows = _PREFERENCES.all(*ids, shape=len(ids))
    else:  # a batch of a fan-out
        contacts = list(_contacts(ids).values_list("person_id", "kind", "value"))
        preference_rows = list(Preference.objects.filter(person_id__in=ids))
    for person_id, kind, value in contacts:  # the latest verified one wins
        (email if kind == ContactKind.EMAIL else phone)[person_id] = value
    preferences = {p.person_id: p for p in preference_rows}
    result = {}
    for person_id in {*email, *phone, *preferences}:
        preference = preferences.get(person_id)
        result[person_id] = Recipient(
            email=email.get(person_id, ""),
            phone=phone.get(person_id, ""),
            use_email=preference.use_email if preference else True,
            use_sms=preference.use_sms if preference else True,
            quiet_start=preference.quiet_start if preference else None,
            quiet_end=preference.quiet_end if preference else None,
            language=preference.language if preference else "",
            paper_only=preference.paper_only if preference else None,
        )
    return result


# --- fan-out selections -------------------------------------------------------------------


def _person_model() -> Any:
    """The people module's Person model, reached through our own foreign key.

    The fan-out reads thousands of residents per batch by street, postcode or age;
    ``people.selectors`` offers one person at a time so far. Until it has a bulk
    selector the query lives here, limited to reading and to ``to_summary()``.
    """
    return Message._meta.get_field("person").related_model


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _selection_filter(kind: str, value: str) -> Q:
    if kind == SelectionKind.EVERYONE:
        return Q()
    if kind == SelectionKind.STREET:
        return Q(address__street_name__iexact=value.strip())
    if kind == SelectionKind.POSTCODE:
        return Q(address__postcode=value.strip())
    if kind == SelectionKind.AGE:
        ages = _age_band(value)
        if ages is None:
            raise DomainError(_("Write an age group as 65-79 or 80-."))
        low, high = ages
        today = timezone.localdate()
        band = Q(birth_date__lte=_years_before(today, low))
        if high is not None:
            band &= Q(birth_date__gt=_years_before(today, high + 1))
        return band
    if kind == SelectionKind.TOPIC:
        ids = TopicSubscription.objects.filter(topic__key=value.strip()).values("person_id")
        return Q(pk__in=ids)
    raise DomainError(_("Unknown selection %(kind)r.") % {"kind": kind})


def fanout_selection_check(*, kind: str, value: str) -> None:
    """Refuse a selection that cannot be read (e.g. an age group like ``abc``)."""
    if kind in (SelectionKind.STREET, SelectionKind.POSTCODE, SelectionKind.TOPIC) and not (
        value.strip()
    ):
        raise DomainError(_("Say which street, postcode or topic."))
    if kind == SelectionKind.AGE and _age_band(value) is None:
        raise DomainError(_("Write an age group as 65-79 or 80-."))


MAX_AGE = 130  # older than anyone alive; also keeps the birth-date bounds in range
_AGE = re.compile(r"[0-9]{1,3}")


def _age_band(value: str) -> tuple[int, int | None] | None:
    """``65-79`` → (65, 79), ``80-`` or ``80`` → (80, None); None when it is not an age
    group of ASCII digits between 0 and MAX_AGE (e.g. ``abc``, ``²``, ``2100-``)."""
    first, _, last = (part.strip() for part in value.partition("-"))
    if not _AGE.fullmatch(first) or (last and not _AGE.fullmatch(last)):
        return None
    low, high = int(first), int(last) if last else None
    if low > MAX_AGE or (high is not None and not low <= high <= MAX_AGE):
        return None
    return low, high


def fanout_persons(*, kind: str, value: str, after_id: int, limit: int) -> list[PersonSummary]:
    """The next ``limit`` living residents of a selection, in id order."""
    persons = (
        _person_model()
        .objects.select_related("address")
        .filter(_selection_filter(kind, value), date_of_death__isnull=True, pk__gt=after_id)
        .order_by("pk")[:limit]
    )
    return [person.to_summary() for person in persons]


def fanout_count(*, kind: str, value: str) -> int:
    return int(
        _person_model()
        .objects.filter(_selection_filter(kind, value), date_of_death__isnull=True)
        .count()
    )


def fanout_progress(*, fanout_id: int) -> FanOutProgress:
    fanout = FanOut.objects.select_related("event").get(pk=fanout_id)
    counts = dict(
        Message.objects.filter(fanout_id=fanout_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return FanOutProgress(
        id=fanout.pk,
        event_name=fanout.event.name,
        selection=f"{fanout.get_selection_kind_display()} {fanout.selection_value}".strip(),
        status=fanout.status,
        recipients=fanout.recipients,
        created_at=fanout.created_at,
        by_status=counts,
        reason=fanout.reason,
    )


def fanout_list(*, limit: int = 20) -> list[FanOutProgress]:
    ids = FanOut.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[:limit]
    return [fanout_progress(fanout_id=pk) for pk in ids]


# --- delivery log --------------------------------------------------------------------------


def _encode(finished_at: datetime, pk: int) -> str:
    raw = json.dumps([finished_at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk = json.loads(raw)
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, TypeError, binascii.Error):
        return None


def message_failures(
    *, after: str | None = None, limit: int = 50
) -> tuple[list[Message], str | None]:
    """Failed, bounced and parked messages, newest first, keyset-paginated."""
    messages = Message.objects.filter(status__in=PROBLEM_STATUSES, finished_at__isnull=False)
    position = _decode(after) if after else None
    if position is not None:
        moment, pk = position
        messages = messages.filter(Q(finished_at__lt=moment) | Q(finished_at=moment, pk__lt=pk))
    page = list(
        messages.order_by("-finished_at", "-id").only(
            "pk",
            "event_key",
            "channel",
            "status",
            "attempts",
            "finished_at",
            "reason",
            "provider",
            "created_at",
        )[: limit + 1]
    )
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        assert last.finished_at is not None
        next_cursor = _encode(last.finished_at, last.pk)
    return page, next_cursor


def delivery_speed_by_day(*, days: int = 14, now: datetime | None = None) -> list[DaySpeed]:
    """Per day: e-mails and texts sent, and how many within 10 s of being ready."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    rows = (
        Message.objects.filter(
            sent_at__gte=since,
            channel__in=(Channel.EMAIL, Channel.SMS),
            latency_ms__isnull=False,
        )
        .annotate(day=TruncDate("sent_at"))
        .values("day")
        .annotate(
            sent=Count("id"),
            quick=Count("id", filter=Q(latency_ms__lte=int(SENT_QUICKLY.total_seconds() * 1000))),
        )
        .order_by("-day")
    )
    return [
        DaySpeed(day=row["day"], sent=row["sent"], within_10_seconds=row["quick"]) for row in rows
    ]


def message_log(*, message_id: int) -> list[tuple[datetime, str, int, str]]:
    message = Message.objects.get(pk=message_id)
    return [(e.at, e.status, e.attempt, e.detail) for e in message.events.all()]


# --- portal inbox ----------------------------------------------------------------------------


def inbox_list_for_person(*, person_id: int, limit: int = 50) -> list[InboxMessage]:
    return list(InboxMessage.objects.filter(person_id=person_id).order_by("-created_at")[:limit])


INBOX_PAGE_SIZE = 20


def inbox_page_for_person(
    *, person_id: int, after: str | None = None, limit: int = INBOX_PAGE_SIZE
) -> tuple[list[InboxMessage], str | None]:
    """One page of the resident's inbox, newest first (keyset on created_at, id), and
    the cursor of the next page. The text itself is left out: the list shows subjects."""
    messages = InboxMessage.objects.filter(person_id=person_id)
    position = _decode(after) if after else None
    if position is not None:
        moment, pk = position
        messages = messages.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk))
    page = list(
        messages.order_by("-created_at", "-id").only(
            "pk", "person_id", "subject", "event_key", "created_at", "read_at"
        )[: limit + 1]
    )
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        next_cursor = _encode(page[-1].created_at, page[-1].pk)
    return page, next_cursor


def inbox_message_get(*, person_id: int, inbox_message_id: int) -> InboxMessage | None:
    """One message of the resident's own inbox; None for anybody else's."""
    return InboxMessage.objects.filter(pk=inbox_message_id, person_id=person_id).first()


def contact_points_for_person(*, person_id: int) -> list[ContactPoint]:
    return list(
        ContactPoint.objects.filter(person_id=person_id).order_by("kind", "created_at", "id")
    )


def contact_point_get(*, person_id: int, contact_point_id: int) -> ContactPoint | None:
    return ContactPoint.objects.filter(pk=contact_point_id, person_id=person_id).first()


def preference_get(*, person_id: int) -> Preference | None:
    return Preference.objects.filter(person_id=person_id).first()


def topics_list() -> list[Topic]:
    return list(Topic.objects.order_by("name", "id"))


def topic_keys_for_person(*, person_id: int) -> set[str]:
    return set(
        TopicSubscription.objects.filter(person_id=person_id).values_list("topic__key", flat=True)
    )


def inbox_unread_count(*, person_id: int) -> int:
    return InboxMessage.objects.filter(person_id=person_id, read_at__isnull=True).count()


def inbox_unread_count_cached(*, person_id: int) -> int:
    """``inbox_unread_count`` for the header of every portal page: one cache look-up
    instead of a query while no inbox changed (see ``INBOX_EPOCH_KEY``)."""
    key = INBOX_UNREAD_KEY.format(person_id=person_id)
    found = cache.get_many([key, INBOX_EPOCH_KEY])
    epoch = found.get(INBOX_EPOCH_KEY, "")
    kept = found.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[1] == epoch:
        return int(kept[0])
    count = inbox_unread_count(person_id=person_id)
    cache.set(key, (count, epoch), INBOX_UNREAD_TTL_SECONDS)
    return count


def templates_list() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.select_related("event")


# --- demo sinks ------------------------------------------------------------------------------


def demo_sink_dirs() -> tuple[Path, Path]:
    """Where the demo's SMTP sink and SMS gateway simulator keep what they received."""
    return settings.DATA_DIR / "mail-sink", settings.DATA_DIR / "sms-sink"


def demo_sink_contents(*, limit: int = 50) -> dict[str, list[dict[str, str]]]:
    """The latest e-mails and texts the demo's simulators received (newest first)."""
    from email import message_from_bytes, policy

    mail_dir, sms_dir = demo_sink_dirs()
    emails = []
    if mail_dir.is_dir():
        files = sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in files[:limit]:
            parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = parsed.get_body(preferencelist=("plain",))
            emails.append(
                {
                    "to": str(parsed.get("To", "")),
                    "subject": str(parsed.get("Subject", "")),
                    "date": str(parsed.get("Date", "")),
                    "body": body.get_content() if body is not None else "",
                }
            )
    texts = []
    log = sms_dir / "messages.jsonl"
    if log.is_file():
        lines = log.read_text(encoding="utf-8").splitlines()[-limit:]
        for line in reversed(lines):
            try:
                item = json.loads(line)
            except ValueError:
                continue
            texts.append({k: str(item.get(k, "")) for k in ("to", "body", "provider", "at")})
    return {"emails": emails, "texts": texts}


def template_preview(*, template: MessageTemplate, person_id: int | None) -> dict[str, Any]:
    """Render a template with the event's sample values and a resident's name (the
    resident's own data stay out: only the names are used)."""
    from loket.notifications.clarity import clarity_check
    from loket.notifications.rendering import TemplateProblem, render
    from loket.notifications.routing import PERSONAL_PLACEHOLDERS
    from loket.people.selectors import person_get

    person = person_get(person_id=person_id) if person_id is not None else None
    context: dict[str, object] = {
        "first_name": person.first_name if person else "Jan",
        "last_name": person.last_name if person else "Peeters",
        "full_name": person.full_name if person else "Jan Peeters",
        **template.event.sample_context,
    }
    allowed = (*template.event.placeholders, *PERSONAL_PLACEHOLDERS)
    problem = ""
    subject = body = ""
    try:
        subject = render(template.subject, allowed=allowed, context=context)
        body = render(template.body, allowed=allowed, context=context)
    except TemplateProblem as error:
        problem = str(error)
    return {
        "template": template,
        "subject": subject,
        "body": body,
        "problem": problem,
        "clarity": clarity_check(template.body, language=template.language),
        "person": person,
    }
