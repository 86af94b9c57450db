from __future__ import annotations

import hashlib
import hmac
import json
import re
import socketserver
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from loket.simulators.smtp_sink.server import LOOPBACK, refuse_in_production

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
StartResponse = Callable[..., Any]
CallbackSender = Callable[[str, bytes, dict[str, str]], None]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def post_callback(url: str, body: bytes, headers: dict[str, str]) -> None:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - loopback demo
            pass
    except Exception:  # noqa: S110 - the demo's Loket may be down; a real gateway retries
        pass


class SmsGateway:
    """One simulated provider. ``start()`` serves it on a loopback port in a thread."""

    def __init__(
        self,
        *,
        token: str,
        callback_secret: str,
        name: str = "sim",
        folder: Path | None = None,
        port: int = 0,
        callback_sender: CallbackSender | None = post_callback,
        callback_delay: float = 0.2,
    ) -> None:
        refuse_in_production()
        self.token = token
        self.callback_secret = callback_secret
        self.name = name
        self.folder = folder
        self.port = port
        self.mode = "ok"
        self.slow_seconds = 6.0
        self.callback_sender = callback_sender
        self.callback_delay = callback_delay
        self.messages: list[dict[str, Any]] = []  # every accepted text, once each
        self.requests = 0  # every POST of a message, repeats and failures included
        self.pending_callbacks: list[tuple[str, bytes, dict[str, str]]] = []
        self._by_key: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server: WSGIServer | None = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    # --- WSGI --------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        if method == "POST" and path == "/_control":
            data = json.loads(raw or b"{}")
            self.mode = str(data.get("mode", "ok"))
            return _json(start_response, "200 OK", {"mode": self.mode})
        if method == "POST" and path.endswith("/messages"):
            return self._accept(environ, raw, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    def _accept(
        self, environ: dict[str, Any], raw: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        with self._lock:
            self.requests += 1
        if self.mode == "error":
            return _json(start_response, "500 Internal Server Error", {"error": "simulated"})
        if self.mode == "timeout":
            time.sleep(self.slow_seconds)
        if environ.get("HTTP_AUTHORIZATION", "") != f"Bearer {self.token}":
            return _json(start_response, "401 Unauthorized", {"error": "bad token"})
        key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
        try:
            data = json.loads(raw)
            to, body = str(data["to"]), str(data["body"])
        except (ValueError, KeyError, TypeError):
            return _json(start_response, "400 Bad Request", {"error": "malformed message"})
        if not key:
            return _json(start_response, "400 Bad Request", {"error": "Idempotency-Key missing"})
        if not _E164.match(to):
            return _json(start_response, "400 Bad Request", {"error": "invalid number"})
        with self._lock:
            known = self._by_key.get(key)
            if known is not None:
                return _json(start_response, "200 OK", {"id": known, "status": "accepted"})
            message_id = f"{self.name}-{uuid.uuid4().hex[:16]}"
            self._by_key[key] = message_id
            record = {
                "id": message_id,
                "to": to,
                "body": body,
                "sender": str(data.get("sender", "")),
                "reference": str(data.get("reference", "")),
                "idempotency_key": key,
                "provider": self.name,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            self.messages.append(record)
            if self.folder is not None:
                with (self.folder / "messages.jsonl").open("a", encoding="utf-8") as log:
                    log.write(json.dumps(record) + "\n")
        callback_url = str(data.get("callback_url", ""))
        if callback_url:
            status = "undeliverable" if to.endswith("999") else "delivered"
            self._schedule_callback(callback_url, message_id, status)
        return _json(start_response, "201 Created", {"id": message_id, "status": "accepted"})

    def callback_for(self, message_id: str, status: str) -> tuple[bytes, dict[str, str]]:
        """A signed delivery report, as this gateway sends it."""
        body = json.dumps({"id": message_id, "status": status}).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Loket-Timestamp": timestamp,
            "X-Loket-Signature": sign(self.callback_secret, timestamp, body),
        }
        return body, headers

    def _schedule_callback(self, url: str, message_id: str, status: str) -> None:
        body, headers = self.callback_for(message_id, status)
        with self._lock:
            self.pending_callbacks.append((url, body, headers))
        sender = self.callback_sender
        if sender is None:
            return  # tests deliver pending_callbacks themselves

        def later() -> None:
            time.sleep(self.callback_delay)
            sender(url, body, headers)

        threading.Thread(target=later, daemon=True).start()

    # --- serving -----------------------------------------------------------------

    def start(self) -> SmsGateway:
        gateway = self

        class Handler(WSGIRequestHandler):
            def handle(self) -> None:
                if gateway.mode == "down":
                    self.connection.close()  # as if nothing were listening
                    return
                super().handle()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = make_server(
            LOOPBACK, self.port, self, server_class=_ThreadingServer, handler_class=Handler
        )
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/v1"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SmsGateway:
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
