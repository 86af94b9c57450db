"""The demo's public-key infrastructure: a demo root CA, the municipality's seal
certificate (PKCS#12) and the certificate of the local timestamp authority.

Made once by ``services.documents_seed_demo()`` into ``LOKET_DATA_DIR/documents-pki``
and reused after that. Never used in production: there the municipality's own seal
certificate (from a qualified trust service provider) and a real TSA are configured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEMO_PKCS12_PASSWORD = "demo-seal"  # noqa: S105 - a throw-away demo key, documented
CA_FILE = "demo-ca.pem"
SEAL_FILE = "demo-seal.p12"
TSA_CERT_FILE = "demo-tsa.pem"
TSA_KEY_FILE = "demo-tsa-key.pem"


@dataclass(frozen=True)
class DemoPki:
    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / CA_FILE

    @property
    def seal(self) -> Path:
        return self.folder / SEAL_FILE

    @property
    def tsa_cert(self) -> Path:
        return self.folder / TSA_CERT_FILE

    @property
    def tsa_key(self) -> Path:
        return self.folder / TSA_KEY_FILE

    def exists(self) -> bool:
        return all(p.is_file() for p in (self.ca, self.seal, self.tsa_cert, self.tsa_key))


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: x509.Name, issuer: x509.Name, key: object, days: int
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
    )


def demo_pki_create(folder: Path, *, organisation: str = "Demo municipality") -> DemoPki:
    """Create the demo CA, seal certificate and TSA certificate in ``folder`` (kept if
    they are there already)."""
    pki = DemoPki(folder)
    if pki.exists():
        return pki
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Loket Demo Root CA (not for real use)", "Loket demo")
    ca_cert = (
        _builder(ca_name, ca_name, ca_key, 3650)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())

    seal_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    seal_cert = (
        _builder(_name(f"{organisation} (demo seal)", organisation), ca_name, seal_key, 1825)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(aki, critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's TSA: RSA
    tsa_cert = (
        _builder(_name("Loket Demo Timestamp Authority", "Loket demo"), ca_name, tsa_key, 1825)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(aki, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    pki.ca.write_bytes(ca_cert.public_bytes(pem))
    pki.seal.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"loket-seal",
            seal_key,
            seal_cert,
            [ca_cert],
            serialization.BestAvailableEncryption(DEMO_PKCS12_PASSWORD.encode()),
        )
    )
    pki.tsa_cert.write_bytes(tsa_cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    pki.tsa_key.write_bytes(
        tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    pki.tsa_key.chmod(0o600)
    pki.seal.chmod(0o600)
    return pki
