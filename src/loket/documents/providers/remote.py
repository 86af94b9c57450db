"""A remote signing service (a qualified trust service provider's signing API).

The protocol is the same as the local providers': the PDF's signed attributes are
hashed here and the service returns a CMS signature (pyHanko's ``ExternalSigner``).
No vendor is wired yet: with ``LOKET_SEAL_REMOTE_URL`` set, the sealer still refuses
with a clear message, so a document is never issued unsealed.
"""

from __future__ import annotations

from django.conf import settings

from loket.documents.providers import SealUnavailable


class RemoteSealer:
    subject = ""

    def __init__(self, *, url: str) -> None:
        if not url:
            raise SealUnavailable(
                "The remote signing service is not configured (LOKET_SEAL_REMOTE_URL)."
            )
        raise SealUnavailable(
            "Remote signing is not available in this version of Loket: use a PKCS#12 "
            "file or a PKCS#11 token (LOKET_SEAL_PROVIDER)."
        )

    @classmethod
    def from_settings(cls) -> RemoteSealer:
        return cls(url=settings.LOKET_SEAL_REMOTE_URL)

    def seal(self, pdf: bytes, *, reason: str, location: str) -> bytes:  # pragma: no cover
        raise SealUnavailable("Remote signing is not available.")
