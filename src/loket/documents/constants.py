"""Choices and fixed values of the documents module."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("Certificate")
    LETTER = "letter", _("Letter")


class DocumentStatus(models.TextChoices):
    ISSUED = "issued", _("Valid")
    REVOKED = "revoked", _("Revoked")


class PrintBatchStatus(models.TextChoices):
    READY = "ready", _("Ready to print")
    PRINTED = "printed", _("Printed")
    POSTED = "posted", _("Posted")


class VerificationOutcome(models.TextChoices):
    AUTHENTIC = "authentic", _("Authentic")
    REVOKED = "revoked", _("Authentic, but revoked")
    NOT_AUTHENTIC = "not_authentic", _("Not authentic")
    UNKNOWN = "unknown", _("Unknown")


class SealProvider(models.TextChoices):
    PKCS12 = "pkcs12", _("PKCS#12 file")
    PKCS11 = "pkcs11", _("PKCS#11 token (HSM)")
    REMOTE = "remote", _("Remote signing service")


# The templates every municipality starts with (key, kind, Dutch title). Residents may
# request the self-service ones on "Mijn documenten" without a human decision.
TEMPLATE_RESIDENCE = "residence-certificate"
TEMPLATE_HOUSEHOLD = "household-composition"
TEMPLATE_REGISTER_EXTRACT = "register-extract"
TEMPLATE_LIFE = "life-certificate"
TEMPLATE_DECISION = "decision-letter"
TEMPLATE_PAYMENT_RECEIPT = "payment-receipt"  # made by the payments module (ADR 0017)
SELF_SERVICE_TEMPLATES = (TEMPLATE_RESIDENCE, TEMPLATE_HOUSEHOLD, TEMPLATE_LIFE)

# "Mijn documenten" holds the certificates and decision letters of every service, so a
# mandate limited to some services does not open it: only a mandate for all services,
# or one that names this word among its services, does.
MANDATE_SCOPE_DOCUMENTS = "documenten"

LANGUAGES = ("nl", "fr", "en", "de")
FALLBACK_LANGUAGE = "nl"

# Verification codes: Crockford base32 without I, L, O, U; 12 characters (60 bits),
# shown in groups of four ("K7QM-3XPA-9TRW").
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12

SIGNATURE_FIELD = "LoketSeal"
PDF_VARIANT = "pdf/a-2a"  # PDF/A-2, level A: tagged (logical structure), Unicode text
PRINT_VARIANT = "pdf/a-2b"
PRINT_BATCH_LIMIT = 1000  # letters per print batch run
UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # a PDF to verify
