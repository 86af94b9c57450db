"""The Mollie, Stripe and Worldline adapters through their real SDKs, each pointed
(``LOKET_PAYMENT_API_URL``) at a loopback stand-in that answers the few API calls the
adapter makes with the provider's documented JSON shapes: create, get, refund, and the
verification of webhooks (good and bad signatures)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from loket.payments.providers import ProviderUnavailable, WebhookRejected, provider_get
from loket.payments.types import CheckoutRequest

NOT_FOUND = {"status": 404, "title": "Not Found", "detail": "No such object."}
Route = tuple[str, str, Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]]


class StandIn:
    """A tiny HTTP server on 127.0.0.1: (method, path regex) → (status, JSON body)."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self.requests: list[dict[str, Any]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": body.decode(),
                }
                stand_in.requests.append(request)
                for method, pattern, answer in stand_in.routes:
                    if method == self.command and re.fullmatch(pattern, self.path.split("?")[0]):
                        status, payload = answer(request)
                        break
                else:
                    status, payload = 404, NOT_FOUND
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def checkout(payment_id: int = 7) -> CheckoutRequest:
    return CheckoutRequest(
        payment_id=payment_id,
        order_reference="B2026-000042",
        amount_cents=2500,
        currency="EUR",
        description="Zaalhuur De Schakel",
        return_url="https://loket.example.invalid/betalen/terug/7/",
        webhook_url="https://loket.example.invalid/betalen/webhook/",
    )


# --- Mollie ---------------------------------------------------------------------------


def _mollie_payment(status: str, refunded: str = "0.00") -> dict[str, Any]:
    return {
        "resource": "payment",
        "id": "tr_WDqYK6vllg",
        "mode": "test",
        "status": status,
        "amount": {"value": "25.00", "currency": "EUR"},
        "amountRefunded": {"value": refunded, "currency": "EUR"},
        "description": "B2026-000042 Zaalhuur De Schakel",
        "metadata": {"order": "B2026-000042", "payment": 7},
        "paidAt": "2026-11-16T10:31:00+00:00" if status == "paid" else None,
        "_links": {
            "checkout": {
                "href": "https://www.mollie.com/checkout/select-method/WDqYK6vllg",
                "type": "text/html",
            }
        },
    }


@pytest.fixture
def mollie(settings: Any) -> Iterator[StandIn]:
    routes: list[Route] = [
        ("POST", "/v2/payments", lambda r: (201, _mollie_payment("open"))),
        ("GET", "/v2/payments/tr_WDqYK6vllg", lambda r: (200, _mollie_payment("paid"))),
        (
            "POST",
            "/v2/payments/tr_WDqYK6vllg/refunds",
            lambda r: (
                201,
                {
                    "resource": "refund",
                    "id": "re_4qqhO89gsT",
                    "amount": json.loads(r["body"])["amount"],
                    "status": "pending",
                    "paymentId": "tr_WDqYK6vllg",
                },
            ),
        ),
    ]
    with StandIn(routes) as stand_in:
        settings.LOKET_PAYMENT_API_URL = stand_in.url
        settings.LOKET_PAYMENT_API_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"
        yield stand_in


def test_mollie_create_get_refund_and_webhook(mollie: StandIn):
    provider = provider_get("mollie")
    created = provider.create_payment(checkout())
    assert created.provider_id == "tr_WDqYK6vllg"
    assert created.state == "pending"
    assert created.checkout_url.startswith("https://www.mollie.com/checkout/")
    sent = json.loads(mollie.requests[0]["body"])
    assert sent["amount"] == {"currency": "EUR", "value": "25.00"}
    assert sent["webhookUrl"] == "https://loket.example.invalid/betalen/webhook/"
    assert mollie.requests[0]["headers"]["Idempotency-Key"] == "loket-payment-7"
    assert mollie.requests[0]["headers"]["Authorization"].startswith("Bearer test_")

    fetched = provider.get_payment("tr_WDqYK6vllg")
    assert (fetched.state, fetched.amount_cents) == ("paid", 2500)
    assert fetched.order_reference == "B2026-000042"
    assert fetched.paid_at is not None

    refund = provider.refund(
        provider_id="tr_WDqYK6vllg", amount_cents=500, reason="Te veel", idempotency_key="r-1"
    )
    assert (refund.refund_id, refund.state) == ("re_4qqhO89gsT", "pending")
    assert refund.amount_cents == 500
    assert mollie.requests[-1]["headers"]["Idempotency-Key"] == "r-1"

    # Mollie's webhook is unsigned: only a payment id, which Loket then fetches.
    notice = provider.parse_webhook(body=b"id=tr_WDqYK6vllg", headers={})
    assert notice.provider_payment_id == "tr_WDqYK6vllg"
    for forged in (b"id=../../v2/refunds", b"{}", b"id=tr_a&id=tr_b", b"\xff"):
        with pytest.raises(WebhookRejected):
            provider.parse_webhook(body=forged, headers={})
    with pytest.raises(ProviderUnavailable):
        provider.get_payment("tr_unknown")  # the stand-in answers 404


def test_mollie_refuses_a_key_of_the_wrong_shape(settings: Any):
    settings.LOKET_PAYMENT_API_KEY = "sk_not_mollie"
    with pytest.raises(ProviderUnavailable):
        provider_get("mollie")


# --- Stripe ---------------------------------------------------------------------------

STRIPE_SECRET = "whsec_test_secret_for_loket"


def _session(status: str, payment_status: str, intent: Any = None) -> dict[str, Any]:
    return {
        "id": "cs_test_a1B2c3",
        "object": "checkout.session",
        "status": status,
        "payment_status": payment_status,
        "amount_total": 2500,
        "currency": "eur",
        "url": "https://checkout.stripe.com/c/pay/cs_test_a1B2c3" if status == "open" else None,
        "payment_intent": intent,
        "client_reference_id": "B2026-000042",
    }


PAID_INTENT = {
    "id": "pi_3Mtw",
    "object": "payment_intent",
    "status": "succeeded",
    "latest_charge": {"id": "ch_3Mtw", "object": "charge", "amount_refunded": 0},
}


@pytest.fixture
def stripe_api(settings: Any) -> Iterator[StandIn]:
    routes: list[Route] = [
        ("POST", "/v1/checkout/sessions", lambda r: (200, _session("open", "unpaid"))),
        (
            "GET",
            "/v1/checkout/sessions/cs_test_a1B2c3",
            lambda r: (200, _session("complete", "paid", PAID_INTENT)),
        ),
        (
            "POST",
            "/v1/refunds",
            lambda r: (
                200,
                {
                    "id": "re_1Nisp",
                    "object": "refund",
                    "amount": 500,
                    "status": "succeeded",
                    "payment_intent": "pi_3Mtw",
                },
            ),
        ),
    ]
    with StandIn(routes) as stand_in:
        settings.LOKET_PAYMENT_API_URL = stand_in.url
        settings.LOKET_PAYMENT_API_KEY = "sk_test_loket"
        settings.LOKET_PAYMENT_PROVIDER_WEBHOOK_SECRET = STRIPE_SECRET
        yield stand_in


def _stripe_signature(payload: bytes, secret: str, at: int | None = None) -> str:
    at = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def test_stripe_create_get_refund_and_webhook(stripe_api: StandIn):
    provider = provider_get("stripe")
    created = provider.create_payment(checkout())
    assert (created.provider_id, created.state) == ("cs_test_a1B2c3", "pending")
    assert created.checkout_url.startswith("https://checkout.stripe.com/")
    create = stripe_api.requests[0]
    form = create["body"].replace("%5B", "[").replace("%5D", "]")
    assert "line_items[0][price_data][unit_amount]=2500" in form
    assert create["headers"]["Idempotency-Key"] == "loket-payment-7"

    fetched = provider.get_payment("cs_test_a1B2c3")
    assert (fetched.state, fetched.amount_cents, fetched.currency) == ("paid", 2500, "EUR")
    assert fetched.order_reference == "B2026-000042"

    refund = provider.refund(
        provider_id="cs_test_a1B2c3", amount_cents=500, reason="Te veel", idempotency_key="r-1"
    )
    assert (refund.refund_id, refund.state, refund.amount_cents) == ("re_1Nisp", "done", 500)
    sent = stripe_api.requests[-1]["body"]
    assert "payment_intent=pi_3Mtw" in sent
    assert "amount=500" in sent

    event = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "checkout.session.completed",
            "data": {"object": _session("complete", "paid")},
        }
    ).encode()
    notice = provider.parse_webhook(
        body=event, headers={"stripe-signature": _stripe_signature(event, STRIPE_SECRET)}
    )
    assert (notice.event_id, notice.provider_payment_id) == ("evt_1", "cs_test_a1B2c3")
    assert notice.order_reference == "B2026-000042"
    bad = [
        {"Stripe-Signature": _stripe_signature(event, "whsec_someone_else")},
        {"Stripe-Signature": _stripe_signature(event, STRIPE_SECRET, at=int(time.time()) - 3600)},
        {},
    ]
    for headers in bad:
        with pytest.raises(WebhookRejected):
            provider.parse_webhook(body=event, headers=headers)
    tampered = event.replace(b"cs_test_a1B2c3", b"cs_test_other1")
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(
            body=tampered, headers={"Stripe-Signature": _stripe_signature(event, STRIPE_SECRET)}
        )


# --- Worldline ------------------------------------------------------------------------

WL_KEY_ID, WL_SECRET = "webhook-key-1", "c2VjcmV0LWtleS1mb3ItbG9rZXQ="


@pytest.fixture
def worldline(settings: Any) -> Iterator[StandIn]:
    checkout_body = {
        "status": "PAYMENT_CREATED",
        "createdPaymentOutput": {
            "payment": {
                "id": "3066019730_0",
                "status": "CAPTURED",
                "paymentOutput": {
                    "amountOfMoney": {"amount": 2500, "currencyCode": "EUR"},
                    "references": {"merchantReference": "B2026-000042-7"},
                },
                "statusOutput": {"statusCategory": "COMPLETED", "isRefundable": True},
                "hostedCheckoutSpecificOutput": {"hostedCheckoutId": "4012345678"},
            },
            "paymentStatusCategory": "SUCCESSFUL",
        },
    }
    routes: list[Route] = [
        (
            "POST",
            "/v2/MERCH42/hostedcheckouts",
            lambda r: (
                201,
                {
                    "hostedCheckoutId": "4012345678",
                    "redirectUrl": "https://payment.preprod.direct.worldline-solutions.com/hostedcheckout/PaymentMethods/Selection/ab12",
                    "RETURNMAC": "f5b66cf9-c64c-4c8d-8171-b47205c89a56",
                    "merchantReference": "B2026-000042-7",
                },
            ),
        ),
        ("GET", "/v2/MERCH42/hostedcheckouts/4012345678", lambda r: (200, checkout_body)),
        (
            "POST",
            "/v2/MERCH42/payments/3066019730_0/refund",
            lambda r: (
                201,
                {
                    "id": "3066019730_1",
                    "status": "REFUND_REQUESTED",
                    "refundOutput": {"amountOfMoney": {"amount": 500, "currencyCode": "EUR"}},
                },
            ),
        ),
    ]
    with StandIn(routes) as stand_in:
        settings.LOKET_PAYMENT_API_URL = stand_in.url
        settings.LOKET_PAYMENT_API_KEY = "KEYID0123"
        settings.LOKET_PAYMENT_API_SECRET = "api-secret-for-tests"
        settings.LOKET_PAYMENT_MERCHANT_ID = "MERCH42"
        settings.LOKET_PAYMENT_PROVIDER_WEBHOOK_SECRET = f"{WL_KEY_ID}:{WL_SECRET}"
        yield stand_in


def test_worldline_create_get_refund_and_webhook(worldline: StandIn):
    provider = provider_get("worldline")
    created = provider.create_payment(checkout())
    assert (created.provider_id, created.state) == ("4012345678", "pending")
    assert "/hostedcheckout/" in created.checkout_url
    create = worldline.requests[0]
    sent = json.loads(create["body"])
    assert sent["order"]["amountOfMoney"] == {"amount": 2500, "currencyCode": "EUR"}
    assert create["headers"]["Authorization"].startswith("GCS v1HMAC:KEYID0123:")
    assert create["headers"]["X-GCS-Idempotence-Key"] == "loket-payment-7"

    fetched = provider.get_payment("4012345678")
    assert (fetched.state, fetched.amount_cents) == ("paid", 2500)
    assert fetched.order_reference == "B2026-000042"

    refund = provider.refund(
        provider_id="4012345678", amount_cents=500, reason="Te veel", idempotency_key="r-1"
    )
    assert (refund.refund_id, refund.state, refund.amount_cents) == ("3066019730_1", "pending", 500)
    assert worldline.requests[-1]["path"] == "/v2/MERCH42/payments/3066019730_0/refund"

    event = json.dumps(
        {
            "apiVersion": "v1",
            "id": "34b8a607-1fce-4003-b3ae-a4d29e92b232",
            "created": "2026-11-16T10:31:00.000+0100",
            "merchantId": "MERCH42",
            "type": "payment.captured",
            "payment": {
                "id": "3066019730_0",
                "status": "CAPTURED",
                "hostedCheckoutSpecificOutput": {"hostedCheckoutId": "4012345678"},
                "paymentOutput": {"references": {"merchantReference": "B2026-000042-7"}},
            },
        }
    ).encode()

    def sign(body: bytes, secret: str = WL_SECRET) -> str:
        return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()

    notice = provider.parse_webhook(
        body=event, headers={"X-GCS-Signature": sign(event), "X-GCS-KeyId": WL_KEY_ID}
    )
    assert notice.provider_payment_id == "4012345678"
    assert notice.kind == "payment.captured"
    assert notice.order_reference == "B2026-000042"
    bad = [
        {"X-GCS-Signature": sign(event, "other"), "X-GCS-KeyId": WL_KEY_ID},
        {"X-GCS-Signature": sign(event), "X-GCS-KeyId": "unknown-key"},
        {"X-GCS-KeyId": WL_KEY_ID},
    ]
    for headers in bad:
        with pytest.raises(WebhookRejected):
            provider.parse_webhook(body=event, headers=headers)


@pytest.mark.django_db
def test_stripe_through_the_payments_engine(stripe_api: StandIn, settings: Any, municipality: Any):
    """The engine with the Stripe adapter: a checkout, a signed webhook, the session read
    back from the API, the order paid; the same event again changes nothing."""
    from loket.payments import services
    from loket.payments.models import Order
    from loket.payments.tests.factories import OrderFactory

    settings.LOKET_PAYMENT_PROVIDER = "stripe"
    settings.LOKET_BASE_URL = "http://testserver"
    order = OrderFactory(reference="B2026-000042", organisation=municipality, total_cents=2500)
    url = services.payment_start(order_id=order.pk, return_url="http://testserver/terug/")
    assert url.startswith("https://checkout.stripe.com/")

    event = json.dumps(
        {
            "id": "evt_engine",
            "object": "event",
            "type": "checkout.session.completed",
            "data": {"object": _session("complete", "paid")},
        }
    ).encode()
    headers = {"Stripe-Signature": _stripe_signature(event, STRIPE_SECRET)}
    services.webhook_receive(provider="stripe", body=event, headers=headers)
    order.refresh_from_db()
    assert (order.status, order.paid_cents) == ("paid", 2500)
    assert services.webhook_receive(provider="stripe", body=event, headers=headers) == "duplicate"
    assert Order.objects.get(pk=order.pk).paid_cents == 2500


def test_cancelling_an_open_payment_at_each_provider(settings: Any):
    """Mollie: DELETE on an open payment; Stripe: expire the open session; Worldline:
    cancel the created payment. Each adapter then reports the provider's new state."""
    state = {"mollie": "open", "stripe": "open", "worldline": "PENDING_CAPTURE"}

    def mollie_delete(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        state["mollie"] = "canceled"
        return 200, _mollie_payment("canceled")

    def stripe_expire(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        state["stripe"] = "expired"
        return 200, _session("expired", "unpaid")

    def worldline_cancel(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        state["worldline"] = "CANCELLED"
        return 200, {"payment": {"id": "3066019730_0", "status": "CANCELLED"}}

    def worldline_checkout(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        payment = {"id": "3066019730_0", "status": state["worldline"]}
        return 200, {"status": "PAYMENT_CREATED", "createdPaymentOutput": {"payment": payment}}

    routes: list[Route] = [
        ("GET", "/v2/payments/tr_WDqYK6vllg", lambda r: (200, _mollie_payment(state["mollie"]))),
        ("DELETE", "/v2/payments/tr_WDqYK6vllg", mollie_delete),
        (
            "GET",
            "/v1/checkout/sessions/cs_test_a1B2c3",
            lambda r: (200, _session(state["stripe"], "unpaid")),
        ),
        ("POST", "/v1/checkout/sessions/cs_test_a1B2c3/expire", stripe_expire),
        ("GET", "/v2/MERCH42/hostedcheckouts/4012345678", worldline_checkout),
        ("POST", "/v2/MERCH42/payments/3066019730_0/cancel", worldline_cancel),
    ]
    with StandIn(routes) as stand_in:
        settings.LOKET_PAYMENT_API_URL = stand_in.url
        settings.LOKET_PAYMENT_API_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"
        assert provider_get("mollie").cancel_payment("tr_WDqYK6vllg").state == "cancelled"
        settings.LOKET_PAYMENT_API_KEY = "sk_test_loket"
        assert provider_get("stripe").cancel_payment("cs_test_a1B2c3").state == "expired"
        settings.LOKET_PAYMENT_API_KEY = "KEYID0123"
        settings.LOKET_PAYMENT_API_SECRET = "api-secret-for-tests"
        settings.LOKET_PAYMENT_MERCHANT_ID = "MERCH42"
        assert provider_get("worldline").cancel_payment("4012345678").state == "cancelled"
        assert [r["method"] for r in stand_in.requests].count("DELETE") == 1
