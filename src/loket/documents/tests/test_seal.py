"""Issuing: a sealed certificate validates with pyHanko against the demo CA (timestamp
included); one changed byte makes it fail; a broken template or a failing seal leaves
nothing issued."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from loket.core.models import AuditEvent
from loket.documents import selectors, services
from loket.documents.constants import TEMPLATE_HOUSEHOLD, TEMPLATE_RESIDENCE
from loket.documents.models import Document, DocumentTemplate
from loket.documents.providers import SealUnavailable, sealer_forget, sealer_get
from loket.documents.tests.conftest import resident
from loket.documents.verification import signature_check
from loket.people.selectors import person_get
from loket.people.tests.factories import HouseholdMemberFactory

pytestmark = pytest.mark.django_db


def _pdf(document_id: int) -> bytes:
    document = Document.objects.get(pk=document_id)
    return selectors.document_read(document)


def test_a_sealed_certificate_validates_against_the_demo_ca(sealing: Any, municipality: Any):
    person = resident(first_name="Maria", last_name="Peeters")
    summary = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
    )
    data = _pdf(summary.id)

    roots = list(load_certs_from_pemder([str(sealing.ca)]))
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    status = validate_pdf_signature(
        signature,
        signer_validation_context=ValidationContext(trust_roots=roots),
        ts_validation_context=ValidationContext(trust_roots=roots),
    )
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.valid
    assert status.timestamp_validity.trusted
    assert "Stad Mandelmunster" in status.signing_cert.subject.human_friendly
    assert summary.title == "Bewijs van woonst"  # the resident's language: Dutch
    assert AuditEvent.objects.filter(
        object_type="documents.document", subject_person_id=person.pk
    ).exists()


def test_one_changed_byte_breaks_the_seal(sealing: Any, municipality: Any):
    person = resident()
    summary = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
    )
    data = bytearray(_pdf(summary.id))
    assert signature_check(bytes(data)).ok
    # A byte in the page content (the signed range, before the signature dictionary).
    position = data.index(b"stream") + 20
    data[position] ^= 0x01
    check = signature_check(bytes(data))
    assert not check.ok
    assert not check.intact


def test_household_composition_lists_the_household(sealing: Any, municipality: Any):
    head = HouseholdMemberFactory(first_name="Sarah", last_name="Claes")
    HouseholdMemberFactory(household=head.household, household_relation="child", first_name="Lotte")
    summary = services.document_issue(
        actor=None, template_key=TEMPLATE_HOUSEHOLD, person_id=head.pk, language="en"
    )
    assert summary.title == "Household composition"
    context = selectors.template_context(
        person=person_get(person_id=head.pk), organisation={}, case={}, code="X"
    )
    names = [m["full_name"] for m in context["household"]["members"]]
    assert any("Lotte" in name for name in names)
    assert any("Sarah" in name for name in names)


def test_a_broken_template_never_reaches_a_resident(sealing: Any, municipality: Any):
    template = DocumentTemplate.objects.get(key=TEMPLATE_RESIDENCE, language="nl")
    template.body = "<p>{{ persoon.naam }}</p>"  # an unknown placeholder
    template.save()
    person = resident()
    with pytest.raises(services.DocumentNotIssued):
        services.document_issue(actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk)
    assert not Document.objects.exists()


def test_a_failing_seal_leaves_nothing_issued(
    sealing: Any, municipality: Any, settings: Any, tmp_path: Any
):
    settings.LOKET_TSA_URL = "http://127.0.0.1:9/tsa"  # nothing listens there
    sealer_forget()
    person = resident()
    with pytest.raises(SealUnavailable):
        services.document_issue(actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk)
    assert not Document.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_a_missing_seal_certificate_says_so(sealing: Any, settings: Any, tmp_path: Any):
    settings.LOKET_SEAL_PKCS12_FILE = tmp_path / "missing.p12"
    sealer_forget()
    with pytest.raises(SealUnavailable, match="missing"):
        sealer_get()


@pytest.mark.parametrize("provider", ["pkcs11", "remote"])
def test_other_providers_say_they_are_not_configured(sealing: Any, settings: Any, provider: str):
    settings.LOKET_SEAL_PROVIDER = provider
    sealer_forget()
    with pytest.raises(SealUnavailable, match="not"):
        sealer_get()


def test_the_key_stays_loaded_between_documents(sealing: Any, municipality: Any):
    assert sealer_get() is sealer_get()


def test_revoke_and_reissue(sealing: Any, municipality: Any):
    person = resident()
    first = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk, case_id=77
    )
    second = services.document_reissue(actor=None, document_id=first.id, reason="Moved house")
    assert second.case_id == 77
    old = Document.objects.get(pk=first.id)
    assert old.status == "revoked"
    assert "Moved house" in old.revoke_reason
    assert Document.objects.get(pk=second.id).replaces_id == first.id
    with pytest.raises(services.DocumentRefused):
        services.document_revoke(actor=None, document_id=first.id, reason="again")
    services.document_revoke(actor=None, document_id=second.id, reason="Error in the name")
    assert [d.status for d in selectors.documents_for_case(case_id=77)] == ["revoked", "revoked"]
    with pytest.raises(services.DocumentRefused):
        services.document_revoke(actor=None, document_id=second.id, reason="")


def test_the_pdf_is_pdf_a_with_embedded_fonts_and_an_output_intent(sealing: Any, municipality: Any):
    """What we can check offline (veraPDF is not available): the PDF/A identification in
    the XMP metadata, the sRGB output intent, every font embedded, and the structure
    tree of a tagged PDF."""
    person = resident()
    summary = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
    )
    with pikepdf.open(io.BytesIO(_pdf(summary.id))) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2A"
        assert meta["dc:title"] == "Bewijs van woonst"
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        assert intents[0].S == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intents[0]
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        assert str(pdf.Root.Lang).startswith("nl")
        fonts = 0
        for page in pdf.pages:
            for _, font in page.Resources.get("/Font", {}).items():
                fonts += 1
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert fonts > 0
        assert pdf.Root.AcroForm.Fields[0].FT == "/Sig"


def test_without_a_tsa_url_the_demo_timestamp_authority_starts_in_process(
    sealing: Any, municipality: Any, settings: Any
):
    settings.LOKET_TSA_URL = ""
    sealer_forget()
    person = resident()
    summary = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
    )
    check = signature_check(_pdf(summary.id))
    assert check.ok
    assert check.timestamp_ok


def test_production_never_seals_with_the_demo_certificate(sealing: Any, settings: Any):
    settings.PRODUCTION = True
    sealer_forget()
    with pytest.raises(SealUnavailable, match="demo"):
        sealer_get()


@pytest.mark.parametrize(
    "body",
    ["{% debug %}", "{% load static %}", '{% include "base.html" %}', "{{ person.nope }}"],
)
def test_template_bodies_cannot_reach_outside_their_data(body: str):
    from loket.documents.rendering import TemplateBroken, body_render

    with pytest.raises(TemplateBroken):
        body_render(body, {"person": {"full_name": "X"}})


def test_a_pdf_left_by_a_rolled_back_caller_is_pruned(
    sealing: Any, municipality: Any, settings: Any
):
    from django.db import transaction

    person = resident()
    kept = services.document_issue(actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk)

    class CaseRolledBack(Exception):
        pass

    def case_transition() -> None:
        with transaction.atomic():
            services.document_issue(
                actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
            )
            raise CaseRolledBack

    with pytest.raises(CaseRolledBack):
        case_transition()
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))) == 2
    assert services.documents_orphans_prune(grace_minutes=0) == 1
    assert [p.name for p in Path(settings.MEDIA_ROOT).rglob("*.pdf")] == [f"{kept.code}.pdf"]
