"""The e-mail server and the SMS provider are down for ten minutes.

Messages wait (nothing fails, nothing is lost), the sweep keeps retrying with backoff
while the clock moves on, and once both are back every message goes out, each exactly
once. The clock is moved through the services' ``now``; no test waits ten minutes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from loket.core.tests.processes import free_port
from loket.notifications import services
from loket.notifications.constants import Channel, MessageStatus
from loket.notifications.models import Message
from loket.notifications.providers import registry, sms_http
from loket.notifications.tests.conftest import make_resident
from loket.simulators.sms_gateway import SmsGateway
from loket.simulators.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db

CONTEXT = {
    "case_reference": "2026-000042",
    "case_title": "Bewonerskaart",
    "status": "goedgekeurd",
    "case_url": "https://loket.example/d/42",
}
SECRET = "fault-callback-secret"


@pytest.fixture
def providers_down(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Where the SMTP server and the SMS gateway live, with nothing listening yet."""
    smtp_port = free_port()
    gateway = SmsGateway(
        token="fault-token", callback_secret=SECRET, port=free_port(), callback_sender=None
    )
    monkeypatch.setattr(sms_http.client, "TIMEOUT_SECONDS", 0.5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_TIMEOUT = False, "", 2
    settings.LOKET_SMS_GATEWAYS = [gateway.url]
    settings.LOKET_SMS_API_TOKENS = ["fault-token"]
    settings.LOKET_SMS_CALLBACK_SECRET = SECRET
    registry.reset()
    yield smtp_port, gateway
    gateway.stop()
    registry.reset()


def _statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Message.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_messages_wait_for_ten_minutes_and_go_out_once_afterwards(providers_down: Any) -> None:
    smtp_port, gateway = providers_down
    residents = [make_resident(email=f"r{i}@example.org") for i in range(3)]
    residents += [make_resident(phone=f"+32470{i:06d}") for i in range(2)]
    for person in residents:
        services.notify(
            event="case-status-changed",
            person_id=person.pk,
            context=CONTEXT,
            idempotency_key=f"fault-{person.pk}",
        )
    ids = list(
        Message.objects.filter(channel__in=(Channel.EMAIL, Channel.SMS)).values_list(
            "pk", flat=True
        )
    )
    assert len(ids) == 5
    start = timezone.now()

    def minute(n: int) -> None:
        """What the worker does each minute: the sweep wakes what is due, delivery tries."""
        now = start + timedelta(minutes=n)
        services.messages_sweep(now=now)
        services.messages_deliver(message_ids=ids, now=now)

    services.messages_deliver(message_ids=ids, now=start)
    for n in range(1, 11):  # ten minutes down
        minute(n)
        assert _statuses() == {MessageStatus.WAITING: 5}, f"minute {n}"
    tried = dict(Message.objects.values_list("pk", "attempts"))
    assert min(tried.values()) >= 4  # retried all along, with backoff (not every minute)

    with SmtpSink(port=smtp_port) as sink:
        gateway.start()
        for n in range(11, 31):  # back: the next retry that falls due sends everything
            minute(n)
            if _statuses() == {MessageStatus.SENT: 5}:
                break
        assert _statuses() == {MessageStatus.SENT: 5}
        assert n <= 17  # within one backoff step (8 minutes) of coming back
        mails = sink.messages()
        assert sorted(mail["To"] for mail in mails) == [f"r{i}@example.org" for i in range(3)]
        assert len(sink.received) == 3  # each e-mail once on the wire
        assert sorted(text["to"] for text in gateway.messages) == ["+32470000000", "+32470000001"]
        assert gateway.requests == 2  # each text posted once

    # Nothing more happens afterwards: no second copy on a later sweep.
    minute(40)
    assert len(sink.received) == 3
    assert gateway.requests == 2
