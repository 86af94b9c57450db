"""The local provider adapter against the local payment provider on loopback: the real
HTTP calls, refunds with an idempotency key, signed webhooks, and clear errors when
the provider is down or refuses."""

from __future__ import annotations

from typing import Any

import pytest

from loket.payments.constants import PaymentState, RefundState
from loket.payments.providers import ProviderUnavailable, WebhookRejected, provider_get
from loket.payments.providers.local import LocalProvider
from loket.payments.types import CheckoutRequest
from loket.simulators.payment_provider import PaymentProvider


def _request(**fields: Any) -> CheckoutRequest:
    values: dict[str, Any] = {
        "payment_id": 7,
        "order_reference": "B2026-000007",
        "amount_cents": 1250,
        "currency": "EUR",
        "description": "Parkeerkaart",
        "return_url": "http://testserver/betalen/terug/7/",
        "webhook_url": "http://testserver/betalen/webhook/local/",
    } | fields
    return CheckoutRequest(**values)


def test_create_pay_refund_and_webhook(psp: PaymentProvider) -> None:
    provider = provider_get("local")
    created = provider.create_payment(_request())
    assert created.state == PaymentState.PENDING
    assert created.checkout_url.startswith(psp.url)
    assert created.order_reference == "B2026-000007"
    psp.set_status(created.provider_id, "paid")
    got = provider.get_payment(created.provider_id)
    assert got.state == PaymentState.PAID
    assert got.amount_cents == 1250
    assert got.paid_at is not None

    once = provider.refund(
        provider_id=created.provider_id, amount_cents=250, reason="x", idempotency_key="k1"
    )
    twice = provider.refund(
        provider_id=created.provider_id, amount_cents=250, reason="x", idempotency_key="k1"
    )
    assert once == twice  # the retry of one refund is not a second refund
    assert once.state == RefundState.DONE
    assert psp.payments[created.provider_id]["amount_refunded_cents"] == 250
    with pytest.raises(ProviderUnavailable):  # more than is left
        provider.refund(
            provider_id=created.provider_id, amount_cents=1001, reason="x", idempotency_key="k2"
        )

    _, body, headers = psp.webhooks[-1]
    notice = provider.parse_webhook(body=body, headers=headers)
    assert notice.provider_payment_id == created.provider_id
    assert notice.order_reference == "B2026-000007"
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body=body.replace(b"tr_", b"tr_0"), headers=headers)


def test_cancel_an_open_payment(psp: PaymentProvider) -> None:
    provider = provider_get("local")
    created = provider.create_payment(_request())
    assert provider.cancel_payment(created.provider_id).state == PaymentState.CANCELLED


@pytest.mark.parametrize("mode", ["down", "error"])
def test_provider_trouble_is_a_clear_error(psp: PaymentProvider, mode: str) -> None:
    psp.mode = mode
    with pytest.raises(ProviderUnavailable, match="cannot be reached"):
        provider_get("local").create_payment(_request())


def test_a_wrong_api_key_is_refused(psp: PaymentProvider) -> None:
    wrong = LocalProvider(base_url=psp.url, api_key="nope", webhook_secret="whsec_eA==")
    with pytest.raises(ProviderUnavailable):
        wrong.create_payment(_request())


def test_never_in_production(psp: PaymentProvider, settings: Any, monkeypatch: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(ProviderUnavailable):
        provider_get("local")
    monkeypatch.setenv("LOKET_ENVIRONMENT", "production")
    with pytest.raises(SystemExit):
        PaymentProvider(api_key="k", webhook_secret="whsec_eA==")
