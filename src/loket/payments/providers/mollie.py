"""Mollie through its SDK (``mollie-api-python``).

A payment is a Mollie payment (``tr_…``) with a hosted checkout page. Mollie does not
sign its webhooks: the body is only ``id=tr_…``, so Loket never trusts it and fetches
the payment from the API (``get_payment``), with the API key. Refunds are made on the
payment (``/v2/payments/tr_…/refunds``) with an idempotency key.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.objects.payment import Payment as MolliePayment
from mollie.api.resources.refunds import PaymentRefunds

from loket.payments.constants import PaymentState, ProviderName, RefundState
from loket.payments.providers import ProviderUnavailable, WebhookRejected
from loket.payments.types import CheckoutRequest, ProviderPayment, ProviderRefund, WebhookNotice

logger = logging.getLogger(__name__)

_STATES = {
    "open": PaymentState.PENDING,
    "pending": PaymentState.PENDING,
    "authorized": PaymentState.PENDING,
    "paid": PaymentState.PAID,
    "canceled": PaymentState.CANCELLED,
    "expired": PaymentState.EXPIRED,
    "failed": PaymentState.FAILED,
}
_REFUND_STATES = {
    "queued": RefundState.PENDING,
    "pending": RefundState.PENDING,
    "processing": RefundState.PENDING,
    "refunded": RefundState.DONE,
    "failed": RefundState.FAILED,
    "canceled": RefundState.FAILED,
}
_PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{1,64}$")


def _amount(cents: int, currency: str = "EUR") -> dict[str, str]:
    return {"currency": currency, "value": f"{Decimal(cents) / 100:.2f}"}


def _cents(amount: Any) -> int:
    if not amount:
        return 0
    return int(Decimal(str(amount["value"])) * 100)


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


class MollieProvider:
    name = ProviderName.MOLLIE.value

    def __init__(self, *, api_key: str, api_url: str = "", timeout: int = 10) -> None:
        self._client = Client(api_endpoint=api_url, timeout=(3, timeout), retry=1)
        try:
            self._client.set_api_key(api_key)
        except MollieError:
            raise ProviderUnavailable(
                "Mollie is not configured: LOKET_PAYMENT_API_KEY must start with live_ or test_."
            ) from None

    def _call(self, what: str, call: Any) -> Any:
        try:
            return call()
        except MollieError as exc:
            # The SDK's message names the request, never the key.
            logger.warning("mollie: %s failed: %s", what, type(exc).__name__)
            raise ProviderUnavailable(
                "The payment provider could not be reached or refused the request; "
                "nothing was changed. Try again in a moment."
            ) from exc

    @staticmethod
    def _payment(payment: MolliePayment) -> ProviderPayment:
        status = str(payment.status or "")
        amount = payment.amount or {}
        return ProviderPayment(
            provider_id=str(payment.id),
            state=_STATES.get(status, PaymentState.PENDING),
            amount_cents=_cents(amount),
            currency=str(amount.get("currency", "EUR")),
            checkout_url=str(payment.checkout_url or ""),
            paid_at=_when(payment.paid_at),
            refunded_cents=_cents(payment.amount_refunded),
            raw_status=status,
            order_reference=str((payment.metadata or {}).get("order", "")),
        )

    def create_payment(self, request: CheckoutRequest) -> ProviderPayment:
        data = {
            "amount": _amount(request.amount_cents, request.currency),
            "description": f"{request.order_reference} {request.description}"[:255],
            "redirectUrl": request.return_url,
            "webhookUrl": request.webhook_url,
            "locale": request.locale,
            "metadata": {"order": request.order_reference, "payment": request.payment_id},
        }
        payment = self._call(
            "create payment",
            lambda: self._client.payments.create(
                data, idempotency_key=f"loket-payment-{request.payment_id}"
            ),
        )
        return self._payment(payment)

    def get_payment(self, provider_id: str) -> ProviderPayment:
        if not _PAYMENT_ID.match(provider_id):
            raise ProviderUnavailable("This is not a Mollie payment id.")
        return self._payment(
            self._call("get payment", lambda: self._client.payments.get(provider_id))
        )

    def cancel_payment(self, provider_id: str) -> ProviderPayment:
        current = self.get_payment(provider_id)
        if current.state != PaymentState.PENDING or current.raw_status != "open":
            return current  # only an open payment can be cancelled at Mollie
        return self._payment(
            self._call("cancel payment", lambda: self._client.payments.delete(provider_id))
        )

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        try:
            fields = parse_qs(body.decode("ascii"), strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            raise WebhookRejected("not a form body") from None
        ids = fields.get("id", [])
        if len(ids) != 1 or not _PAYMENT_ID.match(ids[0]):
            raise WebhookRejected("no Mollie payment id")
        # Mollie calls once per status change and gives no event id: each call is its
        # own event; the state is always fetched, never read from the call.
        return WebhookNotice(
            event_id=f"{ids[0]}:{time.time_ns()}", provider_payment_id=ids[0], kind="payment"
        )

    def refund(
        self, *, provider_id: str, amount_cents: int, reason: str, idempotency_key: str
    ) -> ProviderRefund:
        if not _PAYMENT_ID.match(provider_id):
            raise ProviderUnavailable("This is not a Mollie payment id.")
        refunds = PaymentRefunds(self._client, MolliePayment({"id": provider_id}, self._client))
        data = {"amount": _amount(amount_cents), "description": reason[:140]}
        refund = self._call("refund", lambda: refunds.create(data, idempotency_key=idempotency_key))
        status = str(refund.get("status", ""))
        return ProviderRefund(
            refund_id=str(refund.get("id", "")),
            state=_REFUND_STATES.get(status, RefundState.PENDING),
            amount_cents=_cents(refund.get("amount")),
        )


def from_settings() -> MollieProvider:
    return MollieProvider(
        api_key=settings.LOKET_PAYMENT_API_KEY, api_url=settings.LOKET_PAYMENT_API_URL
    )
