"""The seal on a PKCS#11 token or HSM (pyHanko's PKCS#11 signer).

Configured with ``LOKET_SEAL_PKCS11_MODULE`` (the vendor's .so), ``_TOKEN_LABEL``,
``_KEY_LABEL`` and ``_PIN``; needs the ``python-pkcs11`` package. The session is opened
once per process and kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from loket.documents.providers import SealUnavailable
from loket.documents.providers.pades import pades_sign


class Pkcs11Sealer:
    def __init__(self, *, module: str, token_label: str, key_label: str, pin: str) -> None:
        if not (module and token_label and key_label):
            raise SealUnavailable(
                "The PKCS#11 seal is not configured: set LOKET_SEAL_PKCS11_MODULE, "
                "LOKET_SEAL_PKCS11_TOKEN_LABEL and LOKET_SEAL_PKCS11_KEY_LABEL."
            )
        try:
            from pyhanko.sign import pkcs11 as hanko_pkcs11
        except ImportError as exc:
            raise SealUnavailable(
                "The PKCS#11 seal needs the python-pkcs11 package on this server."
            ) from exc
        try:
            from pyhanko.config.pkcs11 import TokenCriteria

            session = hanko_pkcs11.open_pkcs11_session(
                module, token_criteria=TokenCriteria(label=token_label), user_pin=pin or None
            )
            self._signer: Any = hanko_pkcs11.PKCS11Signer(
                session, key_label=key_label, cert_label=key_label
            )
        except Exception as exc:
            raise SealUnavailable(f"The PKCS#11 token could not be opened: {exc}") from exc
        self.subject = key_label

    @classmethod
    def from_settings(cls) -> Pkcs11Sealer:
        return cls(
            module=settings.LOKET_SEAL_PKCS11_MODULE,
            token_label=settings.LOKET_SEAL_PKCS11_TOKEN_LABEL,
            key_label=settings.LOKET_SEAL_PKCS11_KEY_LABEL,
            pin=settings.LOKET_SEAL_PKCS11_PIN,
        )

    def seal(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        try:
            return pades_sign(
                pdf, signer=self._signer, reason=reason, location=location, name=self.subject
            )
        except Exception as exc:
            raise SealUnavailable(f"The document could not be sealed: {exc}") from exc
