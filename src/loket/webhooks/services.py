"""Writes of the webhooks module: subscriptions, publishing CloudEvents, signed
deliveries with retries.

Other modules call ``event_publish`` inside the transaction of the change it reports;
the deliveries are written in that transaction too (an outbox) and sent after commit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.constants import AuditAction
from loket.core.services import DomainError, User, audit_record
from loket.webhooks.constants import (
    FIRST_RETRY_SECONDS,
    MAX_RETRY_SECONDS,
    DeliveryStatus,
    EventType,
)
from loket.webhooks.models import Delivery, Subscription
from loket.webhooks.network import AddressRefused, checked_session, url_check
from loket.webhooks.types import SignedHeaders

logger = logging.getLogger(__name__)
SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks label, not a secret)
SWEEP_BATCH = 100


# --- Signatures (Standard Webhooks) ------------------------------------------------


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature_compute(*, secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_verify(
    *, secret: str, headers: Mapping[str, str], body: bytes, tolerance: int = 300
) -> bool:
    """What a receiver does: check the timestamp is recent and one signature matches."""
    try:
        webhook_id = headers["webhook-id"]
        timestamp = int(headers["webhook-timestamp"])
        offered = headers["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = signature_compute(
        secret=secret, webhook_id=webhook_id, timestamp=timestamp, body=body
    )
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


# --- Subscriptions -----------------------------------------------------------------


@transaction.atomic
def subscription_create(
    *,
    actor: User | None,
    name: str,
    url: str,
    event_types: Iterable[str],
    api_client_id: int | None = None,
) -> Subscription:
    chosen = sorted(set(event_types))
    if not chosen or any(kind not in EventType.values for kind in chosen):
        raise DomainError(_("Choose one or more known event types."))
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(_("Give a valid http(s) address.")) from None
    if settings.PRODUCTION and not url.startswith("https://"):
        raise DomainError(_("Webhook addresses must use https."))
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise DomainError(_("Give the address without a user name or password."))
    url_check(
        host=parts.hostname or "", port=parts.port or (443 if parts.scheme == "https" else 80)
    )
    subscription = Subscription.objects.create(
        name=name.strip()[:200] or url[:200],
        api_client_id=api_client_id,
        url=url,
        event_types=chosen,
        secret=SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode(),
        created_at=timezone.now(),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=subscription)
    return subscription


@transaction.atomic
def subscription_deactivate(*, actor: User | None, subscription_id: int) -> None:
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    if subscription.active:
        subscription.active = False
        subscription.save(update_fields=["active"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=subscription, changes={"active": False}
        )


# --- Publishing --------------------------------------------------------------------


def _enqueue(delivery_ids: list[int]) -> None:
    from loket.webhooks.tasks import deliver_webhooks

    try:
        deliver_webhooks.enqueue(delivery_ids)
    except Exception:  # the periodic sweep sends them anyway
        logger.exception("could not enqueue webhook deliveries")


def event_publish(
    *, type: str, source: str, subject: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Publish a CloudEvent 1.0 (structured JSON mode) to every active subscription of
    its type. Call inside the transaction of the change; returns the event."""
    if type not in EventType.values:
        raise ValueError(f"unknown event type {type!r}")
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "type": type,
        "subject": subject,
        "time": timezone.now().isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": dict(data),
    }
    now = timezone.now()
    # One query when nobody listens (the common case on every issue and payment).
    subscriptions = [
        subscription
        for subscription in Subscription.objects.filter(active=True).only("id", "event_types")
        if type in subscription.event_types
    ]
    if not subscriptions:
        return event
    with transaction.atomic():
        deliveries = [
            Delivery.objects.create(
                subscription=subscription,
                event_id=event["id"],
                event_type=type,
                payload=event,
                next_attempt_at=now,
                created_at=now,
            )
            for subscription in subscriptions
        ]
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))
    return event


# --- Delivery ----------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    return timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    )


def signed_headers(*, delivery: Delivery, body: bytes, now: int | None = None) -> SignedHeaders:
    timestamp = int(now if now is not None else time.time())
    webhook_id = f"msg_{delivery.event_id}"
    return SignedHeaders(
        webhook_id=webhook_id,
        webhook_timestamp=str(timestamp),
        webhook_signature=signature_compute(
            secret=delivery.subscription.secret,
            webhook_id=webhook_id,
            timestamp=timestamp,
            body=body,
        ),
    )


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one due delivery; on failure schedule the next try (exponential back-off)
    or give up after ``LOKET_WEBHOOK_MAX_ATTEMPTS``. Returns the new status."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return "skipped"
        # Claim: a second worker finds it not due until this attempt would time out.
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=settings.LOKET_WEBHOOK_TIMEOUT + 30)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "User-Agent": "Loket-Webhooks/1",
        **signed_headers(delivery=delivery, body=body).as_dict(),
    }
    code: int | None = None
    error = ""
    try:
        # Checked again now: the name may resolve elsewhere than at registration.
        with checked_session() as session:
            response = session.post(
                delivery.subscription.url,
                data=body,
                headers=headers,
                timeout=settings.LOKET_WEBHOOK_TIMEOUT,
                allow_redirects=False,
            )
        code = response.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except AddressRefused:
        error = "Refused: the address is not a public one"
    except requests.RequestException as exc:
        error = type(exc).__name__
    fields: dict[str, Any] = {"last_status_code": code, "last_error": error[:300]}
    if not error:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
        fields["next_attempt_at"] = None
    elif delivery.attempts >= settings.LOKET_WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        fields["next_attempt_at"] = timezone.now() + _backoff(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    return str(fields.get("status", DeliveryStatus.PENDING))


def deliveries_send(*, delivery_ids: Iterable[int]) -> int:
    return sum(delivery_attempt(delivery_id=pk) == DeliveryStatus.DELIVERED for pk in delivery_ids)


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Retry every pending delivery that is due (every minute). Returns how many went."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    return sum(delivery_attempt(delivery_id=pk, now=now) == DeliveryStatus.DELIVERED for pk in due)


@transaction.atomic
def delivery_resend(*, actor: User | None, delivery_id: int) -> Delivery:
    """ "Send again": queue the same event (same id, so receivers can deduplicate)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=delivery, changes={"resend": True})
    transaction.on_commit(lambda: _enqueue([delivery_id]))
    return delivery
