"""Official documents in a real browser: a persona logs in with itsme through the demo
identity provider, requests a residence certificate on "Mijn documenten" and downloads
it (the file carries a valid seal); the verification page accepts it by upload; the
paper-preferring senior's letter lands in the print batch. axe-core finds no
violations on the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from loket.demo.constants import PERSONAS
from loket.demo.services import persona_households
from loket.people.services import population_import
from loket.simulators.oidc_provider import Client, start_in_thread
from loket.simulators.tsa import TimestampAuthority

pytestmark = pytest.mark.browser

CLIENT_ID, CLIENT_SECRET = "loket-browser-documents", "loket-browser-documents-secret"


@pytest.fixture
def world(settings, transactional_db, audit_log_emptied_after, tmp_path: Path) -> Iterator[object]:
    from django.core.cache import cache

    from loket.core.models import Organisation
    from loket.documents.pki import demo_pki_create
    from loket.documents.providers import sealer_forget
    from loket.documents.services import templates_seed_defaults

    pki = demo_pki_create(tmp_path / "pki", organisation="Stad Mandelmunster")
    running = start_in_thread(
        personas=PERSONAS,
        clients=[Client(CLIENT_ID, CLIENT_SECRET, ("http://localhost:", "http://127.0.0.1:"))],
        environment="development",
    )
    tsa = TimestampAuthority(pki.tsa_cert, pki.tsa_key).start()
    settings.LOKET_OIDC_ENABLED = True
    settings.LOKET_OIDC_DIALECT = "fas"
    settings.LOKET_OIDC_ISSUER = running.issuer("fas")
    settings.LOKET_OIDC_CLIENT_ID = CLIENT_ID
    settings.LOKET_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.LOKET_OIDC_SCOPES = "openid profile egovnrn"
    settings.LOKET_DOCUMENTS_PKI_DIR = pki.folder
    settings.LOKET_SEAL_PKCS12_FILE = pki.seal
    settings.LOKET_SEAL_PKCS12_PASSWORD = ""
    settings.LOKET_SEAL_TRUST_ROOTS = pki.ca
    settings.LOKET_TSA_URL = tsa.url
    settings.MEDIA_ROOT = tmp_path / "media"
    sealer_forget()
    Organisation.objects.create(
        kind="municipality", name="Stad Mandelmunster", slug="mandelmunster", nis_code="36007",
        street="Markt 1", postcode="8770", municipality="Mandelmunster",
        email="info@mandelmunster.invalid", phone="051 00 00 00", is_primary=True,
    )  # fmt: skip
    templates_seed_defaults()
    population_import(actor=None, households=persona_households(), reason="browser test")
    cache.clear()
    yield running
    sealer_forget()
    tsa.stop()
    running.stop()


def _axe(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _log_in(page, persona_key: str) -> None:
    page.goto("/aanmelden/")
    page.check("#method-itsme")
    page.locator('form[action="/aanmelden/start/"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/fas/authorize.*"))
    page.check(f"#persona-{persona_key}")
    page.check("#method-itsme")
    page.locator('button[name="login"]').click()
    page.wait_for_url(re.compile(r".*/mijn-gegevens/$"))


def test_a_persona_requests_and_downloads_a_residence_certificate(
    page, world, screenshot_dir, tmp_path: Path
):
    from loket.documents.models import Document
    from loket.documents.verification import signature_check

    _log_in(page, "jong-gezin")
    page.goto("/mijn-documenten/")
    _axe(page)
    page.check('input[name="template"][value="residence-certificate"]')
    page.locator('form[action="/mijn-documenten/aanvragen/"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/mijn-documenten/$"))
    link = page.locator('a[href^="/mijn-documenten/"][download]').first
    with page.expect_download() as info:
        link.click()
    target = tmp_path / "certificate.pdf"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert signature_check(data).ok
    assert Document.objects.count() == 1
    page.screenshot(path=str(screenshot_dir / "my-documents.png"), full_page=True)
    _axe(page)

    page.goto("/verificatie/")
    _axe(page)
    page.set_input_files('input[name="u-file"]', str(target))
    page.locator('input[name="which"][value="upload"] ~ button[type="submit"]').click()
    page.wait_for_load_state()
    assert page.locator(".alert--success").count() == 1
    _axe(page)


@pytest.mark.django_db
def test_the_paper_senior_s_letter_lands_in_the_print_batch(settings, tmp_path: Path):
    """The demo personas' senior prefers paper: her letter is in the next print batch
    (no browser needed; kept here beside the resident's side of the same story)."""
    from loket.documents.models import PrintedLetter
    from loket.documents.services import print_batch_run
    from loket.notifications.services import notify
    from loket.people.models import Person

    settings.MEDIA_ROOT = tmp_path / "media"
    population_import(actor=None, households=persona_households(), reason="browser test")
    senior = next(p for p in PERSONAS if p.key == "senior-papier")
    person = Person.objects.get(first_name=senior.first_name, last_name=senior.last_name)
    notify(
        event="case-status-changed",
        person_id=person.pk,
        context={
            "case_reference": "2026-000001",
            "case_title": "Parkeerkaart",
            "status": "approved",
            "case_url": "http://127.0.0.1/d/1",
        },
        idempotency_key="browser-senior-letter",
    )
    batch = print_batch_run(actor=None)
    assert batch is not None
    names = list(PrintedLetter.objects.filter(batch=batch).values_list("recipient_name", flat=True))
    assert any(senior.last_name in name for name in names)
