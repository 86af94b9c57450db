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
