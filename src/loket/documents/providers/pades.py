"""Signing with pyHanko: PAdES B-T (an invisible seal signature and an RFC 3161
timestamp from the configured timestamp authority)."""

from __future__ import annotations

import importlib
import io
import threading
from typing import Any

from django.conf import settings

from loket.documents.constants import SIGNATURE_FIELD

_tsa_lock = threading.Lock()
_demo_tsa: Any = None


def timestamper() -> Any:
    """``LOKET_TSA_URL``, or, outside production when it is empty, the demo timestamp
    authority started in this process on loopback (a real RFC 3161 server over HTTP)."""
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

    url = settings.LOKET_TSA_URL
    if not url:
        url = _demo_tsa_url()
    return HTTPTimeStamper(url, timeout=10)


def _demo_tsa_url() -> str:
    from loket.documents.providers import SealUnavailable

    global _demo_tsa
    if settings.PRODUCTION:
        raise SealUnavailable("No timestamp authority is configured (LOKET_TSA_URL).")
    with _tsa_lock:
        if _demo_tsa is None:
            folder = settings.LOKET_DOCUMENTS_PKI_DIR
            cert, key = folder / "demo-tsa.pem", folder / "demo-tsa-key.pem"
            if not (cert.is_file() and key.is_file()):
                raise SealUnavailable(
                    "No timestamp authority is configured (LOKET_TSA_URL) and the demo's "
                    "is not made yet: run `loket seed` (documents_seed_demo)."
                )
            # The simulators package is infrastructure, not a module: load it by name.
            simulator = importlib.import_module("loket.simulators.tsa")
            _demo_tsa = simulator.TimestampAuthority(cert, key).start()
        return str(_demo_tsa.url)


def pades_sign(pdf: bytes, *, signer: Any, reason: str, location: str, name: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=name,
    )
    from loket.documents.providers import outside_event_loop

    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper())
    out = outside_event_loop(lambda: pdf_signer.sign_pdf(writer))
    return bytes(out.getvalue())
