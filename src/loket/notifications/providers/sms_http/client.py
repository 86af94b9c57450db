"""The real adapter of the SMS gateway protocol in docs/protocols/sms-gateway.md.

One persistent HTTP(S) connection per gateway. ``Idempotency-Key`` makes a repeated
send (after a crash or a lost answer) return the first message's id instead of sending
a second text.
"""

from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlsplit

from loket.notifications.providers.base import OutgoingSms
from loket.notifications.types import SendOutcome

TIMEOUT_SECONDS = 5.0


class HttpSmsGateway:
    def __init__(self, *, url: str, token: str, sender: str, callback_url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.path = parts.path.rstrip("/") + "/messages"
        self.name = f"sms:{parts.netloc}{parts.path.rstrip('/')}"[:60]
        self._token = token
        self.sender = sender
        self.callback_url = callback_url
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            cls = (
                http.client.HTTPSConnection
                if self.scheme == "https"
                else http.client.HTTPConnection
            )
            connection = cls(self.host, self.port, timeout=TIMEOUT_SECONDS)
            self._local.connection = connection
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def send(self, sms: OutgoingSms) -> SendOutcome:
        body = json.dumps(
            {
                "to": sms.to,
                "body": sms.body,
                "sender": self.sender,
                "reference": sms.reference,
                "callback_url": self.callback_url,
            }
        ).encode()
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json",
            "Idempotency-Key": sms.idempotency_key,
        }
        try:
            connection = self._connection()
            if connection.sock is None:
                connection.connect()  # failing here, nothing reached the gateway
        except (OSError, http.client.HTTPException) as error:
            self._drop()
            return SendOutcome(
                ok=False, provider=self.name, reason=f"gateway unreachable ({type(error).__name__})"
            )
        try:
            connection.request("POST", self.path, body=body, headers=headers)
            response = connection.getresponse()
            status = response.status
            raw = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self._drop()
        except TimeoutError:
            # The gateway had the request and may have accepted it: ambiguous. Only
            # this gateway may be asked again (with the same Idempotency-Key).
            self._drop()
            return SendOutcome(
                ok=False,
                provider=self.name,
                ambiguous=True,
                reason="gateway did not answer in time",
            )
        except (OSError, http.client.HTTPException) as error:
            self._drop()
            return SendOutcome(
                ok=False, provider=self.name, reason=f"gateway unreachable ({type(error).__name__})"
            )
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        if status in (200, 201) and answer.get("id"):
            return SendOutcome(ok=True, provider=self.name, provider_message_id=str(answer["id"]))
        detail = str(answer.get("error", ""))[:200]
        if status == 400 or status == 422:
            return SendOutcome(
                ok=False,
                provider=self.name,
                permanent=True,
                reason=f"gateway refused the message ({status}): {detail}",
            )
        return SendOutcome(
            ok=False, provider=self.name, reason=f"gateway answered {status} {detail}"
        )
