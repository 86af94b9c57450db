"""The seal at a remote signing service speaking the Cloud Signature Consortium API v2.

Qualified trust service providers in the EU offer remote seals through the CSC API.
Loket hashes the PDF's signed attributes itself and sends only the SHA-256 hash; the
key never leaves the provider. The calls:

1. ``info`` (where the OAuth2 server is), then ``oauth2/token`` with the client
   credentials grant (``LOKET_SEAL_REMOTE_CLIENT_ID`` / ``_SECRET``): a bearer token,
   kept and renewed before it expires. The ``info`` answer is not authenticated, so
   the token server it names gets the client secret only when it is on the service's
   own host and port over https (plain http only on loopback outside production), or
   when it is exactly ``LOKET_SEAL_REMOTE_TOKEN_URL``;
2. ``credentials/list`` (only when ``LOKET_SEAL_REMOTE_CREDENTIAL_ID`` is empty) and
   ``credentials/info``: the seal certificate and its chain, fetched once per process;
3. per document ``credentials/authorize`` (signature activation data bound to the
   hash, with ``LOKET_SEAL_REMOTE_PIN`` when the credential needs one) and
   ``signatures/signHash``.

Steps 1–2 use ``requests``; step 3 is pyHanko's own CSC signer (``CSCSigner``, written
for API v1) with the request bodies renamed to v2 (``hashes``,
``hashAlgorithmOID``). The demo service ``python -m loket.simulators.csc`` holds the
demo seal and speaks the same protocol. Any failure raises ``SealUnavailable``:
nothing is issued unsealed.
"""

from __future__ import annotations

import base64
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import requests
from django.conf import settings
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
)

from loket.documents.providers import SealUnavailable
from loket.documents.providers.pades import pades_sign

API = "csc/v2"
SHA256_OID = "2.16.840.1.101.3.4.2.1"
TOKEN_MARGIN_SECONDS = 60


_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = ("localhost", "::1")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower().rstrip("."), port


def token_url_allowed(token_url: str, *, base: str) -> bool:
    """May the client secret go to ``token_url``, named by the service at ``base``?
    Only to the service's own host and port, over https; plain http only to loopback,
    and never in production."""
    scheme, host, port = _origin(token_url)
    _base_scheme, base_host, base_port = _origin(base)
    if not host or (host, port) != (base_host, base_port):
        return False
    if scheme == "https":
        return True
    loopback = host in _LOOPBACK_NAMES or host.startswith("127.")
    return scheme == "http" and loopback and not getattr(settings, "PRODUCTION", False)


class RemoteSealer:
    """One client per process: the token and the certificate chain are kept."""

    def __init__(
        self,
        *,
        url: str,
        client_id: str,
        client_secret: str,
        credential_id: str = "",
        pin: str = "",
        timeout: int = 30,
        token_url: str = "",
    ) -> None:
        if not url:
            raise SealUnavailable(
                "The remote signing service is not configured (LOKET_SEAL_REMOTE_URL)."
            )
        if not (client_id and client_secret):
            raise SealUnavailable(
                "The remote signing service needs LOKET_SEAL_REMOTE_CLIENT_ID and "
                "LOKET_SEAL_REMOTE_CLIENT_SECRET."
            )
        self.url = url.rstrip("/")
        self._client = (client_id, client_secret)
        self._pin = pin
        self.timeout = timeout
        self._configured_token_url = token_url
        self._token = ""
        self._token_expires = 0.0
        self._token_lock = threading.Lock()
        self._http = requests.Session()
        self._http.trust_env = False  # the service is named explicitly; no proxy guessing
        self._token_url = self._discover_token_url()
        self._renew_token()
        self.credential_id = credential_id or self._only_credential()
        self.credential = self._credential_info()
        self.subject = str(self.credential.signing_cert.subject.human_friendly)

    @classmethod
    def from_settings(cls) -> RemoteSealer:
        return cls(
            url=settings.LOKET_SEAL_REMOTE_URL,
            client_id=settings.LOKET_SEAL_REMOTE_CLIENT_ID,
            client_secret=settings.LOKET_SEAL_REMOTE_CLIENT_SECRET,
            credential_id=settings.LOKET_SEAL_REMOTE_CREDENTIAL_ID,
            pin=settings.LOKET_SEAL_REMOTE_PIN,
            timeout=settings.LOKET_SEAL_REMOTE_TIMEOUT,
            token_url=settings.LOKET_SEAL_REMOTE_TOKEN_URL,
        )

    # --- requests: discovery, token, credential --------------------------------------

    def _post(self, url: str, *, what: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.post(url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise SealUnavailable(
                f"The remote signing service cannot be reached ({what}); nothing was sealed."
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code >= 400:
            error = str(body.get("error", ""))
            if what == "oauth2/token" and (
                response.status_code == 401 or error == "invalid_client"
            ):
                raise SealUnavailable(
                    "The remote signing service refused Loket's client credentials "
                    "(LOKET_SEAL_REMOTE_CLIENT_ID and LOKET_SEAL_REMOTE_CLIENT_SECRET)."
                )
            detail = str(body.get("error_description") or error or response.reason)[:200]
            raise SealUnavailable(
                f"The remote signing service refused {what} ({response.status_code}: {detail})."
            )
        return body

    def _discover_token_url(self) -> str:
        """CSC ``info`` names the OAuth2 server; without it, the service's own base."""
        try:
            info = self._post(f"{self.url}/{API}/info", what="info", json={})
        except SealUnavailable as exc:
            if isinstance(exc.__cause__, requests.RequestException):
                raise
            info = {}
        base = str(info.get("oauth2") or self.url).rstrip("/")
        token_url = f"{base}/oauth2/token"
        if token_url == self._configured_token_url or token_url_allowed(token_url, base=self.url):
            return token_url
        # The client secret would go there: refused. Say where (no secret in it).
        raise SealUnavailable(
            "The remote signing service names an OAuth2 server on another host or "
            f"without https ({token_url}); the client secret is not sent there. If that "
            "server is right, set LOKET_SEAL_REMOTE_TOKEN_URL to it."
        )

    def _renew_token(self) -> None:
        client_id, client_secret = self._client
        body = self._post(
            self._token_url,
            what="oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            },
        )
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise SealUnavailable("The remote signing service gave no access token.")
        try:
            lifetime = int(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600
        self._token = token
        self._token_expires = time.monotonic() + lifetime

    def _bearer(self, *, renew: bool = False) -> str:
        with self._token_lock:
            if renew or time.monotonic() > self._token_expires - TOKEN_MARGIN_SECONDS:
                self._renew_token()
            return self._token

    def _api(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._post(
            f"{self.url}/{API}/{endpoint}",
            what=endpoint,
            json=body,
            headers={"Authorization": f"Bearer {self._bearer()}"},
        )

    def _only_credential(self) -> str:
        listed = self._api("credentials/list", {"credentialInfo": False}).get("credentialIDs")
        if not isinstance(listed, list) or len(listed) != 1:
            raise SealUnavailable(
                "The remote signing service lists "
                f"{len(listed) if isinstance(listed, list) else 'no'} credentials: set "
                "LOKET_SEAL_REMOTE_CREDENTIAL_ID to the seal's."
            )
        return str(listed[0])

    def _credential_info(self) -> CSCCredentialInfo:
        from asn1crypto import algos, x509

        body = self._api(
            "credentials/info",
            {"credentialID": self.credential_id, "certificates": "chain", "certInfo": False},
        )
        try:
            certificates = [
                x509.Certificate.load(base64.b64decode(value))
                for value in body["cert"]["certificates"]
            ]
            mechanisms = frozenset(
                algos.SignedDigestAlgorithmId(oid).native for oid in body["key"]["algo"]
            )
            status = body["key"].get("status", "enabled")
            batch = int(body.get("multisign", 1))
        except (KeyError, TypeError, ValueError) as exc:
            raise SealUnavailable(
                "The remote signing service's credentials/info answer is not usable."
            ) from exc
        if not certificates:
            raise SealUnavailable("The remote signing service sent no seal certificate.")
        if status != "enabled":
            raise SealUnavailable(f"The seal key at the remote signing service is {status}.")
        return CSCCredentialInfo(
            signing_cert=certificates[0],
            chain=certificates[1:],
            supported_mechanisms=mechanisms,
            max_batch_size=max(batch, 1),
            hash_pinning_required=str(body.get("SCAL", "1")) == "2",
            response_data=body,
        )

    # --- sealing -----------------------------------------------------------------------

    def _signer(self, token: str) -> _SignerV2:
        return _SignerV2(
            session=None,  # type: ignore[arg-type]  # opened per document, in pyHanko's loop
            auth_manager=_Authorizer(
                _session_info(self.url, self.credential_id, token),
                self.credential,
                pin=self._pin,
                timeout=self.timeout,
            ),
            sign_timeout=self.timeout,
        )

    def seal(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        for attempt in (1, 2):
            token = self._bearer(renew=attempt == 2)
            try:
                return pades_sign(
                    pdf,
                    signer=self._signer(token),
                    reason=reason,
                    location=location,
                    name=self.subject,
                )
            except SealUnavailable:
                raise
            except Exception as exc:
                if attempt == 1 and _status_of(exc) == 401:
                    continue  # the token was revoked or expired early: renew once
                if _is_connection_error(exc):
                    raise SealUnavailable(
                        "The remote signing service cannot be reached; nothing was sealed."
                    ) from exc
                raise SealUnavailable(f"The document could not be sealed: {_reason(exc)}") from exc
        raise SealUnavailable("The remote signing service refused Loket's access token.")


def _session_info(url: str, credential_id: str, token: str) -> CSCServiceSessionInfo:
    return CSCServiceSessionInfo(
        service_url=url, credential_id=credential_id, oauth_token=token, api_ver="v2"
    )


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _status_of(exc: BaseException) -> int | None:
    for cause in _causes(exc):
        if isinstance(cause, aiohttp.ClientResponseError):
            return cause.status
    return None


def _is_connection_error(exc: BaseException) -> bool:
    return any(isinstance(c, aiohttp.ClientConnectionError | TimeoutError) for c in _causes(exc))


def _reason(exc: BaseException) -> str:
    status = _status_of(exc)
    if status is not None:
        return f"the signing service answered {status}"
    return str(exc)[:200] or type(exc).__name__


class _Authorizer(CSCAuthorizationManager):
    """``credentials/authorize`` as API v2 asks it: the hashes (SCAL 2) and the PIN."""

    def __init__(self, session_info: Any, credential: Any, *, pin: str, timeout: int) -> None:
        super().__init__(session_info, credential)
        self.pin = pin
        self.timeout = timeout
        self.http: aiohttp.ClientSession | None = None

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        body = self.format_csc_auth_request(pin=self.pin or None, hash_b64s=hash_b64s)
        body["hashes"] = body.pop("hash")
        body["hashAlgorithmOID"] = SHA256_OID
        if self.http is None:
            raise RuntimeError("no HTTP session")
        async with self.http.post(
            self.csc_session_info.endpoint_url("credentials/authorize"),
            headers=self.auth_headers,
            json=body,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        ) as response:
            if response.status == 401:
                response.raise_for_status()  # the token: renewed once by the caller
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = None
            if response.status >= 400:
                detail = answer.get("error_description") if isinstance(answer, dict) else None
                raise SigningError(
                    f"credentials/authorize refused ({response.status}: "
                    f"{str(detail or response.reason)[:200]})"
                )
            return self.parse_csc_auth_response(answer if isinstance(answer, dict) else {})


class _SignerV2(CSCSigner):
    """pyHanko's CSC signer, speaking API v2 and opening its HTTP session in the event
    loop pyHanko signs in (one session per document)."""

    auth_manager: _Authorizer

    async def format_csc_signing_req(
        self, tbs_hashes: list[str], digest_algorithm: str
    ) -> dict[str, Any]:
        body: dict[str, Any] = await super().format_csc_signing_req(tbs_hashes, digest_algorithm)
        body["hashes"] = body.pop("hash")
        body["hashAlgorithmOID"] = body.pop("hashAlgo")
        return body

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
        async with aiohttp.ClientSession() as http:
            self.session = http
            self.auth_manager.http = http
            self.failure: SigningError | None = None
            try:
                return await super().async_sign_raw(data, digest_algorithm)
            except SigningError:
                # pyHanko logs the commit's error and raises a bare one: give back the
                # first, with the HTTP status in its chain.
                if self.failure is not None:
                    raise self.failure  # noqa: B904 - its own cause is the one to keep
                raise
            finally:
                self.auth_manager.http = None

    async def commit(self) -> None:
        try:
            await super().commit()
        except SigningError as exc:
            self.failure = exc
            raise
