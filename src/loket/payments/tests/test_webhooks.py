"""Webhooks of the payment provider that come twice, out of order, never, forged, stale,
about an unknown payment or another order, or reporting another amount: the order's
state stays right and every call is in the provider event log."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from django.test import Client

from loket.payments import services
from loket.payments.constants import OrderFlag, OrderStatus, PaymentState
from loket.payments.models import Order, Payment, ProviderEvent
from loket.payments.tests.conftest import WEBHOOK_SECRET, deliver
from loket.payments.types import OrderLineInput
from loket.simulators.payment_provider import sign

pytestmark = pytest.mark.django_db

WEBHOOK = "/betalen/webhook/local/"


def _started(psp: Any, cents: int = 2500) -> tuple[Order, Payment]:
    summary = services.order_create(
        lines=[OrderLineInput("Parkeervergunning", unit_cents=cents)],
        description="Parkeervergunning",
    )
    url = services.payment_start(order_id=summary.id, return_url="http://testserver/terug/")
    return Order.objects.get(pk=summary.id), Payment.objects.get(checkout_url=url)


def _signed(body: dict[str, Any], *, secret: str = WEBHOOK_SECRET, age: int = 0) -> Any:
    raw = json.dumps(body).encode()
    timestamp = int(time.time()) - age
    return (
        raw,
        {
            "webhook-id": body["id"],
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, body["id"], timestamp, raw),
        },
    )


def _post(client: Client, raw: bytes, headers: dict[str, str]) -> Any:
    return client.post(WEBHOOK, data=raw, content_type="application/json", headers=headers)


def _outcomes() -> list[str]:
    return list(ProviderEvent.objects.order_by("pk").values_list("outcome", flat=True))


def test_a_replayed_webhook_changes_the_state_once(
    psp: Any, municipality: Any, client: Client
) -> None:
    order, payment = _started(psp)
    psp.set_status(payment.provider_id, "paid")
    (call,) = psp.webhooks
    assert deliver(client, call).status_code == 200
    assert deliver(client, call).status_code == 200  # the same event again
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_cents == 2500
    assert _outcomes() == ["applied", "duplicate"]
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PAID


def test_webhooks_out_of_order_never_move_a_payment_back(
    psp: Any, municipality: Any, client: Client
) -> None:
    order, payment = _started(psp)
    early = psp.webhook_for(payment.provider_id)  # made while the payment was still open
    psp.set_status(payment.provider_id, "paid")
    late = psp.webhooks[-1]
    assert deliver(client, late).status_code == 200
    # The provider now even reports the payment open again (a late, stale answer).
    psp.payments[payment.provider_id]["status"] = "open"
    assert deliver(client, early).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PAID
    assert _outcomes() == ["applied", "unchanged"]


def test_a_dropped_webhook_is_made_good_by_polling(psp: Any, municipality: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    order, payment = _started(psp)
    psp.set_status(payment.provider_id, "paid")
    psp.webhooks.clear()  # lost on the way
    assert Order.objects.get(pk=order.pk).status == OrderStatus.OPEN
    services.payments_poll(now=timezone.now() + timedelta(minutes=11))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


@pytest.mark.parametrize(
    ("secret", "age", "why"),
    [
        ("whsec_" + "Zm9yZ2VkLXNlY3JldC1ieS1hbi1hdHRhY2tlcg==", 0, "forged"),
        (WEBHOOK_SECRET, 3600, "stale"),
    ],
)
def test_forged_or_stale_webhooks_are_refused(
    psp: Any,
    municipality: Any,
    client: Client,
    caplog: Any,
    secret: str,
    age: int,
    why: str,
) -> None:
    order, payment = _started(psp)
    psp.set_status(payment.provider_id, "paid", notify=False)
    body = {
        "id": f"evt_{why}",
        "data": {"payment_id": payment.provider_id, "order_reference": order.reference},
    }
    raw, headers = _signed(body, secret=secret, age=age)
    with caplog.at_level(logging.WARNING, logger="loket.payments"):
        assert _post(client, raw, headers).status_code == 400
    assert "refused" in caplog.text
    assert Order.objects.get(pk=order.pk).status == OrderStatus.OPEN
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING
    assert _outcomes() == ["rejected"]
    assert WEBHOOK_SECRET not in caplog.text


def test_unsigned_and_oversized_calls_are_refused(
    psp: Any, municipality: Any, client: Client
) -> None:
    assert client.post(WEBHOOK, data=b"{}", content_type="application/json").status_code == 400
    big = b"{" + b" " * (70 * 1024) + b"}"
    assert client.post(WEBHOOK, data=big, content_type="application/json").status_code == 413
    assert client.get(WEBHOOK).status_code == 405
    assert (
        client.post(
            "/betalen/webhook/stripe/", data=b"{}", content_type="application/json"
        ).status_code
        == 400
    )


def test_webhook_about_an_unknown_payment_is_refused(
    psp: Any, municipality: Any, client: Client, caplog: Any
) -> None:
    raw, headers = _signed({"id": "evt_unknown", "data": {"payment_id": "tr_0123456789abcdef"}})
    with caplog.at_level(logging.WARNING, logger="loket.payments"):
        assert _post(client, raw, headers).status_code == 400
    assert "unknown payment" in caplog.text
    assert _outcomes() == ["unknown_payment"]


def test_webhook_naming_another_order_is_refused(
    psp: Any, municipality: Any, client: Client
) -> None:
    mine, payment = _started(psp)
    other, _ = _started(psp)
    psp.set_status(payment.provider_id, "paid", notify=False)
    raw, headers = _signed(
        {
            "id": "evt_other",
            "data": {"payment_id": payment.provider_id, "order_reference": other.reference},
        }
    )
    assert _post(client, raw, headers).status_code == 400
    assert Order.objects.get(pk=mine.pk).status == OrderStatus.OPEN
    assert Order.objects.get(pk=other.pk).status == OrderStatus.OPEN
    assert _outcomes() == ["unknown_payment"]


def test_a_tampered_amount_is_not_marked_paid(
    psp: Any, municipality: Any, client: Client, caplog: Any
) -> None:
    order, payment = _started(psp)
    psp.payments[payment.provider_id]["amount_cents"] = 1  # paid 1 cent instead of €25
    psp.set_status(payment.provider_id, "paid")
    with caplog.at_level(logging.WARNING, logger="loket.payments"):
        assert deliver(client, psp.webhooks[-1]).status_code == 200
    assert "not applied" in caplog.text
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert order.paid_cents == 0
    assert order.flag == OrderFlag.AMOUNT_MISMATCH
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING
    assert _outcomes() == ["amount_mismatch"]


def test_provider_unreachable_answers_503_and_the_retry_still_counts(
    psp: Any, municipality: Any, client: Client
) -> None:
    order, payment = _started(psp)
    psp.set_status(payment.provider_id, "paid")
    call = psp.webhooks[-1]
    psp.mode = "down"
    assert deliver(client, call).status_code == 503
    psp.mode = "ok"
    assert deliver(client, call).status_code == 200  # the provider's retry is applied
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert _outcomes() == ["provider_unavailable", "applied"]
