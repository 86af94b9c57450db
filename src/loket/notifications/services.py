"""Writes of the notifications module: notify(), delivery with retries, callbacks,
verification of contact points, the portal inbox, letters and bulk fan-outs.

Delivery is driven by the ``Message`` rows, not by the task queue: a task only wakes
messages up. A message is claimed (QUEUED → SENDING, with a lease) in a committed
transaction before the provider is called, and recorded (SENDING → SENT) afterwards.
If a worker dies in between, the sweep takes the message back after the lease and sends
it again with the same idempotency key, which the provider recognises.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.constants import AuditAction
from loket.core.services import DomainError, audit_record
from loket.notifications import selectors
from loket.notifications.constants import (
    CLAIM_LEASE,
    DELIVERY_BATCH,
    INBOX_EPOCH_KEY,
    INBOX_UNREAD_KEY,
    LANGUAGES,
    QUEUE_BATCH,
    RETRY_FIRST_DELAY,
    RETRY_MAX_DELAY,
    RETRY_WINDOW,
    WAKE_UP_GRACE,
    Channel,
    ContactKind,
    FanOutStatus,
    LetterStatus,
    MessageStatus,
    SelectionKind,
)
from loket.notifications.models import (
    ContactPoint,
    FanOut,
    InboxMessage,
    Letter,
    Message,
    MessageEvent,
    MessageTemplate,
    NotificationEvent,
    Preference,
    Topic,
    TopicSubscription,
)
from loket.notifications.providers import registry
from loket.notifications.providers.base import OutgoingEmail, OutgoingSms
from loket.notifications.rendering import template_problems
from loket.notifications.routing import (
    Planned,
    Recipient,
    email_problem,
    normalise_phone,
    phone_problem,
    plan,
)
from loket.notifications.types import LetterData, NotifyResult, SendOutcome
from loket.people.selectors import person_get

if TYPE_CHECKING:
    from loket.core.services import User

logger = logging.getLogger(__name__)

# Claimed messages are sent and recorded in groups this size: a worker killed mid-way
# leaves at most this many messages that may reach the provider twice (each time with
# the same idempotency key / Message-ID, so the far end can drop the repeat).
RECORD_EVERY = 50
SWEEP_LIMIT = 50_000


# --- notify ---------------------------------------------------------------------------


def _enqueue_delivery(message_ids: Sequence[int]) -> None:
    from loket.notifications.tasks import deliver_messages

    for start in range(0, len(message_ids), DELIVERY_BATCH):
        deliver_messages.enqueue(list(message_ids[start : start + DELIVERY_BATCH]))


def _existing_result(idempotency_key: str) -> NotifyResult:
    message = Message.objects.filter(idempotency_key=idempotency_key).first()
    inbox_id = (
        InboxMessage.objects.filter(idempotency_key=idempotency_key)
        .values_list("pk", flat=True)
        .first()
    )
    return NotifyResult(
        idempotency_key=idempotency_key,
        created=False,
        message_ids=(message.pk,) if message is not None else (),
        inbox_message_id=inbox_id,
    )


def notify(
    *,
    event: str,
    person_id: int,
    context: Mapping[str, Any],
    urgent: bool = False,
    idempotency_key: str,
) -> NotifyResult:
    """Tell one resident about ``event``, in their language, on their channel.

    Every module sends through here. Calling it again with the same ``idempotency_key``
    does nothing and returns what the first call made. Delivery is queued when the
    caller's transaction commits.
    """
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValueError("notify() needs an idempotency_key of at most 200 characters")
    if Message.objects.filter(idempotency_key=idempotency_key).exists():
        return _existing_result(idempotency_key)
    notification_event = NotificationEvent.objects.filter(key=event).first()
    if notification_event is None:
        raise DomainError(_("Unknown notification event %(event)r.") % {"event": event})
    person = person_get(person_id=person_id)
    if person is None:
        raise DomainError(_("No person %(id)s.") % {"id": person_id})
    if person.is_deceased:  # the register knows: nothing is sent to the deceased
        logger.info("notify(%s) skipped for deceased person %s", event, person_id)
        return NotifyResult(
            idempotency_key=idempotency_key, created=False, message_ids=(), inbox_message_id=None
        )
    now = timezone.now()
    templates = selectors.templates_for_event(event_id=notification_event.pk)
    recipient = selectors.recipients_for(person_ids=[person_id]).get(person_id, Recipient())
    planned = plan(
        person=person,
        recipient=recipient,
        templates=templates,
        allowed=tuple(notification_event.placeholders),
        context=context,
        urgent=urgent,
        now=now,
    )
    try:
        with transaction.atomic():
            messages = _store(
                [(person_id, idempotency_key, planned)],
                event_key=event,
                urgent=urgent,
                now=now,
                fanout=None,
            )
    except IntegrityError:  # the same key, notified at the same moment elsewhere
        return _existing_result(idempotency_key)
    message = messages[0]
    if message.status == MessageStatus.PARKED:
        logger.warning("message %s parked: %s", message.pk, message.reason)
    if message.status == MessageStatus.QUEUED:
        transaction.on_commit(lambda: _enqueue_delivery([message.pk]))
    return NotifyResult(
        idempotency_key=idempotency_key,
        created=True,
        message_ids=(message.pk,),
        inbox_message_id=InboxMessage.objects.filter(idempotency_key=idempotency_key)
        .values_list("pk", flat=True)
        .first(),
    )


def notify_after_commit(
    *,
    person_id: int,
    idempotency_key: str,
    attempts: Sequence[tuple[str, Mapping[str, Any]]],
    about: str,
) -> None:
    """``notify`` once the caller's transaction has committed, with the first of
    ``attempts`` (event, context) that can be sent: an event or template that is not
    configured is logged and the next one is tried. Never raises: a broken channel must
    not undo or hide the change the message reports. ``about`` names that change in the
    log (e.g. ``"case 12"``)."""

    def send() -> None:
        for event, context in attempts:
            try:
                notify(
                    event=event,
                    person_id=person_id,
                    context=context,
                    idempotency_key=idempotency_key,
                )
            except DomainError as error:
                logger.info("%s: no %s notification (%s)", about, event, error)
                continue
            except Exception:  # a broken channel must not undo or hide the change
                logger.exception("%s: %s notification failed", about, event)
            return

    transaction.on_commit(send)


def _store(
    rows: Sequence[tuple[int, str, Planned]],
    *,
    event_key: str,
    urgent: bool,
    now: datetime,
    fanout: FanOut | None,
) -> list[Message]:
    """Insert the planned messages, inbox entries and letters (in bulk)."""
    messages = [
        Message(
            idempotency_key=key,
            event_key=event_key,
            person_id=person_id,
            fanout=fanout,
            channel=planned.channel,
            language=planned.language,
            recipient=planned.recipient,
            subject=planned.subject,
            body=planned.body,
            urgent=urgent,
            status=planned.status,
            created_at=now,
            ready_at=planned.ready_at,
            next_attempt_at=(
                planned.ready_at + WAKE_UP_GRACE
                if planned.status == MessageStatus.QUEUED
                else planned.ready_at
                if planned.status == MessageStatus.WAITING
                else None
            ),
            finished_at=now
            if planned.status
            in (MessageStatus.PARKED, MessageStatus.FAILED, MessageStatus.DELIVERED)
            else None,
            delivered_at=now if planned.status == MessageStatus.DELIVERED else None,
            reason=planned.reason,
        )
        for person_id, key, planned in rows
    ]
    Message.objects.bulk_create(messages, batch_size=500)
    inbox_changed(person_ids=[message.person_id for message in messages if message.person_id])
    InboxMessage.objects.bulk_create(
        [
            InboxMessage(
                person_id=message.person_id,
                idempotency_key=message.idempotency_key,
                event_key=event_key,
                fanout=fanout,
                subject=planned.inbox[0],
                body=planned.inbox[1],
                created_at=now,
            )
            for message, (_, _, planned) in zip(messages, rows, strict=True)
            if planned.inbox is not None and planned.status != MessageStatus.PARKED
        ],
        batch_size=500,
    )
    Letter.objects.bulk_create(
        [
            Letter(
                message=message,
                person_id=message.person_id,
                language=message.language,
                recipient_name=planned.letter_name,
                postal_address=message.recipient,
                subject=message.subject,
                body=message.body,
                status=LetterStatus.PENDING,
                created_at=now,
            )
            for message, (_, _, planned) in zip(messages, rows, strict=True)
            if message.channel == Channel.LETTER and message.status == MessageStatus.QUEUED
        ],
        batch_size=500,
    )
    # The delivery log starts with what happened at creation (only the unusual: a
    # queued message's log is its row until something happens to it).
    MessageEvent.objects.bulk_create(
        [
            MessageEvent(message=message, at=now, status=message.status, detail=message.reason)
            for message in messages
            if message.status != MessageStatus.QUEUED
        ],
        batch_size=500,
    )
    return messages


def inbox_changed(*, person_ids: Sequence[int] | None = None) -> None:
    """These persons' inboxes changed (None: any number of them, a fan-out): their
    unread counts kept for the portal header are counted again. After the commit, so
    that no page counts before the change is visible."""
    if person_ids is None:
        transaction.on_commit(lambda: cache.set(INBOX_EPOCH_KEY, uuid.uuid4().hex, None))
        return
    keys = [INBOX_UNREAD_KEY.format(person_id=person_id) for person_id in set(person_ids)]
    transaction.on_commit(lambda: cache.delete_many(keys))


def _insert_many(model: Any, fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain multi-row INSERT (executemany): the fan-out's tens of thousands of rows
    go in far faster than through bulk_create, which SQLite limits to 999 parameters
    per statement."""
    if not rows:
        return
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _db_time(moment: datetime | None) -> Any:
    return None if moment is None else connection.ops.adapt_datetimefield_value(moment)


def _store_fanout_batch(
    rows: Sequence[tuple[int, str, Planned]], *, fanout: FanOut, now: datetime
) -> list[int]:
    """Insert one fan-out batch (messages, inbox entries, letters, creation log lines);
    returns the ids of the messages queued for delivery. Inside the caller's
    transaction."""
    before = Message.objects.aggregate(last=Max("pk"))["last"] or 0
    at = _db_time(now)
    final = (MessageStatus.PARKED, MessageStatus.FAILED, MessageStatus.DELIVERED)
    _insert_many(
        Message,
        (
            "idempotency_key", "event_key", "person", "fanout", "channel", "language",
            "recipient", "subject", "body", "urgent", "status", "attempts", "created_at",
            "ready_at", "next_attempt_at", "finished_at", "delivered_at", "provider",
            "provider_message_id", "pinned_provider", "reason",
        ),
        [
            (
                key, fanout.event.key, person_id, fanout.pk, p.channel, p.language,
                p.recipient, p.subject, p.body, fanout.urgent, p.status, 0, at,
                _db_time(p.ready_at),
                _db_time(
                    p.ready_at + WAKE_UP_GRACE if p.status == MessageStatus.QUEUED
                    else p.ready_at if p.status == MessageStatus.WAITING else None
                ),
                at if p.status in final else None,
                at if p.status == MessageStatus.DELIVERED else None,
                "", "", "", p.reason,
            )
            for person_id, key, p in rows
        ],
    )  # fmt: skip
    made = dict(Message.objects.filter(pk__gt=before, fanout=fanout).values_list("person_id", "pk"))
    planned = {person_id: p for person_id, _, p in rows}
    inbox_changed()
    _insert_many(
        InboxMessage,
        ("person", "idempotency_key", "event_key", "fanout", "subject", "body", "created_at"),
        [
            (person_id, key, fanout.event.key, fanout.pk, p.inbox[0], p.inbox[1], at)
            for person_id, key, p in rows
            if p.inbox is not None and p.status != MessageStatus.PARKED
        ],
    )
    _insert_many(
        Letter,
        (
            "message", "person", "language", "recipient_name", "postal_address", "subject",
            "body", "status", "batch_reference", "created_at",
        ),
        [
            (
                made[person_id], person_id, p.language, p.letter_name, p.recipient,
                p.subject, p.body, LetterStatus.PENDING, "", at,
            )
            for person_id, _, p in rows
            if p.channel == Channel.LETTER and p.status == MessageStatus.QUEUED
        ],
    )  # fmt: skip
    MessageEvent.objects.bulk_create(
        [
            MessageEvent(message_id=made[pid], at=now, status=p.status, detail=p.reason)
            for pid, p in planned.items()
            if p.status != MessageStatus.QUEUED
        ],
        batch_size=500,
    )
    return sorted(
        made[pid]
        for pid, p in planned.items()
        if p.status == MessageStatus.QUEUED and p.channel in (Channel.EMAIL, Channel.SMS)
    )


# --- delivery --------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … doubling, at most an hour between attempts."""
    delay = RETRY_FIRST_DELAY * (2 ** max(0, attempts - 1))
    return min(delay, RETRY_MAX_DELAY)


def _claim(message_ids: Sequence[int], now: datetime) -> list[Message]:
    """QUEUED → SENDING for those of ``message_ids`` still queued (and not paused)."""
    with transaction.atomic():
        candidates = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                pk__in=message_ids,
                status=MessageStatus.QUEUED,
                channel__in=(Channel.EMAIL, Channel.SMS),
            )
            .exclude(fanout__status__in=(FanOutStatus.PAUSED, FanOutStatus.CANCELLED))
            .only("pk")
        )
        ids = [message.pk for message in candidates]
        if not ids:
            return []
        Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENDING,
            claimed_until=now + CLAIM_LEASE,
            attempts=F("attempts") + 1,
            provider="",  # set to the gateway about to be called, before the call
        )
        return list(Message.objects.filter(pk__in=ids, status=MessageStatus.SENDING).order_by("pk"))


def messages_deliver(*, message_ids: Sequence[int], now: datetime | None = None) -> int:
    """Send the given messages that are (still) due. Returns how many were sent."""
    sent = 0
    pending = list(message_ids)
    while pending:
        chunk, pending = pending[:RECORD_EVERY], pending[RECORD_EVERY:]
        claimed = _claim(chunk, now or timezone.now())
        if claimed:
            outcomes = _send(claimed, lease=_Lease([m.pk for m in claimed], now=now))
            sent += _record(claimed, outcomes, now=now)
    return sent


class _Lease:
    """Keeps a claimed group's lease ahead of the work. A group of RECORD_EVERY
    messages can take far longer than CLAIM_LEASE when gateways hang (each SMS may wait
    TIMEOUT_SECONDS per gateway); without renewal the sweep would take the group back
    mid-way and another worker would send it again. Before each provider call the
    lease of the messages still ``sending`` is extended to CLAIM_LEASE (or ``needed``)
    from now once less than half of it is left."""

    def __init__(self, message_ids: Sequence[int], *, now: datetime | None) -> None:
        self.message_ids = list(message_ids)
        self.fixed_now = now  # tests pass a clock; then nothing is renewed
        self.until = (now or timezone.now()) + CLAIM_LEASE

    def renew(self, needed: timedelta = CLAIM_LEASE) -> None:
        if self.fixed_now is not None:
            return
        moment = timezone.now()
        if self.until - moment >= max(needed, CLAIM_LEASE / 2):
            return
        self.until = moment + max(needed, CLAIM_LEASE)
        Message.objects.filter(pk__in=self.message_ids, status=MessageStatus.SENDING).update(
            claimed_until=self.until
        )


def _send(messages: Sequence[Message], *, lease: _Lease | None = None) -> dict[int, SendOutcome]:
    outcomes: dict[int, SendOutcome] = {}
    emails: list[Message] = []
    for message in messages:
        if message.channel == Channel.EMAIL:
            problem = email_problem(message.recipient)
            if problem:
                outcomes[message.pk] = SendOutcome(
                    ok=False, provider="", permanent=True, reason=problem
                )
            else:
                emails.append(message)
        else:
            if lease is not None:
                lease.renew()
            outcomes[message.pk] = _send_sms(message)
    if emails:
        if lease is not None:  # a fresh lease for the group's single SMTP call
            lease.renew()
        results = registry.email_provider().send_many(
            [
                OutgoingEmail(
                    to=message.recipient,
                    subject=message.subject,
                    body=message.body,
                    idempotency_key=message.idempotency_key,
                    language=message.language,
                )
                for message in emails
            ]
        )
        outcomes.update(zip((message.pk for message in emails), results, strict=True))
    return outcomes


def _send_sms(message: Message) -> SendOutcome:
    number = normalise_phone(message.recipient)
    problem = phone_problem(number)
    if problem:
        return SendOutcome(ok=False, provider="", permanent=True, reason=problem)
    providers = registry.sms_providers()
    if message.pinned_provider:
        # An earlier send to this gateway timed out: it may have the text. Asking
        # another gateway could send it twice; this one recognises the key.
        providers = [p for p in providers if p.name == message.pinned_provider]
        if not providers:
            return SendOutcome(
                ok=False,
                provider=message.pinned_provider,
                ambiguous=True,
                reason=f"{message.pinned_provider}, which may have the text, is not configured",
            )
    if not providers:
        return SendOutcome(ok=False, provider="", reason="no SMS gateway configured")
    sms = OutgoingSms(
        to=number,
        body=message.body,
        idempotency_key=message.idempotency_key,
        reference=str(message.pk),
    )
    reasons: list[str] = []
    # Failover: the next gateway only when this one certainly did not take the text
    # (no connection, 401/429/5xx). A timeout is ambiguous: no failover (ADR 0005).
    for provider in providers:
        # Written (and committed) before the call: if this worker dies during it, the
        # sweep pins the message to this gateway, which may have the text already.
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
            provider=provider.name
        )
        outcome = provider.send(sms)
        if outcome.ambiguous:
            reasons.append(f"{provider.name}: {outcome.reason}")
            return SendOutcome(
                ok=False,
                provider=provider.name,
                ambiguous=True,
                reason="; ".join(reasons)[:480],
            )
        if outcome.ok or outcome.permanent:
            if reasons:
                logger.info("SMS %s went through %s after failover", message.pk, provider.name)
            return outcome
        reasons.append(f"{provider.name}: {outcome.reason}")
    return SendOutcome(ok=False, provider=providers[-1].name, reason="; ".join(reasons)[:480])


def _record(
    messages: Sequence[Message], outcomes: Mapping[int, SendOutcome], *, now: datetime | None
) -> int:
    """SENDING → SENT / WAITING (retry) / FAILED, with a line in the delivery log."""
    moment = now or timezone.now()
    sent: list[Message] = []
    retry: list[Message] = []
    failed: list[Message] = []
    events: list[MessageEvent] = []
    for message in messages:
        outcome = outcomes[message.pk]
        message.claimed_until = None
        message.provider = outcome.provider
        if outcome.ok:
            message.status = MessageStatus.SENT
            message.sent_at = moment
            message.provider_message_id = outcome.provider_message_id[:120]
            message.latency_ms = max(0, int((moment - message.ready_at).total_seconds() * 1000))
            message.reason = ""
            sent.append(message)
            detail = outcome.provider
        elif outcome.permanent or moment - message.ready_at >= RETRY_WINDOW:
            message.status = MessageStatus.FAILED
            message.finished_at = moment
            message.reason = (
                outcome.reason
                if outcome.permanent
                else f"gave up after {message.attempts} attempts: {outcome.reason}"
            )[:500]
            failed.append(message)
            detail = message.reason
        else:
            message.status = MessageStatus.WAITING
            if outcome.ambiguous:
                message.pinned_provider = outcome.provider[:60]
            message.next_attempt_at = moment + backoff(message.attempts)
            message.reason = outcome.reason[:500]
            retry.append(message)
            detail = f"will retry at {message.next_attempt_at.isoformat()}: {outcome.reason}"
        events.append(
            MessageEvent(
                message=message,
                at=moment,
                status=message.status,
                attempt=message.attempts,
                detail=detail[:500],
            )
        )
    table = Message._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # One plain UPDATE per message, guarded by the status the claim set: thousands
        # per second where bulk_update's CASE expressions manage a few hundred.
        if sent:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, claimed_until = NULL, provider = %s, "  # noqa: S608
                "sent_at = %s, provider_message_id = %s, latency_ms = %s, reason = '' "
                "WHERE id = %s AND status = %s",
                [
                    (
                        m.status,
                        m.provider,
                        _db_time(m.sent_at),
                        m.provider_message_id,
                        m.latency_ms,
                        m.pk,
                        MessageStatus.SENDING,
                    )
                    for m in sent
                ],
            )
        if retry:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, claimed_until = NULL, provider = %s, "  # noqa: S608
                "next_attempt_at = %s, reason = %s, pinned_provider = %s "
                "WHERE id = %s AND status = %s",
                [
                    (
                        m.status,
                        m.provider,
                        _db_time(m.next_attempt_at),
                        m.reason,
                        m.pinned_provider,
                        m.pk,
                        MessageStatus.SENDING,
                    )
                    for m in retry
                ],
            )
        if failed:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, claimed_until = NULL, provider = %s, "  # noqa: S608
                "finished_at = %s, reason = %s WHERE id = %s AND status = %s",
                [
                    (
                        m.status,
                        m.provider,
                        _db_time(m.finished_at),
                        m.reason,
                        m.pk,
                        MessageStatus.SENDING,
                    )
                    for m in failed
                ],
            )
        MessageEvent.objects.bulk_create(events)
    return len(sent)


def messages_sweep(*, now: datetime | None = None) -> int:
    """Wake up what is due: retries whose backoff has passed, messages held for quiet
    hours, claims whose worker died, and queued messages whose wake-up got lost.
    Returns how many messages it queued for delivery."""
    now = now or timezone.now()
    not_paused = ~Q(fanout__status__in=(FanOutStatus.PAUSED, FanOutStatus.CANCELLED))
    with transaction.atomic():
        expired = list(
            Message.objects.filter(status=MessageStatus.SENDING, claimed_until__lt=now).values_list(
                "pk", flat=True
            )[:SWEEP_LIMIT]
        )
        if expired:
            # A text whose worker died while calling a gateway may be at that gateway:
            # the retry goes there only, with the same key (as after a timeout).
            Message.objects.filter(
                pk__in=expired,
                status=MessageStatus.SENDING,
                channel=Channel.SMS,
                pinned_provider="",
            ).exclude(provider="").update(pinned_provider=F("provider"))
            Message.objects.filter(pk__in=expired, status=MessageStatus.SENDING).update(
                status=MessageStatus.QUEUED, claimed_until=None
            )
            MessageEvent.objects.bulk_create(
                MessageEvent(
                    message_id=pk,
                    at=now,
                    status=MessageStatus.QUEUED,
                    detail="the worker did not finish; sending again with the same key",
                )
                for pk in expired
            )
        due = list(
            Message.objects.filter(
                not_paused,
                status__in=(MessageStatus.QUEUED, MessageStatus.WAITING),
                next_attempt_at__lte=now,
            ).values_list("pk", flat=True)[:SWEEP_LIMIT]
        )
        ids = sorted({*expired, *due})
        if ids:
            Message.objects.filter(
                pk__in=ids, status__in=(MessageStatus.QUEUED, MessageStatus.WAITING)
            ).update(status=MessageStatus.QUEUED, next_attempt_at=now + WAKE_UP_GRACE)
            transaction.on_commit(lambda: _enqueue_delivery(ids))
        pending = (MessageStatus.QUEUED, MessageStatus.WAITING, MessageStatus.SENDING)
        finished = FanOut.objects.filter(status=FanOutStatus.RUNNING).exclude(
            messages__status__in=pending
        )
        finished.update(status=FanOutStatus.DONE, finished_at=now)
    return len(ids)


# --- provider callbacks -----------------------------------------------------------------

CALLBACK_STATUSES = {
    "delivered": MessageStatus.DELIVERED,
    "undeliverable": MessageStatus.BOUNCED,
    "failed": MessageStatus.FAILED,
}


def message_record_delivery_status(
    *,
    provider_message_id: str,
    status: str,
    provider: str = "",
    detail: str = "",
    now: datetime | None = None,
) -> bool:
    """A provider reports what became of a message. False when it is not ours.

    A report is matched by (provider, provider's message id): two gateways may well
    hand out the same id. Without ``provider`` (a report to the old callback address)
    it is matched only when exactly one message has that id. A bounce that comes after
    "delivered" (a late bounce) still moves the message to bounced, so that staff see
    it among the failures."""
    new_status = CALLBACK_STATUSES.get(status)
    if new_status is None or not provider_message_id:
        raise DomainError(_("Unknown delivery status %(status)r.") % {"status": status})
    now = now or timezone.now()
    with transaction.atomic():
        candidates = Message.objects.select_for_update().filter(
            provider_message_id=provider_message_id
        )
        if provider:
            candidates = candidates.filter(provider=provider)
        found = list(candidates.order_by("pk")[:2])
        if len(found) != 1:
            if found:
                logger.warning(
                    "delivery report for provider id %s matches several messages; ignored",
                    provider_message_id,
                )
            return False
        message = found[0]
        late_bounce = (
            message.status == MessageStatus.DELIVERED and new_status == MessageStatus.BOUNCED
        )
        if message.status not in (MessageStatus.SENT, MessageStatus.SENDING) and not late_bounce:
            return True  # already final (a repeated callback): nothing to change
        message.status = new_status
        message.finished_at = now
        fields = ["status", "finished_at"]
        if new_status == MessageStatus.DELIVERED:
            message.delivered_at = now
            fields.append("delivered_at")
        else:
            reason = detail or f"provider reported {status}"
            if late_bounce:
                reason = f"bounced after it was reported delivered: {reason}"
            message.reason = reason[:500]
            fields.append("reason")
        message.save(update_fields=fields)
        MessageEvent.objects.create(
            message=message,
            at=now,
            status=new_status,
            attempt=message.attempts,
            detail=(detail or f"callback: {status}")[:500],
        )
    return True


def callback_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# --- contact points and preferences ---------------------------------------------------------

CODE_VALID_FOR = timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5
# A new code for the same address only after this long (no flood of texts or e-mails).
CODE_RESEND_AFTER = timedelta(seconds=60)
MAX_CONTACT_POINTS = 10  # per resident and kind


class CodeCoolDown(DomainError):
    """A new code was asked for too soon after the last one."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(
            _("A code was sent less than a minute ago. Wait %(seconds)s seconds and try again.")
            % {"seconds": seconds}
        )


def _hash_code(contact: ContactPoint, code: str) -> str:
    return hashlib.sha256(f"{contact.pk}:{contact.value}:{code}".encode()).hexdigest()


def contact_point_normalise(*, kind: str, value: str) -> str:
    """The address or number as stored (lower-case e-mail, E.164 number); raises a
    DomainError with a clear message when it is not a valid one."""
    value = value.strip()
    if kind == ContactKind.PHONE:
        value = normalise_phone(value)
        if phone_problem(value):
            raise DomainError(
                _(
                    "This is not a valid mobile number. "
                    "Write it as 0470 12 34 56 or +32 470 12 34 56."
                )
            )
    elif kind == ContactKind.EMAIL:
        value = value.lower()
        if email_problem(value) or len(value) > 254:
            raise DomainError(_("This is not a valid e-mail address. Write it as name@example.be."))
    else:
        raise DomainError(_("Unknown kind of contact point %(kind)r.") % {"kind": kind})
    return value


def _new_code(contact: ContactPoint, now: datetime) -> str:
    """A fresh code on a locked contact point (saved by the caller)."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    contact.code_hash = _hash_code(contact, code)
    contact.code_expires_at = now + CODE_VALID_FOR
    contact.code_attempts = 0
    return code


def _cool_down_left(contact: ContactPoint, now: datetime) -> int:
    if contact.code_sent_at is None:
        return 0
    left = (contact.code_sent_at + CODE_RESEND_AFTER - now).total_seconds()
    return max(0, int(left + 0.999))


def contact_point_add(*, person_id: int, kind: str, value: str) -> tuple[ContactPoint, str]:
    """Record an e-mail address or mobile number and make a verification code for it.
    Returns the contact point and the code (to be sent to that address only)."""
    value = contact_point_normalise(kind=kind, value=value)
    now = timezone.now()
    with transaction.atomic():
        contact, created = ContactPoint.objects.get_or_create(
            person_id=person_id, kind=kind, value=value
        )
        contact = ContactPoint.objects.select_for_update().get(pk=contact.pk)
        if contact.verified_at is not None:
            raise DomainError(_("You have already confirmed this address or number."))
        if created and (
            ContactPoint.objects.filter(person_id=person_id, kind=kind).count() > MAX_CONTACT_POINTS
        ):
            raise DomainError(_("You have too many addresses of this kind. Remove one first."))
        left = _cool_down_left(contact, now)
        if left:
            raise CodeCoolDown(left)
        code = _new_code(contact, now)
        contact.save(update_fields=["code_hash", "code_expires_at", "code_attempts"])
        audit_record(
            actor=None,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=contact,
            subject_person_id=person_id,
            reason="contact point added, waiting for verification",
        )
    return contact, code


def contact_point_add_verified(
    *, actor: User | None, person_id: int, kind: str, value: str, reason: str
) -> ContactPoint:
    """Record an address or number as verified without a code: for the demo's seed data
    and for imports of addresses verified elsewhere (the reason says where). Idempotent."""
    value = contact_point_normalise(kind=kind, value=value)
    with transaction.atomic():
        contact, _created = ContactPoint.objects.get_or_create(
            person_id=person_id, kind=kind, value=value
        )
        if contact.verified_at is None:
            contact.verified_at = timezone.now()
            contact.code_hash = ""
            contact.save(update_fields=["verified_at", "code_hash"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=contact,
                subject_person_id=person_id,
                reason=f"contact point verified: {reason}"[:500],
            )
    return contact


def contact_point_resend_code(*, person_id: int, contact_point_id: int) -> NotifyResult:
    """A new code for an unverified contact point of this resident, sent to it; at most
    one per CODE_RESEND_AFTER (CodeCoolDown otherwise)."""
    now = timezone.now()
    with transaction.atomic():
        contact = (
            ContactPoint.objects.select_for_update()
            .filter(pk=contact_point_id, person_id=person_id)
            .first()
        )
        if contact is None:
            raise DomainError(_("This address or number is not yours or no longer exists."))
        if contact.verified_at is not None:
            raise DomainError(_("You have already confirmed this address or number."))
        left = _cool_down_left(contact, now)
        if left:
            raise CodeCoolDown(left)
        code = _new_code(contact, now)
        contact.save(update_fields=["code_hash", "code_expires_at", "code_attempts"])
        return contact_point_send_code(contact_point_id=contact.pk, code=code)


def contact_point_send_code(*, contact_point_id: int, code: str) -> NotifyResult:
    """Send the verification code to the (unverified) address itself."""
    contact = ContactPoint.objects.get(pk=contact_point_id)
    person = person_get(person_id=contact.person_id)
    if person is None:
        raise DomainError(_("No such person."))
    channel = Channel.EMAIL if contact.kind == ContactKind.EMAIL else Channel.SMS
    event = NotificationEvent.objects.filter(key="verification-code").first()
    if event is None:
        raise DomainError(_("The event verification-code has no templates yet."))
    templates = {
        key: text
        for key, text in selectors.templates_for_event(event_id=event.pk).items()
        if key[0] == channel
    }
    chosen = selectors.recipients_for(person_ids=[person.id]).get(person.id, Recipient())
    recipient = Recipient(
        email=contact.value if channel == Channel.EMAIL else "",
        phone=contact.value if channel == Channel.SMS else "",
        language=chosen.language,
        paper_only=False,  # the code goes to this address, whatever else is preferred
    )
    now = timezone.now()
    planned = plan(
        person=person,
        recipient=recipient,
        templates=templates,
        allowed=tuple(event.placeholders),
        context={"code": code},
        urgent=True,
        now=now,
    )
    planned.inbox = None  # a code never lands in the inbox
    key = f"verify:{contact.pk}:{contact.code_hash[:16]}"
    with transaction.atomic():
        ContactPoint.objects.filter(pk=contact.pk).update(code_sent_at=now)
        (message,) = _store(
            [(person.id, key, planned)], event_key=event.key, urgent=True, now=now, fanout=None
        )
        if message.status == MessageStatus.QUEUED:
            transaction.on_commit(lambda: _enqueue_delivery([message.pk]))
    return NotifyResult(
        idempotency_key=key, created=True, message_ids=(message.pk,), inbox_message_id=None
    )


class CodeExpired(DomainError):
    """The code is too old, was tried too often, or there is none: ask a new one."""


def contact_point_verify(*, contact_point_id: int, code: str, person_id: int | None = None) -> bool:
    """Check a code; a right one marks the address verified (and usable). False for a
    wrong code; CodeExpired when no code can be accepted any more. With ``person_id``
    the contact point must be that resident's."""
    with transaction.atomic():
        contact = (
            ContactPoint.objects.select_for_update()
            .filter(pk=contact_point_id)
            .filter(**({"person_id": person_id} if person_id is not None else {}))
            .first()
        )
        if contact is None:
            raise DomainError(_("This address or number is not yours or no longer exists."))
        if contact.verified_at is not None:
            return True
        if contact.code_attempts >= CODE_MAX_ATTEMPTS:
            raise CodeExpired(_("You entered a wrong code too often. Ask for a new code."))
        if (
            not contact.code_hash
            or contact.code_expires_at is None
            or contact.code_expires_at < timezone.now()
        ):
            raise CodeExpired(_("This code has expired. Ask for a new one."))
        if not hmac.compare_digest(contact.code_hash, _hash_code(contact, code.strip())):
            contact.code_attempts = F("code_attempts") + 1
            contact.save(update_fields=["code_attempts"])
            return False
        contact.verified_at = timezone.now()
        contact.code_hash = ""
        contact.save(update_fields=["verified_at", "code_hash"])
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            target=contact,
            subject_person_id=contact.person_id,
            reason="contact point verified",
        )
    return True


def contact_point_remove(*, person_id: int, contact_point_id: int) -> None:
    """The resident removes one of their addresses or numbers; from now on nothing is
    sent to it."""
    with transaction.atomic():
        contact = (
            ContactPoint.objects.select_for_update()
            .filter(pk=contact_point_id, person_id=person_id)
            .first()
        )
        if contact is None:
            raise DomainError(_("This address or number is not yours or no longer exists."))
        audit_record(
            actor=None,
            action=AuditAction.DELETE,
            target=contact,
            subject_person_id=person_id,
            reason="contact point removed by the resident",
        )
        contact.delete()


def preference_set(
    *,
    person_id: int,
    use_email: bool = True,
    use_sms: bool = True,
    quiet_start: Any = None,
    quiet_end: Any = None,
    language: str = "",
    paper_only: bool | None = None,
    topic_keys: Iterable[str] | None = None,
    actor: User | None = None,
) -> Preference:
    """Save how a resident wants to hear from the municipality. ``language`` empty and
    ``paper_only`` None follow the register; ``topic_keys`` (when given) is the full
    set of topics subscribed to. One audit line names the fields that changed."""
    if language and language not in LANGUAGES:
        raise DomainError(_("Choose one of the languages offered."))
    if (quiet_start is None) != (quiet_end is None):
        raise DomainError(_("Give both the start and the end of your quiet hours, or neither."))
    if quiet_start is not None and quiet_start == quiet_end:
        raise DomainError(_("Quiet hours cannot start and end at the same time."))
    with transaction.atomic():
        preference = Preference.objects.select_for_update().filter(
            person_id=person_id
        ).first() or Preference(person_id=person_id)
        values = {
            "use_email": use_email,
            "use_sms": use_sms,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "language": language,
            "paper_only": paper_only,
        }
        changed = sorted(
            name
            for name, value in values.items()
            if preference.pk is None or getattr(preference, name) != value
        )
        for name, value in values.items():
            setattr(preference, name, value)
        preference.save()
        if topic_keys is not None:
            wanted = set(
                Topic.objects.filter(key__in=list(topic_keys)).values_list("pk", flat=True)
            )
            current = set(
                TopicSubscription.objects.filter(person_id=person_id).values_list(
                    "topic_id", flat=True
                )
            )
            if wanted != current:
                changed.append("topics")
                TopicSubscription.objects.filter(
                    person_id=person_id, topic_id__in=current - wanted
                ).delete()
                TopicSubscription.objects.bulk_create(
                    [TopicSubscription(person_id=person_id, topic_id=pk) for pk in wanted - current]
                )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=preference,
            subject_person_id=person_id,
            reason="notification preferences",
            changes={"fields": changed},
        )
    return preference


# --- portal inbox ------------------------------------------------------------------------------


def inbox_message_mark_read(*, person_id: int, inbox_message_id: int) -> None:
    marked = InboxMessage.objects.filter(
        pk=inbox_message_id, person_id=person_id, read_at__isnull=True
    ).update(read_at=timezone.now())
    if marked:
        inbox_changed(person_ids=[person_id])


# --- templates ---------------------------------------------------------------------------------


def template_save(
    *,
    actor: User | None,
    event: NotificationEvent,
    channel: str,
    language: str,
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
) -> MessageTemplate:
    """Create or change a template; refuses unknown placeholders with a clear reason."""
    from loket.notifications.routing import PERSONAL_PLACEHOLDERS

    allowed = (*event.placeholders, *PERSONAL_PLACEHOLDERS)
    problems = template_problems(subject, allowed=allowed) + template_problems(
        body, allowed=allowed
    )
    if problems:
        raise DomainError(" ".join(dict.fromkeys(problems)))
    with transaction.atomic():
        if template is None:
            template = MessageTemplate(event=event, channel=channel, language=language)
        template.subject, template.body = subject, body
        template.channel, template.language = channel, language
        template.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, target=template)
    return template


# --- letters: the hand-over to the print batch (docs/protocols/letter-print-batch.md) ---------


def letter_batch_claim(*, batch_reference: str, limit: int = 1000) -> list[LetterData]:
    """Take up to ``limit`` pending letters into the print batch ``batch_reference``.

    Calling it again with the same reference returns the same letters (and no more), so
    a print run that crashed can start over."""
    if not batch_reference:
        raise ValueError("a print batch needs a reference")
    now = timezone.now()
    with transaction.atomic():
        if not Letter.objects.filter(batch_reference=batch_reference).exists():
            ids = list(
                Letter.objects.select_for_update(skip_locked=True)
                .filter(status=LetterStatus.PENDING)
                .order_by("id")
                .values_list("pk", flat=True)[:limit]
            )
            Letter.objects.filter(pk__in=ids, status=LetterStatus.PENDING).update(
                status=LetterStatus.BATCHED, batch_reference=batch_reference, batched_at=now
            )
            message_ids = list(
                Letter.objects.filter(pk__in=ids).values_list("message_id", flat=True)
            )
            Message.objects.filter(pk__in=message_ids).update(
                status=MessageStatus.SENDING, attempts=1
            )
        letters = list(Letter.objects.filter(batch_reference=batch_reference).order_by("id"))
    return [
        LetterData(
            id=letter.pk,
            message_id=letter.message_id,
            language=letter.language,
            recipient_name=letter.recipient_name,
            postal_address=letter.postal_address,
            subject=letter.subject,
            body=letter.body,
            created_at=letter.created_at,
        )
        for letter in letters
    ]


def letter_batch_mark_printed(*, batch_reference: str) -> int:
    """The print batch is printed and posted: its letters count as sent."""
    now = timezone.now()
    with transaction.atomic():
        letters = Letter.objects.select_for_update().filter(
            batch_reference=batch_reference, status=LetterStatus.BATCHED
        )
        message_ids = list(letters.values_list("message_id", flat=True))
        count = letters.update(status=LetterStatus.PRINTED, printed_at=now)
        Message.objects.filter(pk__in=message_ids).update(
            status=MessageStatus.SENT, sent_at=now, finished_at=now
        )
        MessageEvent.objects.bulk_create(
            MessageEvent(
                message_id=pk,
                at=now,
                status=MessageStatus.SENT,
                attempt=1,
                detail=f"printed in batch {batch_reference}",
            )
            for pk in message_ids
        )
    return count


# --- bulk fan-out ---------------------------------------------------------------------------------


class FanOutAlreadyStarted(DomainError):
    """The form that asked for this bulk message has already started one."""


def fanout_start(
    *,
    actor: User | None,
    event: str,
    selection_kind: str,
    selection_value: str = "",
    context: Mapping[str, Any] | None = None,
    urgent: bool = False,
    form_token: str | None = None,
) -> FanOut:
    """Start a bulk send; the messages are prepared by a task (``fanout_queue``).

    ``form_token`` is the one-time token of the form it came from: a second start with
    the same token raises FanOutAlreadyStarted and makes nothing."""
    notification_event = NotificationEvent.objects.filter(key=event).first()
    if notification_event is None:
        raise DomainError(_("Unknown notification event %(event)r.") % {"event": event})
    if selection_kind not in SelectionKind.values:
        raise DomainError(_("Unknown selection %(kind)r.") % {"kind": selection_kind})
    if context is not None and not isinstance(context, Mapping):
        raise DomainError(_("The values for the placeholders must be a JSON object."))
    selectors.fanout_selection_check(kind=selection_kind, value=selection_value)
    if form_token is not None and FanOut.objects.filter(form_token=form_token).exists():
        raise FanOutAlreadyStarted(_("This form has already started a bulk message."))
    try:
        return _fanout_create(
            actor=actor,
            notification_event=notification_event,
            selection_kind=selection_kind,
            selection_value=selection_value,
            context=context,
            urgent=urgent,
            form_token=form_token,
        )
    except IntegrityError as error:  # the same form, sent twice at the same moment
        if form_token is not None and FanOut.objects.filter(form_token=form_token).exists():
            raise FanOutAlreadyStarted(
                _("This form has already started a bulk message.")
            ) from error
        raise


def _fanout_create(
    *,
    actor: User | None,
    notification_event: NotificationEvent,
    selection_kind: str,
    selection_value: str,
    context: Mapping[str, Any] | None,
    urgent: bool,
    form_token: str | None,
) -> FanOut:
    event = notification_event.key
    with transaction.atomic():
        fanout = FanOut.objects.create(
            event=notification_event,
            selection_kind=selection_kind,
            selection_value=selection_value,
            context=dict(context or {}),
            urgent=urgent,
            status=FanOutStatus.QUEUEING,
            created_by=actor,
            created_at=timezone.now(),
            form_token=form_token,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=fanout,
            object_label=f"fan-out {event} to {selection_kind} {selection_value}",
        )
        from loket.notifications.tasks import fanout_queue

        transaction.on_commit(lambda: fanout_queue.enqueue(fanout.pk))
    return fanout


def fanout_queue_messages(*, fanout_id: int, enqueue: bool = True) -> int:
    """Prepare the fan-out's messages in batches (resumable: each batch commits with
    the position it reached). Returns how many messages this call made.

    If preparing raises, the fan-out is not left "Preparing" for ever: it is cancelled
    with the reason (what was prepared and not yet sent is cancelled too, as with the
    Cancel button), and the error is raised again for the task's log."""
    try:
        return _fanout_queue_messages(fanout_id=fanout_id, enqueue=enqueue)
    except Exception as error:
        logger.exception("preparing fan-out %s failed", fanout_id)
        _fanout_stop_after_error(fanout_id=fanout_id, error=error)
        raise


def _fanout_stop_after_error(*, fanout_id: int, error: Exception) -> None:
    reason = f"preparing the messages failed ({type(error).__name__}: {error})"[:500]
    now = timezone.now()
    with transaction.atomic():
        fanout = FanOut.objects.select_for_update().filter(pk=fanout_id).first()
        if fanout is None or fanout.status != FanOutStatus.QUEUEING:
            return
        fanout.status = FanOutStatus.CANCELLED
        fanout.finished_at = now
        fanout.reason = reason
        fanout.save(update_fields=["status", "finished_at", "reason"])
        Message.objects.filter(
            fanout=fanout, status__in=(MessageStatus.QUEUED, MessageStatus.WAITING)
        ).update(status=MessageStatus.CANCELLED, finished_at=now, reason=reason)
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            target=fanout,
            object_label=f"fan-out {fanout.pk}",
            changes={"status": [FanOutStatus.QUEUEING, FanOutStatus.CANCELLED]},
            reason=reason,
        )


def _fanout_queue_messages(*, fanout_id: int, enqueue: bool) -> int:
    made = 0
    fanout = FanOut.objects.select_related("event").get(pk=fanout_id)
    templates = selectors.templates_for_event(event_id=fanout.event_id)
    allowed = tuple(fanout.event.placeholders)
    started = timezone.now()
    while True:
        with transaction.atomic():
            fanout = FanOut.objects.select_for_update().select_related("event").get(pk=fanout_id)
            if fanout.status != FanOutStatus.QUEUEING:
                break
            persons = selectors.fanout_persons(
                kind=fanout.selection_kind,
                value=fanout.selection_value,
                after_id=fanout.last_person_id,
                limit=QUEUE_BATCH,
            )
            if not persons:
                fanout.status = FanOutStatus.RUNNING
                fanout.queued_seconds = (fanout.queued_seconds or 0) + (
                    timezone.now() - started
                ).total_seconds()
                fanout.save(update_fields=["status", "queued_seconds"])
                break
            now = timezone.now()
            recipients = selectors.recipients_for(person_ids=[p.id for p in persons])
            rows = [
                (
                    person.id,
                    f"fanout:{fanout.pk}:{person.id}",
                    plan(
                        person=person,
                        recipient=recipients.get(person.id, Recipient()),
                        templates=templates,
                        allowed=allowed,
                        context=fanout.context,
                        urgent=fanout.urgent,
                        now=now,
                    ),
                )
                for person in persons
            ]
            queued = _store_fanout_batch(rows, fanout=fanout, now=now)
            fanout.last_person_id = persons[-1].id
            fanout.recipients = F("recipients") + len(rows)
            fanout.save(update_fields=["last_person_id", "recipients"])
            if enqueue and queued:
                transaction.on_commit(lambda queued=queued: _enqueue_delivery(queued))  # type: ignore[misc]
            made += len(rows)
    return made


def _fanout_set_status(
    *, actor: User | None, fanout_id: int, allowed_from: Iterable[str], to: str
) -> FanOut:
    with transaction.atomic():
        fanout = FanOut.objects.select_for_update().get(pk=fanout_id)
        if fanout.status not in allowed_from:
            raise DomainError(
                _("This bulk message is %(status)s.") % {"status": fanout.get_status_display()}
            )
        previous = fanout.status
        fanout.status = to
        fields = ["status"]
        if to == FanOutStatus.CANCELLED:
            fanout.finished_at = timezone.now()
            fields.append("finished_at")
            Message.objects.filter(
                fanout=fanout, status__in=(MessageStatus.QUEUED, MessageStatus.WAITING)
            ).update(
                status=MessageStatus.CANCELLED,
                finished_at=timezone.now(),
                reason="bulk message cancelled",
            )
        fanout.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=fanout,
            object_label=f"fan-out {fanout.pk}",
            changes={"status": [previous, to]},
        )
    return fanout


def fanout_pause(*, actor: User | None, fanout_id: int) -> FanOut:
    return _fanout_set_status(
        actor=actor,
        fanout_id=fanout_id,
        allowed_from=(FanOutStatus.QUEUEING, FanOutStatus.RUNNING),
        to=FanOutStatus.PAUSED,
    )


def fanout_resume(*, actor: User | None, fanout_id: int) -> FanOut:
    """Go on: finish preparing if that was interrupted, and wake the waiting messages."""
    fanout = FanOut.objects.get(pk=fanout_id)
    finished_queueing = fanout.queued_seconds is not None
    fanout = _fanout_set_status(
        actor=actor,
        fanout_id=fanout_id,
        allowed_from=(FanOutStatus.PAUSED,),
        to=FanOutStatus.RUNNING if finished_queueing else FanOutStatus.QUEUEING,
    )
    from loket.notifications.tasks import fanout_queue

    def wake() -> None:
        if not finished_queueing:
            fanout_queue.enqueue(fanout.pk)
        ids = list(
            Message.objects.filter(fanout=fanout, status=MessageStatus.QUEUED).values_list(
                "pk", flat=True
            )
        )
        _enqueue_delivery(ids)

    transaction.on_commit(wake)
    return fanout


def fanout_cancel(*, actor: User | None, fanout_id: int) -> FanOut:
    return _fanout_set_status(
        actor=actor,
        fanout_id=fanout_id,
        allowed_from=(FanOutStatus.QUEUEING, FanOutStatus.RUNNING, FanOutStatus.PAUSED),
        to=FanOutStatus.CANCELLED,
    )
