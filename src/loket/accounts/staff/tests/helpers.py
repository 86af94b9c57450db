"""Test helpers: a staff session as the staff login leaves it, and a software
authenticator that speaks WebAuthn (P-256, "none" attestation)."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

from loket.accounts.staff.constants import (
    AUTH_KIND_STAFF,
    SESSION_AUTH_KIND,
    SESSION_STAFF_FACTOR,
)

PASSWORD = "correct-horse-battery-staple"


def log_in_staff(client: Any, user: Any, *, factor: str = "totp") -> None:
    """What a complete staff login leaves in the session."""
    client.force_login(user)
    session = client.session
    session[SESSION_AUTH_KIND] = AUTH_KIND_STAFF
    session[SESSION_STAFF_FACTOR] = factor
    session.save()


UP, UV, AT = 0x01, 0x04, 0x40


class SoftAuthenticator:
    """Builds attestation and assertion responses by the WebAuthn spec."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    @staticmethod
    def client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def authenticator_data(self, rp_id: str, flags: int, sign_count: int, attested: bool) -> bytes:
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags])
        data += sign_count.to_bytes(4, "big")
        if attested:
            data += bytes(16)  # AAGUID
            data += len(self.credential_id).to_bytes(2, "big") + self.credential_id
            data += self.cose_public_key()
        return data

    def create(
        self, options: dict[str, Any], *, origin: str, challenge: str | None = None
    ) -> dict[str, Any]:
        rp_id = options["rp"]["id"]
        client_data = self.client_data("webauthn.create", challenge or options["challenge"], origin)
        auth_data = self.authenticator_data(rp_id, UP | UV | AT, 0, attested=True)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        origin: str,
        challenge: str | None = None,
        sign_count: int | None = None,
    ) -> dict[str, Any]:
        if sign_count is None:
            self.sign_count += 1
            sign_count = self.sign_count
        client_data = self.client_data("webauthn.get", challenge or options["challenge"], origin)
        auth_data = self.authenticator_data(options["rpId"], UP | UV, sign_count, attested=False)
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": None,
            },
            "clientExtensionResults": {},
        }


def with_authenticator_app(user: Any) -> str:
    """Give a staff member an authenticator app; returns its secret."""
    import pyotp

    from loket.accounts.staff.services import demo_totp_device_create

    secret = pyotp.random_base32()
    demo_totp_device_create(user=user, secret=secret)
    return secret
