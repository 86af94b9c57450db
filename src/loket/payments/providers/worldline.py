"""Worldline Direct through its SDK (``onlinepayments-sdk-python3``): Hosted Checkout.

A payment is a hosted checkout (its id is the provider id); once the resident paid, the
checkout holds the created payment, which is what refunds and cancels act on. Webhooks
carry ``X-GCS-Signature`` (HMAC-SHA256 of the body, base64) and ``X-GCS-KeyId``; the
SDK's ``WebhooksHelper`` checks them against the webhook key
(``LOKET_PAYMENT_PROVIDER_WEBHOOK_SECRET`` as ``keyId:secret``). Even a verified
webhook is only a hint: the state is read back from the API.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from onlinepayments.sdk.api_exception import ApiException
from onlinepayments.sdk.call_context import CallContext
from onlinepayments.sdk.communication.communication_exception import CommunicationException
from onlinepayments.sdk.communication.request_header import RequestHeader
from onlinepayments.sdk.communicator_configuration import CommunicatorConfiguration
from onlinepayments.sdk.domain.cancel_payment_request import CancelPaymentRequest
from onlinepayments.sdk.domain.create_hosted_checkout_request import (
    CreateHostedCheckoutRequest,
)
from onlinepayments.sdk.domain.refund_request import RefundRequest
from onlinepayments.sdk.factory import Factory
from onlinepayments.sdk.json.default_marshaller import DefaultMarshaller
from onlinepayments.sdk.json.marshaller_syntax_exception import MarshallerSyntaxException
from onlinepayments.sdk.webhooks.api_version_mismatch_exception import (
    ApiVersionMismatchException,
)
from onlinepayments.sdk.webhooks.secret_key_not_available_exception import (
    SecretKeyNotAvailableException,
)
from onlinepayments.sdk.webhooks.secret_key_store import SecretKeyStore
from onlinepayments.sdk.webhooks.signature_validation_exception import (
    SignatureValidationException,
)
from onlinepayments.sdk.webhooks.webhooks_helper import WebhooksHelper

from loket.payments.constants import PaymentState, ProviderName, RefundState
from loket.payments.providers import ProviderUnavailable, WebhookRejected
from loket.payments.types import CheckoutRequest, ProviderPayment, ProviderRefund, WebhookNotice

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://payment.direct.worldline-solutions.com"

_PAYMENT_STATES = {
    "CAPTURED": PaymentState.PAID,
    "REFUNDED": PaymentState.PAID,  # paid, then (partly) given back
    "REJECTED": PaymentState.FAILED,
    "REJECTED_CAPTURE": PaymentState.FAILED,
    "CANCELLED": PaymentState.CANCELLED,
}
_CHECKOUT_STATES = {
    "CANCELLED_BY_CONSUMER": PaymentState.CANCELLED,
    "CLIENT_NOT_ELIGIBLE_FOR_SELECTED_PAYMENT_PRODUCT": PaymentState.FAILED,
}
_REFUND_STATES = {
    "REFUND_REQUESTED": RefundState.PENDING,
    "PENDING_APPROVAL": RefundState.PENDING,
    "REFUNDED": RefundState.DONE,
    "CAPTURED": RefundState.DONE,
    "REJECTED": RefundState.FAILED,
    "CANCELLED": RefundState.FAILED,
}


def _order_reference(output: Any) -> str:
    """The order's reference from the merchant reference Loket sent
    (``<order reference>-<payment id>``); empty when there is none."""
    references = output.references if output is not None else None
    merchant = str(references.merchant_reference or "") if references is not None else ""
    return merchant.rsplit("-", 1)[0] if "-" in merchant else ""


class _OneKey(SecretKeyStore):
    """The webhook key of this installation (the SDK's own store is a global)."""

    def __init__(self, key_id: str, secret: str) -> None:
        self._key_id = key_id
        self._secret = secret

    def get_secret_key(self, key_id: str) -> str:
        if not self._secret or key_id != self._key_id:
            raise SecretKeyNotAvailableException(key_id, "unknown webhook key")
        return self._secret


class WorldlineProvider:
    name = ProviderName.WORLDLINE.value

    def __init__(
        self,
        *,
        api_key_id: str,
        api_secret: str,
        merchant_id: str,
        webhook_key: str = "",
        api_url: str = "",
    ) -> None:
        if not (api_key_id and api_secret and merchant_id):
            raise ProviderUnavailable(
                "Worldline is not configured: LOKET_PAYMENT_API_KEY, LOKET_PAYMENT_API_SECRET "
                "and LOKET_PAYMENT_MERCHANT_ID are needed."
            )
        self._configuration = CommunicatorConfiguration(
            api_endpoint=api_url.rstrip("/") or DEFAULT_ENDPOINT,
            api_key_id=api_key_id,
            secret_api_key=api_secret,
            authorization_type="v1HMAC",
            connect_timeout=5,
            socket_timeout=15,
            max_connections=2,
            integrator="Loket",
        )
        self._merchant_id = merchant_id
        key_id, _, secret = webhook_key.partition(":")
        self._webhooks = WebhooksHelper(DefaultMarshaller.instance(), _OneKey(key_id, secret))

    def _call(self, what: str, call: Any) -> Any:
        try:
            with Factory.create_client_from_configuration(self._configuration) as client:
                return call(client.merchant(self._merchant_id))
        except (ApiException, CommunicationException) as exc:
            logger.warning("worldline: %s failed: %s", what, type(exc).__name__)
            raise ProviderUnavailable(
                "The payment provider could not be reached or refused the request; "
                "nothing was changed. Try again in a moment."
            ) from exc

    def _checkout(self, provider_id: str) -> Any:
        if not provider_id or not provider_id.replace("-", "").isalnum():
            raise ProviderUnavailable("This is not a Worldline hosted checkout id.")
        return self._call(
            "get hosted checkout",
            lambda merchant: merchant.hosted_checkout().get_hosted_checkout(provider_id),
        )

    @staticmethod
    def _payment(provider_id: str, checkout: Any, *, checkout_url: str = "") -> ProviderPayment:
        status = str(checkout.status or "IN_PROGRESS")
        created = checkout.created_payment_output
        payment = created.payment if created is not None else None
        amount = 0
        currency = "EUR"
        state = _CHECKOUT_STATES.get(status, PaymentState.PENDING)
        raw = status
        refunded = 0
        reference = ""
        if payment is not None:
            pay_status = str(payment.status or "")
            raw = f"{status}/{pay_status}"
            state = _PAYMENT_STATES.get(pay_status, PaymentState.PENDING)
            category = str(created.payment_status_category or "")
            if category == "COMPLETED" and state == PaymentState.PENDING:
                state = PaymentState.PAID
            output = payment.payment_output
            if output is not None and output.amount_of_money is not None:
                amount = int(output.amount_of_money.amount or 0)
                currency = str(output.amount_of_money.currency_code or "EUR")
            if pay_status == "REFUNDED":
                refunded = amount
            reference = _order_reference(output)
        return ProviderPayment(
            provider_id=provider_id,
            state=state,
            amount_cents=amount,
            currency=currency,
            checkout_url=checkout_url,
            refunded_cents=refunded,
            raw_status=raw,
            order_reference=reference,
        )

    def create_payment(self, request: CheckoutRequest) -> ProviderPayment:
        body = CreateHostedCheckoutRequest().from_dictionary(
            {
                "order": {
                    "amountOfMoney": {
                        "amount": request.amount_cents,
                        "currencyCode": request.currency,
                    },
                    "references": {
                        "merchantReference": f"{request.order_reference}-{request.payment_id}",
                        "descriptor": request.description[:256],
                    },
                },
                "cardPaymentMethodSpecificInput": {"authorizationMode": "SALE"},
                "hostedCheckoutSpecificInput": {
                    "returnUrl": request.return_url,
                    "locale": request.locale,
                },
            }
        )
        context = CallContext(idempotence_key=f"loket-payment-{request.payment_id}")
        response = self._call(
            "create hosted checkout",
            lambda merchant: merchant.hosted_checkout().create_hosted_checkout(body, context),
        )
        url = str(response.redirect_url or "")
        if not url and response.partial_redirect_url:
            url = f"https://payment.{response.partial_redirect_url}"
        return ProviderPayment(
            provider_id=str(response.hosted_checkout_id),
            state=PaymentState.PENDING,
            amount_cents=request.amount_cents,
            currency=request.currency,
            checkout_url=url,
            raw_status="CREATED",
        )

    def get_payment(self, provider_id: str) -> ProviderPayment:
        return self._payment(provider_id, self._checkout(provider_id))

    def _payment_id(self, checkout: Any) -> str:
        created = checkout.created_payment_output
        if created is None or created.payment is None or not created.payment.id:
            return ""
        return str(created.payment.id)

    def cancel_payment(self, provider_id: str) -> ProviderPayment:
        checkout = self._checkout(provider_id)
        current = self._payment(provider_id, checkout)
        payment_id = self._payment_id(checkout)
        if current.state != PaymentState.PENDING or not payment_id:
            return current  # an unpaid checkout simply expires
        self._call(
            "cancel payment",
            lambda merchant: merchant.payments().cancel_payment(payment_id, CancelPaymentRequest()),
        )
        return self.get_payment(provider_id)

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        request_headers = [RequestHeader(name, value) for name, value in headers.items() if name]
        try:
            event = self._webhooks.unmarshal(body, request_headers)
        except (SignatureValidationException, SecretKeyNotAvailableException):
            raise WebhookRejected("bad signature") from None
        except (ApiVersionMismatchException, MarshallerSyntaxException, ValueError):
            raise WebhookRejected("not an event") from None
        payment = event.payment
        checkout_id = reference = ""
        if payment is not None:
            if payment.hosted_checkout_specific_output is not None:
                checkout_id = str(payment.hosted_checkout_specific_output.hosted_checkout_id or "")
            reference = _order_reference(payment.payment_output)
        return WebhookNotice(
            order_reference=reference,
            event_id=str(event.id or ""),
            provider_payment_id=checkout_id,
            kind=str(event.type or ""),
        )

    def refund(
        self, *, provider_id: str, amount_cents: int, reason: str, idempotency_key: str
    ) -> ProviderRefund:
        payment_id = self._payment_id(self._checkout(provider_id))
        if not payment_id:
            raise ProviderUnavailable("This Worldline payment was never paid; nothing to refund.")
        body = RefundRequest().from_dictionary(
            {"amountOfMoney": {"amount": amount_cents, "currencyCode": "EUR"}}
        )
        context = CallContext(idempotence_key=idempotency_key)
        response = self._call(
            "refund",
            lambda merchant: merchant.payments().refund_payment(payment_id, body, context),
        )
        amount = 0
        output = response.refund_output
        if output is not None and output.amount_of_money is not None:
            amount = int(output.amount_of_money.amount or 0)
        return ProviderRefund(
            refund_id=str(response.id or ""),
            state=_REFUND_STATES.get(str(response.status or ""), RefundState.PENDING),
            amount_cents=amount,
        )


def from_settings() -> WorldlineProvider:
    return WorldlineProvider(
        api_key_id=settings.LOKET_PAYMENT_API_KEY,
        api_secret=settings.LOKET_PAYMENT_API_SECRET,
        merchant_id=settings.LOKET_PAYMENT_MERCHANT_ID,
        webhook_key=settings.LOKET_PAYMENT_PROVIDER_WEBHOOK_SECRET,
        api_url=settings.LOKET_PAYMENT_API_URL,
    )
