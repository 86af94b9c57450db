"""What a statement import reports back (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StatementResult:
    """One imported statement: how many booked lines went where."""

    statement_id: int  # BankStatement.pk
    statement_number: str
    account_iban: str
    lines: int
    matched: int  # paid an open order in full
    partial: int  # paid part of an open order; the order stays open
    unmatched: int  # incoming money staff must assign or ignore
    outgoing: int  # money that left the account
    received_cents: int
    matched_cents: int
