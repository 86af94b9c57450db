from __future__ import annotations

import hashlib
import logging
import os
import threading
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection


def refuse_in_production() -> None:
    if os.environ.get("LOKET_ENVIRONMENT", "").strip().lower() == "production":
        raise SystemExit("The demo simulators never run with LOKET_ENVIRONMENT=production.")


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower().endswith("@refused.invalid"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sink.store(envelope.content, envelope.rcpt_tos)
        return "250 Message accepted"


class SmtpSink:
    """``with SmtpSink(folder) as sink:`` … ``sink.port``, ``sink.message_ids()``."""

    def __init__(self, folder: Path | None = None, *, port: int = 0) -> None:
        refuse_in_production()
        self.folder = folder
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.received: list[bytes] = []  # every receipt, repeats included
        self._by_id: dict[str, bytes] = {}
        self._controller = Controller(
            _Handler(self), hostname=LOOPBACK, port=port or _free_port(), ready_timeout=10
        )
        self.port = self._controller.port

    def store(self, content: bytes, recipients: list[str]) -> None:
        parsed = message_from_bytes(content, policy=policy.compat32)
        message_id = (
            str(parsed.get("Message-ID", "")).strip() or hashlib.sha256(content).hexdigest()
        )
        with self._lock:
            self.received.append(content)
            self._by_id[message_id] = content
            if self.folder is not None:
                name = hashlib.sha256(message_id.encode()).hexdigest()[:32]
                path = self.folder / f"{name}.eml"
                temporary = path.with_suffix(".tmp")
                temporary.write_bytes(content)
                temporary.replace(path)
                with (self.folder / "received.log").open("a", encoding="utf-8") as log:
                    log.write(f"{message_id}\t{','.join(recipients)}\n")

    def message_ids(self) -> set[str]:
        with self._lock:
            return set(self._by_id)

    def messages(self) -> list[Any]:
        with self._lock:
            return [message_from_bytes(raw, policy=policy.default) for raw in self._by_id.values()]

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])
