"""Data the notifications module hands to other modules (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class JargonHit:
    word: str
    alternative: str


@dataclass(frozen=True, slots=True)
class ClarityReport:
    language: str
    reading_ease: float  # Flesch-Douma for Dutch; higher is easier
    average_sentence_length: float
    words: int
    sentences: int
    jargon: tuple[JargonHit, ...]
    easy: bool


@dataclass(frozen=True, slots=True)
class NotifyResult:
    """What notify() did: the messages it made, or found made before with this key."""

    idempotency_key: str
    created: bool
    message_ids: tuple[int, ...]
    inbox_message_id: int | None


@dataclass(frozen=True, slots=True)
class LetterData:
    """A letter handed to the print batch (docs/protocols/letter-print-batch.md)."""

    id: int
    message_id: int
    language: str
    recipient_name: str
    postal_address: str
    subject: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DaySpeed:
    day: date
    sent: int
    within_10_seconds: int

    @property
    def percentage(self) -> float:
        return round(100.0 * self.within_10_seconds / self.sent, 1) if self.sent else 0.0


@dataclass(frozen=True, slots=True)
class FanOutProgress:
    id: int
    event_name: str
    selection: str
    status: str
    recipients: int
    created_at: datetime
    by_status: dict[str, int]
    reason: str = ""  # why it stopped, when preparing it failed

    @property
    def done(self) -> int:
        return sum(
            count
            for status, count in self.by_status.items()
            if status not in ("queued", "waiting", "sending")
        )

    @property
    def percentage(self) -> float:
        return round(100.0 * self.done / self.recipients, 1) if self.recipients else 0.0


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """A provider's answer to one send."""

    ok: bool
    provider: str
    provider_message_id: str = ""
    permanent: bool = False  # a failure that retrying cannot fix
    # The provider may have taken the message (it did not answer in time): retry the
    # same provider with the same key, never another one (that could send it twice).
    ambiguous: bool = False
    reason: str = ""
