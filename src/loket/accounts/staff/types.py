"""Frozen data of the staff login."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PasskeyInfo:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class FactorSummary:
    """What a staff member has set up, for the login and the "My security" page."""

    totp_added_at: datetime | None
    totp_last_used_at: datetime | None
    passkeys: tuple[PasskeyInfo, ...]
    recovery_codes_left: int
    last_used: str  # a Factor value: the one to offer first

    @property
    def has_totp(self) -> bool:
        return self.totp_added_at is not None

    @property
    def has_any(self) -> bool:
        return self.has_totp or bool(self.passkeys)

    @property
    def count(self) -> int:
        return int(self.has_totp) + len(self.passkeys)
