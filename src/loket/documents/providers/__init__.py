"""The electronic seal behind one small protocol.

``Sealer.seal(pdf, reason=…, location=…)`` returns the PDF with a PAdES signature
(baseline B-T: the signature plus an RFC 3161 timestamp) made with the municipality's
seal certificate. Three providers:

- ``pkcs12``: a PKCS#12 file (the demo's, or the municipality's own) loaded once per
  process and kept in memory between documents;
- ``pkcs11``: a token or HSM through a PKCS#11 module (needs the ``python-pkcs11``
  package and ``LOKET_SEAL_PKCS11_*``);
- ``remote``: a remote signing service speaking the Cloud Signature Consortium API v2
  (``LOKET_SEAL_REMOTE_*``); the token and the certificate chain are kept.

A provider that cannot seal raises ``SealUnavailable``; nothing is issued then.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from django.conf import settings

from loket.core.services import DomainError

T = TypeVar("T")


class SealUnavailable(DomainError):
    """The seal cannot be made (not configured, the key or the TSA unreachable)."""


class Sealer(Protocol):
    subject: str

    def seal(self, pdf: bytes, *, reason: str, location: str) -> bytes: ...


_lock = threading.Lock()
_cached: dict[tuple[str, ...], Sealer] = {}


def _cache_key() -> tuple[str, ...]:
    return (
        settings.LOKET_SEAL_PROVIDER,
        str(settings.LOKET_SEAL_PKCS12_FILE),
        settings.LOKET_SEAL_PKCS11_MODULE,
        settings.LOKET_SEAL_REMOTE_URL,
        settings.LOKET_SEAL_REMOTE_CLIENT_ID,
        settings.LOKET_SEAL_REMOTE_CREDENTIAL_ID,
        settings.LOKET_TSA_URL,
    )


def sealer_get() -> Sealer:
    """The configured sealer, created once per process and configuration (the key
    stays loaded between documents)."""
    key = _cache_key()
    with _lock:
        sealer = _cached.get(key)
        if sealer is None:
            sealer = _create()
            _cached.clear()
            _cached[key] = sealer
        return sealer


def sealer_forget() -> None:
    """Drop the loaded key (tests; after rotating the seal certificate)."""
    with _lock:
        _cached.clear()


def _create() -> Sealer:
    provider = settings.LOKET_SEAL_PROVIDER
    if provider == "pkcs12":
        from loket.documents.providers.pkcs12 import Pkcs12Sealer

        return Pkcs12Sealer.from_settings()
    if provider == "pkcs11":
        from loket.documents.providers.pkcs11 import Pkcs11Sealer

        return Pkcs11Sealer.from_settings()
    if provider == "remote":
        from loket.documents.providers.remote import RemoteSealer

        return RemoteSealer.from_settings()
    raise SealUnavailable(f"Unknown seal provider {provider!r}.")


def outside_event_loop(function: Callable[[], T]) -> T:
    """Run ``function`` in this thread, or in a helper thread when this thread already
    runs an asyncio loop: pyHanko's synchronous API starts a loop of its own, which
    Python refuses inside a running one (an ASGI server's thread, a test driver)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()
