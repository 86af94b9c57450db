"""Reads of the documents module."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Collection, Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from loket.documents.constants import (
    FALLBACK_LANGUAGE,
    UPLOAD_MAX_BYTES,
    DocumentStatus,
    VerificationOutcome,
)
from loket.documents.models import Document, DocumentTemplate, PrintBatch, PrintedLetter
from loket.documents.types import DocumentSummary, Verification, normalise_code
from loket.people.constants import HouseholdRelation
from loket.people.selectors import household_members
from loket.people.types import PersonSummary

PAGE_SIZE = 25


def _relation(code: str) -> str:
    """The household relation in the active language (the document's)."""
    try:
        return str(HouseholdRelation(code).label)
    except ValueError:
        return code


def document_summary(document: Document) -> DocumentSummary:
    replaced_by = getattr(document, "_replaced_by_code", None)
    return DocumentSummary(
        id=document.pk,
        code=document.code,
        template_key=document.template_key,
        title=document.title,
        kind=document.kind,
        language=document.language,
        person_id=document.person_id,
        case_id=document.case_id,
        status=document.status,
        issued_at=document.issued_at,
        issuer_name=document.issuer_name,
        pages=document.pages,
        size=document.size,
        revoked_at=document.revoked_at,
        replaced_by_code=replaced_by,
        department_id=document.department_id,
    )


# --- templates ---------------------------------------------------------------------------


def template_published(*, key: str, language: str) -> DocumentTemplate | None:
    """The newest published version in ``language``, else in Dutch."""
    for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        found = (
            DocumentTemplate.objects.filter(key=key, language=lang, published_at__isnull=False)
            .order_by("-version")
            .first()
        )
        if found is not None:
            return found
    return None


def template_current(*, key: str, language: str) -> DocumentTemplate | None:
    """What staff edit: the working copy, else the newest published version."""
    versions = DocumentTemplate.objects.filter(key=key, language=language)
    draft = versions.filter(published_at__isnull=True).first()
    return draft or versions.order_by("-version").first()


def template_list() -> list[DocumentTemplate]:
    """One row per key and language: the working copy if any, else the newest version."""
    seen: dict[tuple[str, str], DocumentTemplate] = {}
    rows = DocumentTemplate.objects.order_by("key", "language", "-version").defer("body", "css")
    for row in rows:
        current = seen.get((row.key, row.language))
        if current is None or (row.published_at is None and current.published_at is not None):
            seen[(row.key, row.language)] = row
    return list(seen.values())


def template_keys_self_service(*, language: str) -> list[DocumentTemplate]:
    """The certificates a resident may request without a human decision."""
    keys = (
        DocumentTemplate.objects.filter(self_service=True, published_at__isnull=False)
        .values_list("key", flat=True)
        .distinct()
    )
    found = [template_published(key=key, language=language) for key in sorted(set(keys))]
    return [t for t in found if t is not None]


def template_context(
    *, person: PersonSummary, organisation: Mapping[str, Any], case: Mapping[str, Any], code: str
) -> dict[str, Any]:
    """The placeholders a template may use (see docs/architecture.md, "Documents")."""
    members = []
    if person.household_id is not None:
        for member in household_members(household_id=person.household_id):
            members.append(
                {
                    "full_name": member.full_name,
                    "first_name": member.first_name,
                    "last_name": member.last_name,
                    "birth_date": member.birth_date,
                    "relation": _relation(member.household_relation),
                }
            )
    return {
        "person": {
            "full_name": person.full_name,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": person.birth_date,
            "masked_national_number": person.masked_national_number,
            "address": person.address.label if person.address is not None else "",
            "gender": person.gender,
        },
        "household": {"members": members},
        "municipality": dict(organisation),
        "case": dict(case),
        "today": timezone.localdate(),
        "document": {"code": code},
    }


def template_sample_context(*, language: str) -> dict[str, Any]:
    """Made-up data for the preview: no resident's data is shown while editing."""
    from loket.documents.services import organisation_data

    born = dt.date(1950, 3, 14)
    return {
        "person": {
            "full_name": "Maria Voorbeeld",
            "first_name": "Maria",
            "last_name": "Voorbeeld",
            "birth_date": born,
            "masked_national_number": "50.03.14-XXX.XX",
            "address": "Voorbeeldstraat 1, 9999 Voorbeeldgem",
            "gender": "F",
        },
        "household": {
            "members": [
                {
                    "full_name": "Maria Voorbeeld",
                    "first_name": "Maria",
                    "last_name": "Voorbeeld",
                    "birth_date": born,
                    "relation": _relation(HouseholdRelation.HEAD),
                },
                {
                    "full_name": "Jan Voorbeeld",
                    "first_name": "Jan",
                    "last_name": "Voorbeeld",
                    "birth_date": dt.date(1948, 7, 2),
                    "relation": _relation(HouseholdRelation.PARTNER),
                },
            ]
        },
        "municipality": organisation_data(),
        "case": {
            "reference": "2026-000123",
            "title": "Voorbeeldaanvraag",
            "decision": "Uw aanvraag is goedgekeurd.",
        },
        "today": timezone.localdate(),
        "document": {"code": "ABCD-EFGH-JKMN"},
    }


# --- documents --------------------------------------------------------------------------------


def _cursor(document: Document) -> str:
    raw = f"{document.issued_at.isoformat()}|{document.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _uncursor(cursor: str | None) -> tuple[dt.datetime, int] | None:
    if not cursor:
        return None
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return dt.datetime.fromisoformat(at), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def _page(
    queryset: QuerySet[Document], after: str | None, limit: int
) -> tuple[list[DocumentSummary], str | None]:
    position = _uncursor(after)
    if position is not None:
        at, pk = position
        queryset = queryset.filter(Q(issued_at__lt=at) | Q(issued_at=at, pk__lt=pk))
    rows = list(queryset.select_related("replaced_by").order_by("-issued_at", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        replaced = getattr(row, "replaced_by", None) if hasattr(row, "replaced_by") else None
        row._replaced_by_code = replaced.code if replaced is not None else None  # type: ignore[attr-defined]
    return [document_summary(r) for r in rows], (_cursor(rows[-1]) if more and rows else None)


def documents_for_person(
    *, person_id: int, after: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[DocumentSummary], str | None]:
    """A resident's documents, newest first (keyset pages)."""
    return _page(Document.objects.filter(person_id=person_id), after, limit)


def _visible(queryset: QuerySet[Document], departments: Collection[int] | None) -> Any:
    """Only the documents staff of ``departments`` may see (``None``: all of them):
    those issued in one of these departments, and those issued outside any case and
    department (certificates). A case's document whose department is not known is
    left out."""
    if departments is None:
        return queryset
    return queryset.filter(
        Q(department_id__in=list(departments)) | Q(department__isnull=True, case_id__isnull=True)
    )


def documents_recent(
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    departments: Collection[int] | None = None,
) -> tuple[list[DocumentSummary], str | None]:
    """The newest documents, limited to what staff of ``departments`` may see."""
    return _page(_visible(Document.objects.all(), departments), after, limit)


def documents_for_case(
    *, case_id: int, departments: Collection[int] | None = None
) -> list[DocumentSummary]:
    """Every document of a case, newest first (for the case's page), limited to what
    staff of ``departments`` may see."""
    page, _ = _page(_visible(Document.objects.filter(case_id=case_id), departments), None, 500)
    return page


def document_get(
    *, document_id: int, departments: Collection[int] | None = None
) -> Document | None:
    """One document, or None when there is none or staff of ``departments`` may not
    see it."""
    return _visible(Document.objects.filter(pk=document_id), departments).first()


def document_get_by_code(*, code: str) -> Document | None:
    code = normalise_code(code)
    if not code:
        return None
    return Document.objects.filter(code=code).first()


def document_get_for_person(*, person_id: int, code: str) -> Document | None:
    document = document_get_by_code(code=code)
    if document is None or document.person_id != person_id:
        return None
    return document


def document_read(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return bytes(handle.read())


# --- verification -----------------------------------------------------------------------------


def _initials(first: str, last: str) -> str:
    return " ".join(f"{part[0]}." for part in (first, last) if part)


def _verification(document: Document, outcome: str, **extra: Any) -> Verification:
    from loket.people.selectors import person_get

    person = person_get(person_id=document.person_id)
    holder = _initials(person.first_name, person.last_name) if person is not None else ""
    return Verification(
        outcome=outcome,
        code=document.code,
        title=document.title,
        holder=holder,
        issuer_name=document.issuer_name,
        issued_at=document.issued_at,
        revoked_at=document.revoked_at,
        pages=document.pages,
        sha256=document.sha256,
        **extra,
    )


def verification_by_code(*, code: str) -> Verification:
    document = document_get_by_code(code=code)
    if document is None:
        return Verification(outcome=VerificationOutcome.UNKNOWN)
    outcome = (
        VerificationOutcome.REVOKED
        if document.status == DocumentStatus.REVOKED
        else VerificationOutcome.AUTHENTIC
    )
    return _verification(document, outcome)


def verification_by_pdf(*, data: bytes) -> Verification:
    """Is this file a document we issued, unchanged, with a valid seal? Revoked ones are
    said to be revoked. Anything else is "not authentic"."""
    from loket.documents.verification import signature_check

    if not data or len(data) > UPLOAD_MAX_BYTES:
        return Verification(outcome=VerificationOutcome.NOT_AUTHENTIC)
    digest = hashlib.sha256(data).hexdigest()
    check = signature_check(data)
    document = Document.objects.filter(sha256=digest).first()
    if document is None or not check.ok:
        return Verification(
            outcome=VerificationOutcome.NOT_AUTHENTIC, sha256=digest, signature=check
        )
    outcome = (
        VerificationOutcome.REVOKED
        if document.status == DocumentStatus.REVOKED
        else VerificationOutcome.AUTHENTIC
    )
    return _verification(document, outcome, signature=check)


# --- print batches ---------------------------------------------------------------------------


def print_batch_list(*, limit: int = 50) -> list[PrintBatch]:
    return list(PrintBatch.objects.order_by("-created_at", "-id")[:limit])


def print_batch_get(*, batch_id: int) -> PrintBatch | None:
    return PrintBatch.objects.filter(pk=batch_id).first()


def print_batch_letters(*, batch_id: int) -> list[PrintedLetter]:
    return list(PrintedLetter.objects.filter(batch_id=batch_id).order_by("position"))


def print_batch_read(batch: PrintBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return bytes(handle.read())


# --- for the REST API (read-only additions) --------------------------------------------


def documents_for_person_outside_cases(
    *, person_id: int, after: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[DocumentSummary], str | None]:
    """A resident's documents issued outside any dossier (certificates, extracts),
    newest first (keyset pages). Raises ``ValueError`` for a cursor this list did not
    hand out."""
    if after and _uncursor(after) is None:
        raise ValueError("not a cursor of this list")
    return _page(Document.objects.filter(person_id=person_id, case_id__isnull=True), after, limit)


def documents_for_cases(*, case_ids: Collection[int]) -> dict[int, list[DocumentSummary]]:
    """The documents of several dossiers in one query (a list page): case id → its
    documents, newest first."""
    found: dict[int, list[DocumentSummary]] = {case_id: [] for case_id in case_ids}
    if not found:
        return found
    rows = (
        Document.objects.filter(case_id__in=list(found))
        .select_related("replaced_by")
        .order_by("-issued_at", "-id")
    )
    for row in rows:
        replaced = getattr(row, "replaced_by", None) if hasattr(row, "replaced_by") else None
        row._replaced_by_code = replaced.code if replaced is not None else None  # type: ignore[attr-defined]
        assert row.case_id is not None
        found[row.case_id].append(document_summary(row))
    return found
