"""Adapter for the local payment provider (``loket.simulators.payment_provider``), the
demo's and the tests' provider. It speaks that provider's JSON API over HTTP with
``requests`` and checks its Standard Webhooks signatures; it is refused in production
(the settings refuse ``LOKET_PAYMENT_PROVIDER=local`` there too)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from loket.payments.constants import PaymentState, ProviderName, RefundState
from loket.payments.providers import ProviderUnavailable, WebhookRejected
from loket.payments.types import CheckoutRequest, ProviderPayment, ProviderRefund, WebhookNotice
from loket.webhooks.services import signature_verify

logger = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)  # connect, read (seconds)
WEBHOOK_TOLERANCE = 300  # seconds a signed call stays valid
STATES = {
    "open": PaymentState.PENDING,
    "pending": PaymentState.PENDING,
    "authorized": PaymentState.PENDING,
    "paid": PaymentState.PAID,
    "failed": PaymentState.FAILED,
    "canceled": PaymentState.CANCELLED,
    "expired": PaymentState.EXPIRED,
}


def _unavailable() -> ProviderUnavailable:
    return ProviderUnavailable(
        _(
            "The payment service cannot be reached right now. Nothing was charged. "
            "Try again in a few minutes, or pay by bank transfer."
        )
    )


class LocalProvider:
    name = ProviderName.LOCAL.value

    def __init__(self, *, base_url: str, api_key: str, webhook_secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.session = requests.Session()

    def _call(
        self, method: str, path: str, *, data: dict[str, Any] | None = None, key: str = ""
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        try:
            response = self.session.request(
                method, f"{self.base_url}{path}", json=data, headers=headers, timeout=TIMEOUT
            )
        except requests.RequestException as error:
            logger.warning("local payment provider: %s %s failed: %s", method, path, type(error))
            raise _unavailable() from error
        if response.status_code >= 500 or response.status_code in {401, 403, 404}:
            logger.warning(
                "local payment provider: %s %s answered %s", method, path, response.status_code
            )
            raise _unavailable()
        try:
            body: dict[str, Any] = response.json()
        except ValueError as error:
            raise _unavailable() from error
        if response.status_code >= 400:
            logger.warning(
                "local payment provider refused %s %s: %s", method, path, body.get("error")
            )
            raise ProviderUnavailable(_("The payment service refused this. Nothing was changed."))
        return body

    @staticmethod
    def _payment(data: Mapping[str, Any]) -> ProviderPayment:
        raw = str(data.get("status", ""))
        paid_at = data.get("paid_at")
        return ProviderPayment(
            provider_id=str(data["id"]),
            state=STATES.get(raw, PaymentState.PENDING),
            amount_cents=int(data.get("amount_cents", 0)),
            currency=str(data.get("currency", "EUR")),
            checkout_url=str(data.get("checkout_url", "")),
            paid_at=datetime.fromisoformat(paid_at) if paid_at else None,
            refunded_cents=int(data.get("amount_refunded_cents", 0)),
            raw_status=raw,
            order_reference=str((data.get("metadata") or {}).get("order_reference", "")),
        )

    def create_payment(self, request: CheckoutRequest) -> ProviderPayment:
        data = self._call(
            "POST",
            "/v1/payments",
            data={
                "amount_cents": request.amount_cents,
                "currency": request.currency,
                "description": request.description,
                "redirect_url": request.return_url,
                "webhook_url": request.webhook_url,
                "locale": request.locale,
                "metadata": {
                    "order_reference": request.order_reference,
                    "payment_id": request.payment_id,
                },
            },
        )
        return self._payment(data)

    def get_payment(self, provider_id: str) -> ProviderPayment:
        return self._payment(self._call("GET", f"/v1/payments/{provider_id}"))

    def cancel_payment(self, provider_id: str) -> ProviderPayment:
        return self._payment(self._call("POST", f"/v1/payments/{provider_id}/cancel"))

    def refund(
        self, *, provider_id: str, amount_cents: int, reason: str, idempotency_key: str
    ) -> ProviderRefund:
        data = self._call(
            "POST",
            f"/v1/payments/{provider_id}/refunds",
            data={"amount_cents": amount_cents, "description": reason[:140]},
            key=idempotency_key,
        )
        state = {"refunded": RefundState.DONE, "failed": RefundState.FAILED}.get(
            str(data.get("status")), RefundState.PENDING
        )
        return ProviderRefund(
            refund_id=str(data.get("id", "")),
            state=state,
            amount_cents=int(data.get("amount_cents", amount_cents)),
        )

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        lowered = {key.lower(): value for key, value in headers.items()}
        if not self.webhook_secret or not signature_verify(
            secret=self.webhook_secret,
            headers=lowered,
            body=body,
            tolerance=WEBHOOK_TOLERANCE,
        ):
            raise WebhookRejected("bad or stale signature")
        try:
            data = json.loads(body)
            event_id = str(data["id"])
            payment_id = str(data["data"]["payment_id"])
            order_reference = str(data["data"].get("order_reference", ""))
        except (ValueError, KeyError, TypeError) as error:
            raise WebhookRejected("malformed body") from error
        if event_id != lowered.get("webhook-id"):
            raise WebhookRejected("the event id differs from the signed one")
        return WebhookNotice(
            event_id=event_id,
            provider_payment_id=payment_id,
            kind=str(data.get("type", "")),
            order_reference=order_reference,
        )


def default_url() -> str:
    configured = str(settings.LOKET_PAYMENT_LOCAL_URL or "")
    if configured:
        return configured
    port = int(getattr(settings, "PORT", 8000) or 8000)
    return f"http://127.0.0.1:{port + 5}"


def from_settings() -> LocalProvider:
    if getattr(settings, "PRODUCTION", False):
        raise ProviderUnavailable("The local payment provider never runs in production.")
    return LocalProvider(
        base_url=default_url(),
        api_key=settings.LOKET_PAYMENT_API_KEY,
        webhook_secret=settings.LOKET_PAYMENT_WEBHOOK_SECRET,
    )
