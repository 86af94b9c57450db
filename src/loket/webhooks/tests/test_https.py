"""HTTPS deliveries through the checked session: the connection goes to the checked
address, while the TLS server name and the certificate check keep the host name."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from loket.webhooks import network


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for ``localhost`` (its own CA) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "receiver.crt", directory / "receiver.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _HTTPSReceiver:
    def __init__(self, cert: Path, key: Path) -> None:
        self.received: list[bytes] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.received.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://localhost:{self.server.server_address[1]}/hook"


@pytest.fixture
def https_receiver(tmp_path: Path) -> Iterator[tuple[_HTTPSReceiver, Path]]:
    cert, key = _self_signed(tmp_path)
    receiver = _HTTPSReceiver(cert, key)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, cert
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def _localhost_is(monkeypatch: pytest.MonkeyPatch, ip: str) -> None:
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "localhost":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(network.socket, "getaddrinfo", fake)


def test_https_delivery_checks_the_certificate_against_the_name(
    monkeypatch: pytest.MonkeyPatch, https_receiver: tuple[_HTTPSReceiver, Path]
) -> None:
    receiver, ca = https_receiver
    _localhost_is(monkeypatch, "127.0.0.1")  # loopback receivers are allowed in tests
    with network.checked_session() as session:
        response = session.post(
            receiver.url, data=b"{}", verify=str(ca), timeout=5, allow_redirects=False
        )
    assert response.status_code == 204
    assert receiver.received == [b"{}"]
    assert receiver.server_names == ["localhost"]  # SNI carries the name, not the IP


def test_https_delivery_still_refuses_a_name_that_resolves_privately(
    monkeypatch: pytest.MonkeyPatch, https_receiver: tuple[_HTTPSReceiver, Path]
) -> None:
    receiver, ca = https_receiver
    _localhost_is(monkeypatch, "10.0.0.7")
    with network.checked_session() as session, pytest.raises(network.AddressRefused):
        session.post(receiver.url, data=b"{}", verify=str(ca), timeout=5)
    assert receiver.received == []


@pytest.mark.parametrize(
    "address",
    [
        "::a9fe:a9fe",  # IPv4-compatible form of 169.254.169.254
        "::808:808",  # IPv4-compatible form of a public address: deprecated, refused too
        "::7f00:1",  # IPv4-compatible loopback
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 (RFC 8215)
        "64:ff9b:1::808:808",
    ],
)
def test_ipv4_compatible_and_local_nat64_addresses_are_refused(address: str) -> None:
    assert not network.address_allowed(ipaddress.ip_address(address))


def test_ipv6_loopback_and_public_addresses_keep_their_answer(settings: Any) -> None:
    assert network.address_allowed(ipaddress.ip_address("::1"))  # loopback allowed here
    assert network.address_allowed(ipaddress.ip_address("2001:4860:4860::8888"))
    assert network.address_allowed(ipaddress.ip_address("64:ff9b::808:808"))  # well-known NAT64
    settings.LOKET_WEBHOOK_ALLOW_LOOPBACK = False
    assert not network.address_allowed(ipaddress.ip_address("::1"))
