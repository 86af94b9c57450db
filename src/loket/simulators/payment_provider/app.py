"""The local payment provider's HTTP server (see the package's docstring)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import socketserver
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from loket.simulators.smtp_sink.server import LOOPBACK, refuse_in_production

StartResponse = Callable[..., Any]
WebhookSender = Callable[[str, bytes, dict[str, str]], None]

MAX_BODY = 64 * 1024
_PAYMENT = re.compile(r"^/v1/payments/(tr_[0-9a-f]{16})(/cancel|/refunds)?$")
_CHECKOUT = re.compile(r"^/checkout/(tr_[0-9a-f]{16})$")
# The button on the hosted page → the status it gives the payment.
CHOICES = {"paid": "paid", "failed": "failed", "canceled": "canceled"}


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body`` with the
    base64 key after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(digest.digest()).decode()


def post_webhook(url: str, body: bytes, headers: dict[str, str]) -> None:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - loopback demo
            pass
    except Exception:  # noqa: S110 - Loket polls when a webhook is lost, as with a real one
        pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class PaymentProvider:
    """The simulated provider. ``start()`` serves it on a loopback port in a thread.

    Test switches: ``mode = "down"`` drops every connection, ``mode = "error"`` answers
    the API with 500; ``payments[id]`` may be changed to make the provider report
    something else (a tampered amount, a late status)."""

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str,
        port: int = 0,
        webhook_sender: WebhookSender | None = post_webhook,
    ) -> None:
        refuse_in_production()
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.port = port
        self.mode = "ok"
        self.webhook_sender = webhook_sender
        self.payments: dict[str, dict[str, Any]] = {}
        self.refund_keys: dict[str, dict[str, Any]] = {}
        self.webhooks: list[tuple[str, bytes, dict[str, str]]] = []  # every one sent
        self.requests = 0
        self._lock = threading.Lock()
        self._server: WSGIServer | None = None

    # --- what tests and the demo may call --------------------------------------

    def webhook_for(self, payment_id: str) -> tuple[str, bytes, dict[str, str]]:
        """A signed call that says "payment ``payment_id`` changed", as sent."""
        payment = self.payments[payment_id]
        event_id = f"evt_{uuid.uuid4().hex[:16]}"
        body = json.dumps(
            {
                "id": event_id,
                "type": "payment.updated",
                "created_at": _now(),
                "data": {
                    "payment_id": payment_id,
                    "order_reference": payment["metadata"].get("order_reference", ""),
                },
            }
        ).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self.webhook_secret, event_id, timestamp, body),
        }
        return payment["webhook_url"], body, headers

    def set_status(self, payment_id: str, status: str, *, notify: bool = True) -> None:
        """What the hosted page does when the payer chooses (also for tests)."""
        with self._lock:
            payment = self.payments[payment_id]
            if payment["status"] in {"open", "pending"}:
                payment["status"] = status
                if status == "paid":
                    payment["paid_at"] = _now()
        if notify and payment.get("webhook_url"):
            call = self.webhook_for(payment_id)
            with self._lock:
                self.webhooks.append(call)
            if self.webhook_sender is not None:
                self.webhook_sender(*call)

    # --- WSGI --------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            return _json(start_response, "413 Payload Too Large", {"error": "too large"})
        raw = environ["wsgi.input"].read(length) if length else b""
        with self._lock:
            self.requests += 1
        checkout = _CHECKOUT.match(path)
        if checkout:
            return self._checkout(checkout.group(1), method, raw, start_response)
        if path.startswith("/v1/"):
            if self.mode == "error":
                return _json(start_response, "500 Internal Server Error", {"error": "simulated"})
            if environ.get("HTTP_AUTHORIZATION", "") != f"Bearer {self.api_key}":
                return _json(start_response, "401 Unauthorized", {"error": "bad API key"})
            if method == "POST" and path == "/v1/payments":
                return self._create(raw, start_response)
            match = _PAYMENT.match(path)
            if match and match.group(1) in self.payments:
                payment_id, action = match.group(1), match.group(2)
                if method == "GET" and not action:
                    return _json(start_response, "200 OK", self._public(payment_id))
                if method == "POST" and action == "/cancel":
                    return self._cancel(payment_id, start_response)
                if method == "POST" and action == "/refunds":
                    key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
                    return self._refund(payment_id, key, raw, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    def _public(self, payment_id: str) -> dict[str, Any]:
        payment = self.payments[payment_id]
        return {
            key: payment[key]
            for key in (
                "id",
                "status",
                "amount_cents",
                "currency",
                "description",
                "checkout_url",
                "metadata",
                "created_at",
                "paid_at",
                "amount_refunded_cents",
                "refunds",
            )
        }

    def _create(self, raw: bytes, start_response: StartResponse) -> Iterable[bytes]:
        try:
            data = json.loads(raw)
            amount = int(data["amount_cents"])
            currency = str(data.get("currency", "EUR"))
            redirect_url = str(data["redirect_url"])
        except (ValueError, KeyError, TypeError):
            return _json(start_response, "400 Bad Request", {"error": "malformed payment"})
        if amount <= 0 or currency != "EUR" or not redirect_url.startswith(("http:", "https:")):
            return _json(start_response, "422 Unprocessable Entity", {"error": "invalid payment"})
        payment_id = f"tr_{uuid.uuid4().hex[:16]}"
        payment = {
            "id": payment_id,
            "status": "open",
            "amount_cents": amount,
            "currency": currency,
            "description": str(data.get("description", ""))[:140],
            "redirect_url": redirect_url,
            "webhook_url": str(data.get("webhook_url", "")),
            "metadata": dict(data.get("metadata") or {}),
            "checkout_url": f"{self.url}/checkout/{payment_id}",
            "created_at": _now(),
            "paid_at": None,
            "amount_refunded_cents": 0,
            "refunds": [],
        }
        with self._lock:
            self.payments[payment_id] = payment
        return _json(start_response, "201 Created", self._public(payment_id))

    def _cancel(self, payment_id: str, start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            payment = self.payments[payment_id]
            if payment["status"] not in {"open", "pending", "canceled"}:
                return _json(start_response, "422 Unprocessable Entity", {"error": "not open"})
            payment["status"] = "canceled"
        return _json(start_response, "200 OK", self._public(payment_id))

    def _refund(
        self, payment_id: str, key: str, raw: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        if not key:
            return _json(start_response, "400 Bad Request", {"error": "Idempotency-Key missing"})
        try:
            amount = int(json.loads(raw)["amount_cents"])
        except (ValueError, KeyError, TypeError):
            return _json(start_response, "400 Bad Request", {"error": "malformed refund"})
        with self._lock:
            known = self.refund_keys.get(key)
            if known is not None:
                return _json(start_response, "200 OK", known)
            payment = self.payments[payment_id]
            left = payment["amount_cents"] - payment["amount_refunded_cents"]
            if payment["status"] != "paid" or not 0 < amount <= left:
                return _json(
                    start_response, "422 Unprocessable Entity", {"error": "cannot refund that"}
                )
            refund = {
                "id": f"re_{uuid.uuid4().hex[:16]}",
                "status": "refunded",
                "amount_cents": amount,
                "created_at": _now(),
            }
            payment["refunds"].append(refund)
            payment["amount_refunded_cents"] += amount
            self.refund_keys[key] = refund
        return _json(start_response, "201 Created", refund)

    # --- the hosted payment page -------------------------------------------------

    def _checkout(
        self, payment_id: str, method: str, raw: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        payment = self.payments.get(payment_id)
        if payment is None:
            return _page(start_response, "404 Not Found", "Onbekende betaling", "")
        if method == "POST":
            choice = parse_qs(raw.decode("ascii", "replace")).get("choice", [""])[0]
            if choice not in CHOICES:
                return _page(start_response, "400 Bad Request", "Ongeldige keuze", "")
            self.set_status(payment_id, CHOICES[choice])
            start_response("303 See Other", [("Location", payment["redirect_url"])])
            return [b""]
        euros, cents = divmod(payment["amount_cents"], 100)
        if payment["status"] not in {"open", "pending"}:
            back = html.escape(payment["redirect_url"])
            body = (
                f"<p>Deze betaling is al afgehandeld ({html.escape(payment['status'])}).</p>"
                f'<p><a href="{back}">Terug naar de gemeente</a></p>'
            )
            return _page(start_response, "200 OK", "Betaling afgehandeld", body)
        body = (
            f"<p>{html.escape(payment['description'])}</p>"
            f'<p class="amount">Te betalen: <strong>€ {euros},{cents:02d}</strong></p>'
            '<form method="post">'
            "<fieldset><legend>Dit is een testbetaaldienst: kies de uitkomst</legend>"
            '<button type="submit" name="choice" value="paid">Betalen</button> '
            '<button type="submit" name="choice" value="failed">Mislukt</button> '
            '<button type="submit" name="choice" value="canceled">Annuleren</button>'
            "</fieldset></form>"
        )
        return _page(start_response, "200 OK", "Lokale betaaldienst", body)

    # --- serving -----------------------------------------------------------------

    def start(self) -> PaymentProvider:
        provider = self

        class Handler(WSGIRequestHandler):
            def handle(self) -> None:
                if provider.mode == "down":
                    self.connection.close()  # as if nothing were listening
                    return
                super().handle()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = make_server(
            LOOPBACK, self.port, self, server_class=_ThreadingServer, handler_class=Handler
        )
        self.port = self._server.server_port
        threading.Thread(
            target=self._server.serve_forever, name="loket-payment-provider", daemon=True
        ).start()
        return self

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> PaymentProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def _json(start_response: StartResponse, status: str, data: dict[str, Any]) -> list[bytes]:
    body = json.dumps(data).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _page(start_response: StartResponse, status: str, title: str, content: str) -> list[bytes]:
    body = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}"
        "button{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{content}</main></body></html>"
    ).encode()
    start_response(
        status,
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def path_of(url: str) -> str:
    """The path of an absolute URL (tests deliver webhooks through Django's client)."""
    return urlsplit(url).path
