"""Fixtures of the notifications tests: the local SMTP sink and SMS gateways, and
residents with verified contact points."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from loket.notifications.constants import ContactKind
from loket.notifications.models import ContactPoint
from loket.notifications.providers import registry, sms_http
from loket.people.tests.factories import AddressFactory, PersonFactory
from loket.simulators.sms_gateway import SmsGateway
from loket.simulators.smtp_sink import SmtpSink

SECRET = "test-callback-secret"


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        yield sink


@pytest.fixture
def gateways(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[SmsGateway]]:
    """Two simulated SMS providers in failover order; callbacks are kept, not posted."""
    monkeypatch.setattr(sms_http.client, "TIMEOUT_SECONDS", 0.5)
    first = SmsGateway(token="token-a", callback_secret=SECRET, name="a", callback_sender=None)
    second = SmsGateway(token="token-b", callback_secret=SECRET, name="b", callback_sender=None)
    first.slow_seconds = second.slow_seconds = 1.5
    with first, second:
        settings.LOKET_SMS_GATEWAYS = [first.url, second.url]
        settings.LOKET_SMS_API_TOKENS = ["token-a", "token-b"]
        settings.LOKET_SMS_CALLBACK_SECRET = SECRET
        registry.reset()
        yield [first, second]
    registry.reset()


def make_resident(*, email: str = "", phone: str = "", verified: bool = True, **fields: Any) -> Any:
    fields.setdefault("address", AddressFactory())
    person = PersonFactory(**fields)
    for kind, value in ((ContactKind.EMAIL, email), (ContactKind.PHONE, phone)):
        if value:
            ContactPoint.objects.create(
                person_id=person.pk,
                kind=kind,
                value=value,
                verified_at=timezone.now() if verified else None,
            )
    return person
