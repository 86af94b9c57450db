"""The seal at a remote signing service (CSC API v2), against the local simulator that
holds the demo seal key: a remotely sealed certificate is authentic on /verificatie/;
the service down, wrong client credentials or a wrong PIN leave nothing issued and say
why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.documents import selectors, services
from loket.documents.constants import TEMPLATE_RESIDENCE
from loket.documents.models import Document
from loket.documents.pki import DEMO_PKCS12_PASSWORD, DemoPki
from loket.documents.providers import SealUnavailable, sealer_forget, sealer_get
from loket.documents.tests.conftest import resident
from loket.documents.verification import signature_check
from loket.simulators.csc import SigningService

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-tests"


@pytest.fixture(scope="module")
def csc(demo_pki: DemoPki) -> Iterator[SigningService]:
    with SigningService(
        demo_pki.seal,
        DEMO_PKCS12_PASSWORD,
        client_id="loket-test",
        client_secret=SECRET,
        credential_id="seal-1",
        pin="1234",
    ) as service:
        yield service


@pytest.fixture
def remote(sealing: Any, settings: Any, csc: SigningService) -> SigningService:
    settings.LOKET_SEAL_PROVIDER = "remote"
    settings.LOKET_SEAL_REMOTE_URL = csc.url
    settings.LOKET_SEAL_REMOTE_CLIENT_ID = "loket-test"
    settings.LOKET_SEAL_REMOTE_CLIENT_SECRET = SECRET
    settings.LOKET_SEAL_REMOTE_CREDENTIAL_ID = ""  # the only one the service lists
    settings.LOKET_SEAL_REMOTE_PIN = "1234"
    settings.LOKET_SEAL_REMOTE_TIMEOUT = 5
    sealer_forget()
    return csc


def test_a_remotely_sealed_certificate_is_authentic_on_the_verification_page(
    client: Client, remote: SigningService, municipality: Any
):
    signed_before = remote.signed
    person = resident()
    summary = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
    )
    data = selectors.document_read(Document.objects.get(pk=summary.id))

    assert remote.signed == signed_before + 1  # the hash went to the service
    check = signature_check(data)
    assert check.ok
    assert check.timestamp_ok
    assert "Stad Mandelmunster" in check.signer
    page = client.post(
        "/verificatie/",
        {"which": "upload", "u-file": SimpleUploadedFile("doc.pdf", data, "application/pdf")},
    )
    assert page.status_code == 200
    assert b"Authentic" in page.content
    assert b"Not authentic" not in page.content


def test_the_token_and_chain_are_kept_and_a_revoked_token_is_renewed(
    remote: SigningService, municipality: Any
):
    sealer = sealer_get()
    assert sealer_get() is sealer
    remote.revoke_tokens()  # e.g. the service restarted: the kept token is unknown now
    services.document_issue(actor=None, template_key=TEMPLATE_RESIDENCE, person_id=resident().pk)
    assert Document.objects.count() == 1


def test_the_service_down_leaves_nothing_issued(
    remote: SigningService, municipality: Any, settings: Any
):
    settings.LOKET_SEAL_REMOTE_URL = "http://127.0.0.1:9"  # nothing listens there
    sealer_forget()
    with pytest.raises(SealUnavailable, match="cannot be reached"):
        services.document_issue(
            actor=None, template_key=TEMPLATE_RESIDENCE, person_id=resident().pk
        )
    assert not Document.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_the_service_going_down_after_start_leaves_nothing_issued(
    sealing: Any, settings: Any, demo_pki: DemoPki, municipality: Any
):
    service = SigningService(
        demo_pki.seal, DEMO_PKCS12_PASSWORD, client_id="loket-test", client_secret=SECRET
    ).start()
    settings.LOKET_SEAL_PROVIDER = "remote"
    settings.LOKET_SEAL_REMOTE_URL = service.url
    settings.LOKET_SEAL_REMOTE_CLIENT_ID = "loket-test"
    settings.LOKET_SEAL_REMOTE_CLIENT_SECRET = SECRET
    sealer_forget()
    sealer_get()  # token and certificate fetched
    service.stop()
    with pytest.raises(SealUnavailable, match="cannot be reached"):
        services.document_issue(
            actor=None, template_key=TEMPLATE_RESIDENCE, person_id=resident().pk
        )
    assert not Document.objects.exists()


def test_wrong_client_credentials_say_so(remote: SigningService, settings: Any):
    settings.LOKET_SEAL_REMOTE_CLIENT_SECRET = "wrong"
    sealer_forget()
    with pytest.raises(SealUnavailable, match="client credentials") as error:
        sealer_get()
    assert "wrong" not in str(error.value)  # the secret is never repeated


def test_a_wrong_pin_leaves_nothing_issued(
    remote: SigningService, settings: Any, municipality: Any
):
    settings.LOKET_SEAL_REMOTE_PIN = "0000"
    sealer_forget()
    with pytest.raises(SealUnavailable, match="PIN is wrong"):
        services.document_issue(
            actor=None, template_key=TEMPLATE_RESIDENCE, person_id=resident().pk
        )
    assert not Document.objects.exists()


def test_an_unknown_credential_says_so(remote: SigningService, settings: Any):
    settings.LOKET_SEAL_REMOTE_CREDENTIAL_ID = "someone-else"
    sealer_forget()
    with pytest.raises(SealUnavailable, match="credentials/info"):
        sealer_get()


def test_the_simulator_refuses_production(demo_pki: DemoPki, monkeypatch: Any):
    monkeypatch.setenv("LOKET_ENVIRONMENT", "production")
    with pytest.raises(SystemExit):
        SigningService(demo_pki.seal, DEMO_PKCS12_PASSWORD, client_id="x", client_secret="y")


class _InfoNaming:
    """A CSC ``info`` answer that names an OAuth2 server of its choosing, and a second
    server recording what is posted to it (where a client secret must never go)."""

    def __init__(self, oauth2: str = "") -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.stolen: list[str] = []
        outer = self

        class Other(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.stolen.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": "nope"}')

            def log_message(self, *args: Any) -> None:
                pass

        class Info(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"oauth2": outer.oauth2}).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.other = ThreadingHTTPServer(("127.0.0.1", 0), Other)
        self.info = ThreadingHTTPServer(("127.0.0.1", 0), Info)
        self.other_url = f"http://127.0.0.1:{self.other.server_address[1]}"  # another port
        self.url = f"http://127.0.0.1:{self.info.server_address[1]}"
        self.oauth2 = oauth2 or self.other_url
        for server in (self.other, self.info):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in (self.other, self.info):
            server.shutdown()
            server.server_close()


@pytest.fixture
def info_naming() -> Iterator[_InfoNaming]:
    service = _InfoNaming()
    yield service
    service.close()


def test_the_client_secret_never_goes_to_a_token_server_on_another_host(
    info_naming: _InfoNaming,
):
    from loket.documents.providers.remote import RemoteSealer

    with pytest.raises(SealUnavailable, match="LOKET_SEAL_REMOTE_TOKEN_URL"):
        RemoteSealer(url=info_naming.url, client_id="loket", client_secret=SECRET)
    assert info_naming.stolen == []


@pytest.mark.parametrize(
    "oauth2",
    ["http://sign.example.test", "https://sign.example.test", "ftp://127.0.0.1"],
)
def test_a_token_server_must_be_https_on_the_same_host(oauth2: str):
    from loket.documents.providers.remote import token_url_allowed

    base = "https://sign.example.test/api"
    assert token_url_allowed(f"{oauth2}/oauth2/token", base=base) == oauth2.startswith("https://")
    assert not token_url_allowed("https://other.example.test/oauth2/token", base=base)
    assert not token_url_allowed("https://sign.example.test.evil.test/oauth2/token", base=base)
    assert not token_url_allowed("https://sign.example.test:8443/oauth2/token", base=base)
    assert token_url_allowed("https://SIGN.example.test:443/auth/oauth2/token", base=base)


def test_plain_http_to_loopback_only_outside_production(settings: Any):
    from loket.documents.providers.remote import token_url_allowed

    base = "http://127.0.0.1:9000"
    assert token_url_allowed("http://127.0.0.1:9000/oauth2/token", base=base)
    settings.PRODUCTION = True
    assert not token_url_allowed("http://127.0.0.1:9000/oauth2/token", base=base)


def test_a_token_server_elsewhere_is_used_when_the_setting_names_it(
    info_naming: _InfoNaming, settings: Any
):
    from loket.documents.providers.remote import RemoteSealer

    token_url = f"{info_naming.other_url}/oauth2/token"
    with pytest.raises(SealUnavailable, match="refused oauth2/token"):
        RemoteSealer(
            url=info_naming.url, client_id="loket", client_secret=SECRET, token_url=token_url
        )
    assert len(info_naming.stolen) == 1  # the configured server was asked
    assert SECRET in info_naming.stolen[0]
