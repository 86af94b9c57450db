"""The timestamp authority's HTTP server (see the package's docstring)."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import keys, pem, tsp, x509

LOOPBACK = "127.0.0.1"
MAX_QUERY_BYTES = 16 * 1024


def refuse_in_production() -> None:
    if os.environ.get("LOKET_ENVIRONMENT", "").strip().lower() == "production":
        raise SystemExit("The demo simulators never run with LOKET_ENVIRONMENT=production.")


def _load_certs(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


def _load_key(path: Path) -> keys.PrivateKeyInfo:
    data = path.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return keys.PrivateKeyInfo.load(data)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: one line per document would drown the demo's output

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get_content_type() != "application/timestamp-query":
            self._answer(415, b"expected application/timestamp-query", "text/plain")
            return
        if not 0 < length <= MAX_QUERY_BYTES:
            self._answer(400, b"bad length", "text/plain")
            return
        try:
            query = tsp.TimeStampReq.load(self.rfile.read(length))
            reply = self.server.stamper.request_tsa_response(query)
            body = reply.dump()
        except Exception:  # a malformed query
            self._answer(400, b"malformed timestamp query", "text/plain")
            return
        self.server.issued += 1
        self._answer(200, body, "application/timestamp-reply")

    def do_GET(self) -> None:
        self._answer(200, b"Loket demo timestamp authority (RFC 3161, POST only)\n", "text/plain")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stamper: Any
    issued: int = 0


class TimestampAuthority:
    """An RFC 3161 TSA over HTTP on loopback (port 0: a free one)."""

    def __init__(self, cert_file: Path, key_file: Path, *, port: int = 0) -> None:
        refuse_in_production()
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        certs = _load_certs(Path(cert_file))
        store = SimpleCertificateStore()
        store.register_multiple(certs[1:])
        self.server = _Server((LOOPBACK, port), _Handler)
        self.server.stamper = DummyTimeStamper(
            tsa_cert=certs[0], tsa_key=_load_key(Path(key_file)), certs_to_embed=store
        )
        self.port = int(self.server.server_address[1])
        self.url = f"http://{LOOPBACK}:{self.port}/tsa"
        self._thread: threading.Thread | None = None

    @property
    def issued(self) -> int:
        return self.server.issued

    def start(self) -> TimestampAuthority:
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="loket-demo-tsa", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> TimestampAuthority:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
