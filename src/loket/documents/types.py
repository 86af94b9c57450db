"""Data the documents module hands to other modules (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """An issued document as other modules and lists see it."""

    id: int
    code: str
    template_key: str
    title: str
    kind: str
    language: str
    person_id: int
    case_id: int | None
    status: str
    issued_at: datetime
    issuer_name: str
    pages: int
    size: int
    revoked_at: datetime | None
    replaced_by_code: str | None = None
    department_id: int | None = None

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def is_revoked(self) -> bool:
        return self.status == "revoked"


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    pdf: bytes
    pages: int


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """Why a template cannot be rendered (shown in the preview, never to residents)."""

    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class SealInfo:
    subject: str
    timestamp_at: datetime | None


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What pyHanko's validator says about the seal of an uploaded PDF."""

    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer: str
    signed_at: datetime | None
    timestamp_ok: bool
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.covers_whole_file and self.timestamp_ok


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer of the public verification page: as little personal data as needed."""

    outcome: str  # VerificationOutcome
    code: str = ""
    title: str = ""
    holder: str = ""  # initials only
    issuer_name: str = ""
    issued_at: datetime | None = None
    revoked_at: datetime | None = None
    pages: int = 0
    sha256: str = ""
    signature: SignatureCheck | None = None


def format_code(code: str) -> str:
    """ "K7QM3XPA9TRW" → "K7QM-3XPA-9TRW"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    """What a person typed → the stored form: upper case, no dashes or spaces, and the
    letters people confuse with digits read as those digits (Crockford)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))
