"""Webhooks: signed CloudEvents reach a real HTTP receiver on loopback, and are
retried with back-off while it is down."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from loket.webhooks import selectors, services
from loket.webhooks.constants import DeliveryStatus, EventType
from loket.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


class Receiver:
    """A subscriber on loopback that checks every signature it receives."""

    def __init__(self) -> None:
        self.secret = ""
        self.events: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.down = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                headers = {name.lower(): value for name, value in self.headers.items()}
                if services.signature_verify(secret=receiver.secret, headers=headers, body=body):
                    receiver.events.append(json.loads(body))
                    self.send_response(204)
                else:
                    receiver.bad_signatures += 1
                    self.send_response(401)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _subscribe(receiver: Receiver, *types: str) -> Any:
    subscription = services.subscription_create(
        actor=None,
        name="Document management system",
        url=receiver.url,
        event_types=types or (EventType.CASE_STATUS_CHANGED,),
    )
    receiver.secret = subscription.secret
    return subscription


def _publish() -> dict[str, Any]:
    return services.event_publish(
        type=EventType.CASE_STATUS_CHANGED,
        source="/api/v1/cases",
        subject="2026-000123",
        data={"reference": "2026-000123", "status": "in_behandeling"},
    )


def test_signed_cloudevent_is_delivered(receiver: Receiver) -> None:
    _subscribe(receiver)
    event = _publish()
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED
    assert receiver.bad_signatures == 0
    [received] = receiver.events
    assert received["specversion"] == "1.0"
    assert received["id"] == event["id"]
    assert received["type"] == "be.loket.case.status_changed"
    assert received["subject"] == "2026-000123"
    assert received["data"]["status"] == "in_behandeling"
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert delivery.last_status_code == 204


def test_only_matching_subscriptions_get_the_event(receiver: Receiver) -> None:
    _subscribe(receiver, EventType.PAYMENT_RECEIVED)
    _publish()
    assert not Delivery.objects.exists()


def test_receiver_down_then_back_gets_it_on_a_later_sweep(receiver: Receiver) -> None:
    _subscribe(receiver)
    _publish()
    receiver.down = True
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.last_status_code == 503
    first_retry = delivery.next_attempt_at
    assert first_retry is not None
    assert first_retry > timezone.now() + timedelta(seconds=20)
    # Not due yet: the sweep leaves it alone.
    assert services.deliveries_sweep() == 0
    # Still down at the first retry: the wait doubles.
    assert services.deliveries_sweep(now=first_retry + timedelta(seconds=1)) == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=50)
    # Back up: the next sweep that is due delivers it.
    receiver.down = False
    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert services.deliveries_sweep(now=later) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 3
    assert len(receiver.events) == 1


def test_gives_up_after_max_attempts_and_can_be_sent_again(receiver: Receiver, settings) -> None:
    settings.LOKET_WEBHOOK_MAX_ATTEMPTS = 2
    _subscribe(receiver)
    _publish()
    receiver.down = True
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None
    services.delivery_attempt(
        delivery_id=delivery.pk, now=delivery.next_attempt_at + timedelta(seconds=1)
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    receiver.down = False
    services.delivery_resend(actor=None, delivery_id=delivery.pk)
    assert services.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED
    assert receiver.events[0]["id"] == delivery.event_id


def test_unreachable_receiver_is_an_error_not_a_crash(settings) -> None:
    settings.LOKET_WEBHOOK_TIMEOUT = 1
    services.subscription_create(
        actor=None,
        name="gone",
        url="http://127.0.0.1:9/hook",
        event_types=["be.loket.case.created"],
    )
    services.event_publish(type="be.loket.case.created", source="/t", subject="x", data={})
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.last_error == "ConnectionError"


def test_signature_verification_refuses_tampering() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(timezone.now().timestamp())),
    }
    body = b'{"a":1}'
    headers["webhook-signature"] = services.signature_compute(
        secret=secret, webhook_id="msg_1", timestamp=int(headers["webhook-timestamp"]), body=body
    )
    assert services.signature_verify(secret=secret, headers=headers, body=body)
    assert not services.signature_verify(secret=secret, headers=headers, body=b'{"a":2}')
    old = {**headers, "webhook-timestamp": "1000"}
    assert not services.signature_verify(secret=secret, headers=old, body=body)


def test_delivery_log_is_keyset_paged(receiver: Receiver, django_assert_max_num_queries) -> None:
    _subscribe(receiver)
    for _ in range(5):
        _publish()
    with django_assert_max_num_queries(1):
        page, before = selectors.delivery_list(limit=3)
        [row.subscription.name for row in page]
    assert len(page) == 3
    rest, after = selectors.delivery_list(limit=3, before_id=before)
    assert len(rest) == 2
    assert after is None


def test_publish_enqueues_delivery_after_commit(
    receiver: Receiver, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loket.webhooks import tasks

    queued: list[list[int]] = []

    class FakeTask:
        enqueue = staticmethod(queued.append)

    monkeypatch.setattr(tasks, "deliver_webhooks", FakeTask)
    _subscribe(receiver)
    with django_capture_on_commit_callbacks(execute=True):
        _publish()
    assert queued == [[Delivery.objects.get().pk]]
    assert services.deliveries_send(delivery_ids=queued[0]) == 1
    assert len(receiver.events) == 1
