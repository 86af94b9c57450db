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
