"""The protocols every e-mail and SMS provider adapter implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from loket.notifications.types import SendOutcome


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    idempotency_key: str  # becomes the Message-ID, so a repeated send is recognisable
    language: str


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    to: str  # E.164, e.g. +32470123456
    body: str
    idempotency_key: str  # sent as the Idempotency-Key header
    reference: str  # our message id, echoed in status callbacks


class EmailProvider(Protocol):
    name: str

    def send_many(self, emails: Sequence[OutgoingEmail]) -> list[SendOutcome]:
        """Send each e-mail (over one connection where possible); one outcome each."""
        ...


class SmsProvider(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> SendOutcome: ...


class ProviderError(Exception):
    """A provider cannot be used at all (misconfigured)."""
