"""The seal from a PKCS#12 file, loaded once and kept in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from loket.documents.providers import SealUnavailable
from loket.documents.providers.pades import pades_sign


class Pkcs12Sealer:
    def __init__(self, path: Path, password: str) -> None:
        from pyhanko.sign import signers

        if settings.PRODUCTION and path.parent == settings.LOKET_DOCUMENTS_PKI_DIR:
            raise SealUnavailable(
                "Production never seals with the demo certificate: set LOKET_SEAL_PKCS12_FILE."
            )
        if not path.is_file():
            raise SealUnavailable(
                "The seal certificate file is missing (LOKET_SEAL_PKCS12_FILE); in the "
                "demo, `loket seed` makes one."
            )
        try:
            signer = signers.SimpleSigner.load_pkcs12_data(
                path.read_bytes(), other_certs=(), passphrase=password.encode() or None
            )
        except (ValueError, OSError) as exc:
            raise SealUnavailable(
                "The seal certificate could not be opened (wrong password or not a PKCS#12 file)."
            ) from exc
        self._signer: Any = signer
        self.subject = str(signer.signing_cert.subject.human_friendly)

    @classmethod
    def from_settings(cls) -> Pkcs12Sealer:
        from loket.documents.pki import DEMO_PKCS12_PASSWORD

        path = Path(settings.LOKET_SEAL_PKCS12_FILE)
        password = settings.LOKET_SEAL_PKCS12_PASSWORD
        if not password and path.parent == settings.LOKET_DOCUMENTS_PKI_DIR:
            password = DEMO_PKCS12_PASSWORD
        return cls(path, password)

    def seal(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        try:
            return pades_sign(
                pdf, signer=self._signer, reason=reason, location=location, name=self.subject
            )
        except SealUnavailable:
            raise
        except Exception as exc:  # the TSA unreachable or refusing, a broken PDF
            raise SealUnavailable(f"The document could not be sealed: {exc}") from exc
