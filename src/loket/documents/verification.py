"""Checking the seal of an uploaded PDF with pyHanko's validator against the configured
trust roots (``LOKET_SEAL_TRUST_ROOTS``). Any problem — not a PDF, no signature, a
changed byte, an unknown signer — is an answer ("not authentic"), never an exception."""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path
from typing import Any

from django.conf import settings

from loket.documents.constants import SIGNATURE_FIELD
from loket.documents.providers import outside_event_loop
from loket.documents.types import SignatureCheck

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _roots(path: str, mtime: float) -> tuple[Any, ...]:
    from pyhanko.keys import load_certs_from_pemder

    return tuple(load_certs_from_pemder([path]))


def trust_roots() -> tuple[Any, ...]:
    path = Path(settings.LOKET_SEAL_TRUST_ROOTS)
    try:
        return _roots(str(path), path.stat().st_mtime)
    except (OSError, ValueError):
        return ()


def _failed(problem: str) -> SignatureCheck:
    return SignatureCheck(
        intact=False,
        trusted=False,
        covers_whole_file=False,
        signer="",
        signed_at=None,
        timestamp_ok=False,
        problem=problem,
    )


def signature_check(pdf: bytes) -> SignatureCheck:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = trust_roots()
    if not roots:
        return _failed("no trust root configured")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = [
            s for s in reader.embedded_signatures if s.field_name == SIGNATURE_FIELD
        ] or list(reader.embedded_signatures)
        if not signatures:
            return _failed("no seal")
        status = outside_event_loop(
            lambda: validate_pdf_signature(
                signatures[-1],
                signer_validation_context=ValidationContext(trust_roots=list(roots)),
                ts_validation_context=ValidationContext(trust_roots=list(roots)),
            )
        )
    except Exception as exc:  # malformed, tampered beyond parsing, not a PDF at all
        logger.info("seal check failed: %s", type(exc).__name__)
        return _failed(type(exc).__name__)
    timestamp = status.timestamp_validity
    return SignatureCheck(
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=str(status.signing_cert.subject.human_friendly) if status.signing_cert else "",
        signed_at=timestamp.timestamp if timestamp is not None else status.signer_reported_dt,
        timestamp_ok=bool(
            timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted
        ),
    )
