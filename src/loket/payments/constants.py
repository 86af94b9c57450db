"""Choices and fixed values of the payments module.

Amounts are integers in euro cents everywhere: never floats, never computed in the
browser.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CURRENCY = "EUR"


class OrderStatus(models.TextChoices):
    OPEN = "open", _("To be paid")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class OrderFlag(models.TextChoices):
    NONE = "", _("Nothing to check")
    OVERPAID = "overpaid", _("More was paid than owed")
    AMOUNT_MISMATCH = "amount_mismatch", _("The provider reported another amount")


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("Online (card, Bancontact, Payconiq)")
    TRANSFER = "transfer", _("Bank transfer")
    COUNTER = "counter", _("At the counter")


class PaymentState(models.TextChoices):
    """One attempt to pay an order. ``paid``, ``failed``, ``cancelled`` and ``expired``
    are final: a late or repeated webhook never moves a payment out of them."""

    PENDING = "pending", _("Waiting for the payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


FINAL_PAYMENT_STATES = frozenset(
    {PaymentState.PAID, PaymentState.FAILED, PaymentState.CANCELLED, PaymentState.EXPIRED}
)


class RefundState(models.TextChoices):
    PENDING = "pending", _("Being refunded")
    DONE = "done", _("Refunded")
    FAILED = "failed", _("Refund failed")


class StatementFormat(models.TextChoices):
    CAMT053 = "camt053", _("CAMT.053 (ISO 20022 XML)")
    CODA = "coda", _("CODA (Belgian bank format)")


class TransactionMatch(models.TextChoices):
    MATCHED = "matched", _("Matched to a payment")
    UNMATCHED = "unmatched", _("Not matched")
    IGNORED = "ignored", _("Ignored by staff")
    OUTGOING = "outgoing", _("Outgoing (not a payment to us)")


class ProviderName(models.TextChoices):
    LOCAL = "local", _("Local payment provider (demo and tests)")
    MOLLIE = "mollie", _("Mollie")
    STRIPE = "stripe", _("Stripe")
    WORLDLINE = "worldline", _("Worldline Direct")


class EventOutcome(models.TextChoices):
    """What happened to one webhook call (``ProviderEvent.outcome``)."""

    APPLIED = "applied", _("Applied")
    UNCHANGED = "unchanged", _("Nothing changed")
    DUPLICATE = "duplicate", _("Repeated call, ignored")
    REJECTED = "rejected", _("Refused (signature, timestamp or body)")
    UNKNOWN_PAYMENT = "unknown_payment", _("Unknown payment, refused")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount differs from the order, not applied")
    PROVIDER_UNAVAILABLE = "provider_unavailable", _("Provider not reachable, retried later")


# Status polling: a pending online payment with no news is asked after this many
# minutes, and given up (expired) after this many hours.
POLL_AFTER_MINUTES = 10
EXPIRE_AFTER_HOURS = 24
# Reminders for an unpaid order past its due date.
MAX_REMINDERS = 2
REMINDER_INTERVAL_DAYS = 14
# A provider's webhook body is small; anything bigger is refused unread.
WEBHOOK_MAX_BYTES = 64 * 1024
# Tokens of payment links (pay without logging in).
LINK_TOKEN_BYTES = 24
