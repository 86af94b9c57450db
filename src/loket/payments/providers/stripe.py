"""Stripe through its SDK (``stripe``): Checkout Sessions.

A payment is a Checkout Session (``cs_…``) in ``payment`` mode; its hosted page takes
the card or Bancontact. Webhooks are signed (``Stripe-Signature``) and verified with
``stripe.Webhook.construct_event`` and the endpoint's signing secret; even then Loket
reads the session from the API before it changes anything. Refunds go to the session's
PaymentIntent with an idempotency key. ``LOKET_PAYMENT_API_URL`` overrides the API
address (the tests point it at a loopback stand-in).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import stripe
from django.conf import settings

from loket.payments.constants import PaymentState, ProviderName, RefundState
from loket.payments.providers import ProviderUnavailable, WebhookRejected
from loket.payments.types import CheckoutRequest, ProviderPayment, ProviderRefund, WebhookNotice

logger = logging.getLogger(__name__)

_REFUND_STATES = {
    "pending": RefundState.PENDING,
    "requires_action": RefundState.PENDING,
    "succeeded": RefundState.DONE,
    "failed": RefundState.FAILED,
    "canceled": RefundState.FAILED,
}
_SESSION_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)


def _field(obj: Any, name: str) -> Any:
    """A field of a Stripe object or of a plain dict (expanded or not)."""
    if obj is None or isinstance(obj, str):
        return None
    try:
        return obj[name]
    except (KeyError, TypeError):
        return getattr(obj, name, None)


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def _state(session: Any) -> tuple[str, str]:
    status = str(_field(session, "status") or "")
    payment_status = str(_field(session, "payment_status") or "")
    intent = _field(session, "payment_intent")
    intent_status = str(_field(intent, "status") or "")
    raw = f"{status}/{payment_status}" + (f"/{intent_status}" if intent_status else "")
    if payment_status in {"paid", "no_payment_required"}:
        return PaymentState.PAID, raw
    if status == "expired":
        return PaymentState.EXPIRED, raw
    if intent_status == "canceled":
        return PaymentState.CANCELLED, raw
    if status == "complete" and intent_status == "requires_payment_method":
        return PaymentState.FAILED, raw  # an asynchronous payment that failed
    return PaymentState.PENDING, raw


class StripeProvider:
    name = ProviderName.STRIPE.value

    def __init__(self, *, api_key: str, webhook_secret: str, api_url: str = "") -> None:
        if not api_key:
            raise ProviderUnavailable("Stripe is not configured: LOKET_PAYMENT_API_KEY is empty.")
        base: dict[str, str | None] = {"api": api_url.rstrip("/")} if api_url else {}
        self._client = stripe.StripeClient(
            api_key,
            base_addresses=base,  # type: ignore[arg-type]
            max_network_retries=1,
        )
        self._webhook_secret = webhook_secret

    def _call(self, what: str, call: Any) -> Any:
        try:
            return call()
        except stripe.StripeError as exc:
            logger.warning("stripe: %s failed: %s", what, type(exc).__name__)
            raise ProviderUnavailable(
                "The payment provider could not be reached or refused the request; "
                "nothing was changed. Try again in a moment."
            ) from exc

    def _session(self, provider_id: str) -> Any:
        if not provider_id.startswith("cs_"):
            raise ProviderUnavailable("This is not a Stripe Checkout Session id.")
        return self._call(
            "get session",
            lambda: self._client.v1.checkout.sessions.retrieve(
                provider_id, params={"expand": ["payment_intent.latest_charge"]}
            ),
        )

    @staticmethod
    def _payment(session: Any) -> ProviderPayment:
        state, raw = _state(session)
        charge = _field(_field(session, "payment_intent"), "latest_charge")
        return ProviderPayment(
            provider_id=str(_field(session, "id")),
            state=state,
            amount_cents=int(_field(session, "amount_total") or 0),
            currency=str(_field(session, "currency") or "eur").upper(),
            checkout_url=str(_field(session, "url") or ""),
            refunded_cents=int(_field(charge, "amount_refunded") or 0),
            raw_status=raw,
            order_reference=str(_field(session, "client_reference_id") or ""),
        )

    def create_payment(self, request: CheckoutRequest) -> ProviderPayment:
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_cents,
                        "product_data": {"name": request.description[:250]},
                    },
                }
            ],
            "success_url": request.return_url,
            "cancel_url": request.return_url,
            "client_reference_id": request.order_reference,
            "metadata": {"order": request.order_reference, "payment": str(request.payment_id)},
            "locale": request.locale.split("_")[0] or "auto",
        }
        session = self._call(
            "create session",
            lambda: self._client.v1.checkout.sessions.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": f"loket-payment-{request.payment_id}"},
            ),
        )
        return self._payment(session)

    def get_payment(self, provider_id: str) -> ProviderPayment:
        return self._payment(self._session(provider_id))

    def cancel_payment(self, provider_id: str) -> ProviderPayment:
        session = self._session(provider_id)
        if _field(session, "status") != "open":
            return self._payment(session)
        self._call("expire session", lambda: self._client.v1.checkout.sessions.expire(provider_id))
        return self.get_payment(provider_id)

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        if not self._webhook_secret:
            raise WebhookRejected("no signing secret configured")
        signature = _header(headers, "Stripe-Signature")
        try:
            event = stripe.Webhook.construct_event(body, signature, self._webhook_secret)
        except stripe.SignatureVerificationError:
            raise WebhookRejected("bad signature") from None
        except (ValueError, json.JSONDecodeError):
            raise WebhookRejected("not an event") from None
        kind = str(_field(event, "type") or "")
        obj = _field(_field(event, "data"), "object")
        payment_id = reference = ""
        if kind in _SESSION_EVENTS:
            payment_id = str(_field(obj, "id") or "")
            reference = str(_field(obj, "client_reference_id") or "")
        return WebhookNotice(
            event_id=str(_field(event, "id") or ""),
            provider_payment_id=payment_id,
            kind=kind,
            order_reference=reference,
        )

    def refund(
        self, *, provider_id: str, amount_cents: int, reason: str, idempotency_key: str
    ) -> ProviderRefund:
        session = self._session(provider_id)
        intent = _field(session, "payment_intent")
        intent_id = intent if isinstance(intent, str) else _field(intent, "id")
        if not intent_id:
            raise ProviderUnavailable("This Stripe payment was never paid; nothing to refund.")
        refund = self._call(
            "refund",
            lambda: self._client.v1.refunds.create(
                params={
                    "payment_intent": str(intent_id),
                    "amount": amount_cents,
                    "reason": "requested_by_customer",
                    "metadata": {"reason": reason[:500]},
                },
                options={"idempotency_key": idempotency_key},
            ),
        )
        return ProviderRefund(
            refund_id=str(_field(refund, "id") or ""),
            state=_REFUND_STATES.get(str(_field(refund, "status") or ""), RefundState.PENDING),
            amount_cents=int(_field(refund, "amount") or 0),
        )


def from_settings() -> StripeProvider:
    return StripeProvider(
        api_key=settings.LOKET_PAYMENT_API_KEY,
        webhook_secret=settings.LOKET_PAYMENT_PROVIDER_WEBHOOK_SECRET,
        api_url=settings.LOKET_PAYMENT_API_URL,
    )
