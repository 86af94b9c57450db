"""The signing service's HTTP server (see the package's docstring).

Only what a seal needs is implemented, as the CSC API v2 (2.0.0.2) describes it:
``info``, ``oauth2/token`` (client credentials), ``credentials/list``,
``credentials/info``, ``credentials/authorize`` (SCAL 2: the activation data is bound
to the hashes and used once) and ``signatures/signHash`` (SHA-256 with RSA PKCS#1 v1.5
or PSS). Errors are JSON ``{"error": …, "error_description": …}`` as the API defines.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12

from loket.simulators.tsa.server import refuse_in_production

LOOPBACK = "127.0.0.1"
MAX_BODY_BYTES = 64 * 1024
TOKEN_SECONDS = 3600
SAD_SECONDS = 300
SHA256 = "2.16.840.1.101.3.4.2.1"
RSA_PKCS1 = "1.2.840.113549.1.1.1"
SHA256_RSA = "1.2.840.113549.1.1.11"
RSA_PSS = "1.2.840.113549.1.1.10"
SIGN_ALGOS = (SHA256_RSA, RSA_PSS, RSA_PKCS1)

__all__ = ["SigningService", "refuse_in_production"]


class CscError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


@dataclass
class _Activation:
    credential_id: str
    hashes: frozenset[str]
    expires: float


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._answer(200, {"description": "Loket demo remote signing service (CSC API v2)"})

    def do_POST(self) -> None:
        service = self.server.service
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 <= length <= MAX_BODY_BYTES:
                raise CscError(400, "invalid_request", "Request body too large.")
            raw = self.rfile.read(length)
            path = self.path.split("?", 1)[0].rstrip("/")
            if path == "/oauth2/token":
                answer = service.token(self._form(raw), self.headers.get("Authorization", ""))
            elif path == "/csc/v2/info":
                answer = service.info()
            else:
                handler = service.endpoints.get(path)
                if handler is None:
                    raise CscError(404, "invalid_request", "Unknown endpoint.")
                service.authenticate(self.headers.get("Authorization", ""))
                answer = handler(self._json(raw))
        except CscError as error:
            problem = {"error": error.error, "error_description": error.description}
            self._answer(error.status, problem)
            return
        self._answer(200, answer)

    @staticmethod
    def _json(raw: bytes) -> dict[str, Any]:
        try:
            body = json.loads(raw or b"{}")
        except ValueError as exc:
            raise CscError(400, "invalid_request", "The body is not JSON.") from exc
        if not isinstance(body, dict):
            raise CscError(400, "invalid_request", "The body is not a JSON object.")
        return body

    def _form(self, raw: bytes) -> dict[str, str]:
        if self.headers.get_content_type() == "application/json":
            return {k: str(v) for k, v in self._json(raw).items()}
        return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    service: SigningService


class SigningService:
    """A CSC API v2 remote signing service over HTTP on loopback (port 0: a free one)."""

    def __init__(
        self,
        pkcs12_file: Path,
        password: str,
        *,
        client_id: str,
        client_secret: str,
        credential_id: str = "loket-seal",
        pin: str = "",
        port: int = 0,
    ) -> None:
        refuse_in_production()
        key, cert, chain = pkcs12.load_key_and_certificates(
            Path(pkcs12_file).read_bytes(), password.encode() or None
        )
        if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
            raise ValueError("The demo signing service needs an RSA key and its certificate.")
        self._key = key
        der = serialization.Encoding.DER
        self._certificates = [
            base64.b64encode(c.public_bytes(der)).decode() for c in [cert, *chain]
        ]
        self.client_id = client_id
        self.client_secret = client_secret
        self.credential_id = credential_id
        self._pin = pin
        self._tokens: dict[str, float] = {}
        self._activations: dict[str, _Activation] = {}
        self._lock = threading.Lock()
        self.signed = 0
        self.endpoints = {
            "/csc/v2/credentials/list": self.credentials_list,
            "/csc/v2/credentials/info": self.credentials_info,
            "/csc/v2/credentials/authorize": self.credentials_authorize,
            "/csc/v2/signatures/signHash": self.sign_hash,
        }
        self.server = _Server((LOOPBACK, port), _Handler)
        self.server.service = self
        self.port = int(self.server.server_address[1])
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._thread: threading.Thread | None = None

    # --- authentication -------------------------------------------------------------

    def token(self, form: dict[str, str], authorization: str) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials":
            raise CscError(400, "unsupported_grant_type", "Only client_credentials is offered.")
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            try:
                decoded = base64.b64decode(authorization[6:]).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise CscError(401, "invalid_client", "Malformed client authentication.") from exc
            client_id, _, secret = decoded.partition(":")
        expected_id, expected_secret = self.client_id, self.client_secret
        if not (
            hmac.compare_digest(client_id.encode(), expected_id.encode())
            and hmac.compare_digest(secret.encode(), expected_secret.encode())
        ):
            raise CscError(401, "invalid_client", "Unknown client or wrong secret.")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.monotonic() + TOKEN_SECONDS
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}

    def authenticate(self, authorization: str) -> None:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            expires = self._tokens.get(token)
        if expires is None or expires < time.monotonic():
            raise CscError(401, "invalid_token", "Missing, unknown or expired access token.")

    def revoke_tokens(self) -> None:
        """Forget every access token (tests: an expired or revoked token)."""
        with self._lock:
            self._tokens.clear()

    # --- the API --------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        return {
            "specs": "2.0.0.2",
            "name": "Loket demo remote signing service",
            "logo": "",
            "region": "BE",
            "lang": "en",
            "description": "A local simulator; never for real seals.",
            "authType": ["oauth2client"],
            "oauth2": self.url,
            "methods": [
                "oauth2/token",
                "credentials/list",
                "credentials/info",
                "credentials/authorize",
                "signatures/signHash",
            ],
        }

    def credentials_list(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"credentialIDs": [self.credential_id]}

    def _credential(self, body: dict[str, Any]) -> str:
        credential_id = body.get("credentialID")
        if credential_id != self.credential_id:
            raise CscError(400, "invalid_request", "Unknown credentialID.")
        return credential_id

    def credentials_info(self, body: dict[str, Any]) -> dict[str, Any]:
        self._credential(body)
        mode = body.get("certificates", "single")
        certificates = {"none": [], "single": self._certificates[:1]}.get(mode, self._certificates)
        return {
            "description": "Seal of the municipality (demo)",
            "key": {"status": "enabled", "algo": list(SIGN_ALGOS), "len": self._key.key_size},
            "cert": {"status": "valid", "certificates": certificates},
            "authMode": "explicit" if self._pin else "implicit",
            "SCAL": "2",
            "multisign": 1,
            "lang": "en",
        }

    def credentials_authorize(self, body: dict[str, Any]) -> dict[str, Any]:
        credential_id = self._credential(body)
        hashes_ = body.get("hashes")
        if (
            not isinstance(hashes_, list)
            or not hashes_
            or not all(isinstance(h, str) for h in hashes_)
        ):
            raise CscError(400, "invalid_request", "SCAL 2: the hashes to sign are required.")
        if body.get("numSignatures") != len(hashes_):
            raise CscError(400, "invalid_request", "numSignatures does not match the hashes.")
        if self._pin and not hmac.compare_digest(
            str(body.get("PIN", "")).encode(), self._pin.encode()
        ):
            raise CscError(400, "invalid_pin", "The PIN is wrong.")
        sad = secrets.token_urlsafe(24)
        with self._lock:
            self._activations[sad] = _Activation(
                credential_id, frozenset(hashes_), time.monotonic() + SAD_SECONDS
            )
        return {"SAD": sad, "expiresIn": SAD_SECONDS}

    def sign_hash(self, body: dict[str, Any]) -> dict[str, Any]:
        credential_id = self._credential(body)
        hashes_ = body.get("hashes")
        if not isinstance(hashes_, list) or not hashes_:
            raise CscError(400, "invalid_request", "No hashes to sign.")
        with self._lock:
            activation = self._activations.pop(str(body.get("SAD", "")), None)
        if (
            activation is None
            or activation.expires < time.monotonic()
            or activation.credential_id != credential_id
            or not set(hashes_) <= activation.hashes
        ):
            raise CscError(400, "invalid_request", "Invalid, used or expired SAD.")
        if body.get("hashAlgorithmOID", SHA256) != SHA256:
            raise CscError(400, "invalid_request", "Only SHA-256 hashes are signed.")
        sign_algo = body.get("signAlgo")
        if sign_algo not in SIGN_ALGOS:
            raise CscError(400, "invalid_request", "Unsupported signAlgo.")
        if sign_algo == RSA_PSS:
            scheme: padding.AsymmetricPadding = padding.PSS(
                mgf=padding.MGF1(hashes.SHA256()), salt_length=32
            )
        else:
            scheme = padding.PKCS1v15()
        signatures = []
        for value in hashes_:
            try:
                digest = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise CscError(400, "invalid_request", "A hash is not base64.") from exc
            if len(digest) != 32:
                raise CscError(400, "invalid_request", "A hash is not a SHA-256 digest.")
            signature = self._key.sign(digest, scheme, utils.Prehashed(hashes.SHA256()))
            signatures.append(base64.b64encode(signature).decode())
        with self._lock:
            self.signed += len(signatures)
        return {"signatures": signatures}

    # --- running ----------------------------------------------------------------------

    def start(self) -> SigningService:
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="loket-demo-csc", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> SigningService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
