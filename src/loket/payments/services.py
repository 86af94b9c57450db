"""Writes of the payments module (orders, payments, refunds, bank transfers).

SKELETON: the signatures below are the module's contract; the bodies are being written.
Other modules call only these (and ``selectors``). ``order_paid`` is sent (on commit)
when an order becomes fully paid, with ``order=OrderSummary``; cases listens to it to
move a case on (payments sits below cases and never imports it, ADR 0017).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.dispatch import Signal

from loket.core.services import DomainError
from loket.payments.types import OrderLineInput, OrderSummary

# Sent on commit when an order is fully paid / when money went back. kwargs: order.
order_paid = Signal()
order_refunded = Signal()


class PaymentError(DomainError):
    """A payment action that is not allowed (already paid, amount too high, …)."""


def order_create(
    *,
    lines: Sequence[OrderLineInput],
    description: str,
    actor: Any = None,
    organisation_id: int | None = None,
    department_id: int | None = None,
    person_id: int | None = None,
    payer_name: str = "",
    payer_email: str = "",
    case_id: int | None = None,
    case_reference: str = "",
    service_slug: str = "",
    due_days: int | None = None,
) -> OrderSummary:
    """An open order with a reference and a structured communication; amounts from lines."""
    raise NotImplementedError


def order_cancel(*, order_id: int, actor: Any, reason: str) -> OrderSummary:
    raise NotImplementedError


def payment_start(*, order_id: int, return_url: str, locale: str = "nl_BE") -> str:
    """Start an online payment with the configured provider; returns the checkout URL."""
    raise NotImplementedError


def payment_sync(*, payment_id: int) -> OrderSummary:
    """Ask the provider for the payment's state and apply it (status polling)."""
    raise NotImplementedError


def webhook_receive(*, provider: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verify and apply a provider's webhook call; returns the logged outcome."""
    raise NotImplementedError


def payment_record_counter(*, order_id: int, actor: Any, amount_cents: int) -> OrderSummary:
    """Staff record a payment received at the counter (card terminal or cash)."""
    raise NotImplementedError


def payment_record_transfer(
    *, order_id: int, transaction_id: int, actor: Any = None
) -> OrderSummary:
    """A booked bank transfer (BankTransaction) pays the order (fully or in part)."""
    raise NotImplementedError


def refund_create(*, payment_id: int, amount_cents: int, reason: str, actor: Any) -> OrderSummary:
    """Give (part of) a paid payment back, through its provider for online payments."""
    raise NotImplementedError


def payment_link_create(*, order_id: int, actor: Any) -> str:
    """A link to pay this order without logging in (absolute URL with a secret token)."""
    raise NotImplementedError


# --- bank statements (see banking/) ---
from loket.payments.banking.services import StatementRefused as StatementRefused  # noqa: E402
from loket.payments.banking.services import TransactionError as TransactionError  # noqa: E402
from loket.payments.banking.services import statement_import as statement_import  # noqa: E402
from loket.payments.banking.services import transaction_assign as transaction_assign  # noqa: E402
from loket.payments.banking.services import transaction_ignore as transaction_ignore  # noqa: E402
from loket.payments.banking.types import StatementResult as StatementResult  # noqa: E402

# --- end of bank statements ---
