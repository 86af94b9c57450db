"""Writes of the documents module: templates, issuing, revoking, print batches.

Issuing renders the PDF and seals it *before* anything is stored: a template error or a
failing seal raises a ``DomainError`` and leaves nothing behind (no row, no file).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.core.constants import AuditAction
from loket.core.selectors import organisation_primary
from loket.core.services import DomainError, audit_record
from loket.documents import rendering
from loket.documents.constants import (
    CODE_ALPHABET,
    CODE_LENGTH,
    LANGUAGES,
    PRINT_BATCH_LIMIT,
    PRINT_VARIANT,
    TEMPLATE_LIFE,
    DocumentStatus,
    PrintBatchStatus,
)
from loket.documents.defaults import DEFAULT_TEMPLATES
from loket.documents.models import Document, DocumentTemplate, PrintBatch, PrintedLetter
from loket.documents.pki import demo_pki_create
from loket.documents.providers import SealUnavailable, sealer_get
from loket.documents.rendering import TemplateBroken
from loket.documents.selectors import document_summary, template_context, template_published
from loket.documents.types import DocumentSummary, RenderedPdf, format_code
from loket.notifications.services import (
    letter_batch_claim,
    letter_batch_mark_printed,
    notify_after_commit,
)
from loket.people.selectors import person_get
from loket.webhooks.constants import EventType
from loket.webhooks.services import event_publish

logger = logging.getLogger(__name__)

__all__ = [
    "DocumentNotIssued",
    "SealUnavailable",
    "TemplateBroken",
    "document_issue",
    "document_reissue",
    "document_revoke",
    "documents_seed_demo",
    "print_batch_mark_posted",
    "print_batch_mark_printed",
    "print_batch_run",
    "template_publish",
    "template_save",
]


class DocumentNotIssued(DomainError):
    """The document could not be made; nothing was stored. The message says why."""


class DocumentRefused(DomainError):
    """The request breaks a rule (revoked twice, no reason, …)."""


# --- templates ---------------------------------------------------------------------


def template_save(
    *,
    actor: Any,
    key: str,
    language: str,
    title: str,
    body: str,
    css: str = "",
) -> DocumentTemplate:
    """Save the working copy of a template (made from the newest published version the
    first time). A working copy may hold errors: the preview shows them, and it cannot
    be published until it renders."""
    if language not in LANGUAGES:
        raise DocumentRefused("This language is not supported.")
    now = timezone.now()
    with transaction.atomic():
        versions = DocumentTemplate.objects.select_for_update().filter(key=key, language=language)
        draft = versions.filter(published_at__isnull=True).first()
        if draft is None:
            published = versions.filter(published_at__isnull=False).order_by("-version").first()
            if published is None:
                raise DocumentRefused("There is no such template.")
            draft = DocumentTemplate(
                key=key,
                language=language,
                version=published.version + 1,
                kind=published.kind,
                self_service=published.self_service,
            )
        draft.title = title.strip()[:200]
        draft.body = body
        draft.css = css
        draft.updated_at = now
        draft.updated_by = actor
        draft.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=draft,
            changes={"version": draft.version, "title": draft.title},
        )
    return draft


def template_discard(*, actor: Any, key: str, language: str) -> None:
    with transaction.atomic():
        draft = DocumentTemplate.objects.filter(
            key=key, language=language, published_at__isnull=True
        ).first()
        if draft is not None:
            audit_record(actor=actor, action=AuditAction.DELETE, target=draft)
            draft.delete()


def template_publish(*, actor: Any, key: str, language: str) -> DocumentTemplate:
    """Publish the working copy; refused while it does not render (the check uses the
    preview's sample data)."""
    from loket.documents.selectors import template_sample_context

    with transaction.atomic():
        draft = (
            DocumentTemplate.objects.select_for_update()
            .filter(key=key, language=language, published_at__isnull=True)
            .first()
        )
        if draft is None:
            raise DocumentRefused("There are no changes to publish.")
        rendering.body_render(draft.body, template_sample_context(language=language))
        draft.published_at = timezone.now()
        draft.updated_by = actor
        draft.save(update_fields=["published_at", "updated_by"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=draft,
            changes={"published": draft.version},
        )
    return draft


# --- issuing -------------------------------------------------------------------------


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Document.objects.filter(code=code).exists():
            return code


def verify_url(code: str) -> str:
    path = reverse("documents:verify-code", kwargs={"code": code})
    return settings.LOKET_BASE_URL.rstrip("/") + path


def organisation_data() -> dict[str, Any]:
    organisation = organisation_primary()
    if organisation is None:
        return {
            "name": str(_("Municipality")),
            "street": "",
            "postcode": "",
            "municipality": "",
            "email": "",
            "phone": "",
            "website": "",
            "primary_colour": "#1d4f91",
        }
    return {
        "name": organisation.name,
        "street": organisation.street,
        "postcode": organisation.postcode,
        "municipality": organisation.municipality,
        "email": organisation.email,
        "phone": organisation.phone,
        "website": organisation.website,
        "primary_colour": organisation.primary_colour,
    }


@dataclass(frozen=True)
class _Produced:
    template: DocumentTemplate
    code: str
    pdf: bytes
    pages: int
    sealed_by: str
    title: str


def _produce(
    *,
    template_key: str,
    person_id: int,
    language: str | None,
    case_context: Mapping[str, Any] | None,
) -> _Produced:
    person = person_get(person_id=person_id)
    if person is None:
        raise DocumentNotIssued("This resident is not in the register.")
    if template_key == TEMPLATE_LIFE and person.is_deceased:
        raise DocumentNotIssued("A certificate of life cannot be issued for this person.")
    template = template_published(key=template_key, language=language or person.language)
    if template is None:
        raise DocumentNotIssued("There is no published template for this document.")
    code = _new_code()
    organisation = organisation_data()
    try:
        with translation.override(template.language):
            context = template_context(
                person=person,
                organisation=organisation,
                case=case_context or {},
                code=format_code(code),
            )
            body = rendering.body_render(template.body, context)
    except TemplateBroken as exc:
        logger.warning("document template %s v%s is broken", template.key, template.version)
        raise DocumentNotIssued(
            "The document template has an error; nothing was issued. Staff have to "
            "correct it in the back office first."
        ) from exc
    recipient = None
    if person.address is not None:
        address = person.address
        box = f" bus {address.box_number}" if address.box_number else ""
        recipient = {
            "name": person.full_name,
            "lines": [
                f"{address.street_name} {address.house_number}{box}",
                f"{address.postcode} {address.municipality_name}",
            ],
        }
    html = rendering.page_html(
        title=template.title,
        language=template.language,
        body_html=body,
        css=template.css,
        organisation=organisation,
        recipient=recipient,
        code=format_code(code),
        verify_url=verify_url(code),
    )
    try:
        rendered = rendering.pdf_render(html, title=template.title, language=template.language)
    except Exception as exc:  # WeasyPrint on hostile CSS: never a broken PDF
        logger.exception("rendering document %s failed", template.key)
        raise DocumentNotIssued("The document could not be rendered; nothing was issued.") from exc
    sealer = sealer_get()
    sealed = sealer.seal(
        rendered.pdf,
        reason=f"{template.title} {format_code(code)}",
        location=str(organisation["municipality"] or organisation["name"]),
    )
    return _Produced(
        template=template,
        code=code,
        pdf=sealed,
        pages=rendered.pages,
        sealed_by=sealer.subject,
        title=template.title,
    )


def _store(
    *,
    actor: Any,
    produced: _Produced,
    person_id: int,
    case_id: int | None,
    department_id: int | None = None,
    replaces: Document | None = None,
    reason: str = "",
) -> Document:
    """Write the sealed PDF and its row; the file is removed again if the row fails."""
    now = timezone.now()
    digest = hashlib.sha256(produced.pdf).hexdigest()
    name = default_storage.save(
        f"documents/{now:%Y}/{now:%m}/{produced.code}.pdf", ContentFile(produced.pdf)
    )
    try:
        with transaction.atomic():
            document = Document.objects.create(
                code=produced.code,
                template_key=produced.template.key,
                template_version=produced.template.version,
                kind=produced.template.kind,
                language=produced.template.language,
                title=produced.title,
                person_id=person_id,
                case_id=case_id,
                department_id=department_id,
                file=name,
                sha256=digest,
                size=len(produced.pdf),
                pages=produced.pages,
                issued_at=now,
                issued_by=actor if getattr(actor, "pk", None) else None,
                issuer_name=str(organisation_data()["name"]),
                sealed_by=produced.sealed_by[:300],
                timestamp_at=now,
            )
            if replaces is not None:
                old = Document.objects.select_for_update().get(pk=replaces.pk)
                if old.status != DocumentStatus.ISSUED:
                    raise DocumentRefused("This document was revoked meanwhile.")
                _revoke(actor=actor, document=old, reason=reason, now=now)
                document.replaces = old
                document.save(update_fields=["replaces"])
            audit_record(
                actor=actor if getattr(actor, "pk", None) else None,
                action=AuditAction.CREATE,
                target=document,
                object_label=f"{document.title} {format_code(document.code)}",
                subject_person_id=person_id,
                changes={"case": case_id, "template_version": document.template_version}
                | ({"replaces": replaces.code} if replaces is not None else {}),
            )
            _webhook(document, EventType.DOCUMENT_ISSUED)
    except BaseException:
        default_storage.delete(name)
        raise
    return document


def _webhook(document: Document, event_type: str) -> None:
    """A CloudEvent for the municipality's own systems, in the transaction of the change.
    No personal data and no verification code (the code opens the public verification
    page; the API hands it out only to clients cleared for the document's dossier)."""
    event_publish(
        type=event_type,
        source="/api/v1/documents",
        subject=str(document.pk),
        data={
            "id": document.pk,
            "template": document.template_key,
            "kind": document.kind,
            "status": document.status,
            "department": document.department_id,
            "case": document.case_id,
            "replaces": document.replaces_id,
        },
    )


EVENT_DOCUMENT_ISSUED = "document-issued"  # notifications migration 0009


def _notify_issued(document: Document) -> None:
    """Tell the resident, after commit, that the document is in "Mijn documenten" (on
    their channel, and in their portal inbox). A missing event or a broken channel
    never undoes the issue (it is logged)."""
    person_id, code = document.person_id, document.code
    context = {
        "document_title": document.title,
        "document_code": format_code(code),
        "documents_url": settings.LOKET_BASE_URL.rstrip("/") + reverse("documents:mine"),
    }

    notify_after_commit(
        person_id=person_id,
        idempotency_key=f"document-{code}-issued",
        attempts=[(EVENT_DOCUMENT_ISSUED, context)],
        about=f"document {code}",
    )


def document_issue(
    *,
    actor: Any,
    template_key: str,
    person_id: int,
    case_id: int | None = None,
    language: str | None = None,
    context: Mapping[str, Any] | None = None,
    department_id: int | None = None,
) -> DocumentSummary:
    """Render, seal and store a document for a resident (and a case, when given).

    ``department_id`` is the issuing department (the case's): staff then see the
    document only in that department. A case's document issued without it is seen
    by superusers only.

    ``context`` adds case data for the template's ``case`` placeholders (``reference``,
    ``title``, ``decision``, …). The language defaults to the resident's; a template
    missing in that language falls back to Dutch. Raises ``DocumentNotIssued`` (template
    error, unknown resident) or ``SealUnavailable`` (the seal failed): then nothing is
    stored and the caller's transaction can roll back unchanged.
    """
    produced = _produce(
        template_key=template_key, person_id=person_id, language=language, case_context=context
    )
    document = _store(
        actor=actor,
        produced=produced,
        person_id=person_id,
        case_id=case_id,
        department_id=department_id,
    )
    _notify_issued(document)
    return document_summary(document)


def _revoke(*, actor: Any, document: Document, reason: str, now: Any) -> None:
    document.status = DocumentStatus.REVOKED
    document.revoked_at = now
    document.revoked_by = actor if getattr(actor, "pk", None) else None
    document.revoke_reason = reason[:500]
    document.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=document.revoked_by,
        action=AuditAction.UPDATE,
        target=document,
        object_label=f"{document.title} {format_code(document.code)}",
        subject_person_id=document.person_id,
        reason=reason,
        changes={"status": DocumentStatus.REVOKED},
    )
    _webhook(document, EventType.DOCUMENT_REVOKED)


def document_revoke(*, actor: Any, document_id: int, reason: str) -> DocumentSummary:
    """Revoke an issued document. Its PDF stays; the verification page shows it as
    revoked from now on."""
    reason = reason.strip()
    if not reason:
        raise DocumentRefused("Say why the document is revoked.")
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None:
            raise DocumentRefused("This document does not exist.")
        if document.status != DocumentStatus.ISSUED:
            raise DocumentRefused("This document was revoked already.")
        _revoke(actor=actor, document=document, reason=reason, now=timezone.now())
    return document_summary(document)


def document_reissue(
    *, actor: Any, document_id: int, reason: str, context: Mapping[str, Any] | None = None
) -> DocumentSummary:
    """Issue the document again from today's data (newest template) and revoke the old
    one, in one transaction; when the new one cannot be made the old one stays valid."""
    reason = reason.strip()
    if not reason:
        raise DocumentRefused("Say why the document is issued again.")
    old = Document.objects.filter(pk=document_id).first()
    if old is None:
        raise DocumentRefused("This document does not exist.")
    if old.status != DocumentStatus.ISSUED:
        raise DocumentRefused("This document was revoked already.")
    produced = _produce(
        template_key=old.template_key,
        person_id=old.person_id,
        language=old.language,
        case_context=context,
    )
    new = _store(
        actor=actor,
        produced=produced,
        person_id=old.person_id,
        case_id=old.case_id,
        department_id=old.department_id,
        replaces=old,
        reason=f"{reason} ({format_code(produced.code)})",
    )
    _notify_issued(new)
    return document_summary(new)


def documents_orphans_prune(*, months: int = 2, grace_minutes: int = 60) -> int:
    """Delete stored PDFs that no document row points to: left behind when the caller's
    transaction rolled back after ``document_issue`` (storage has no rollback). Only
    files older than ``grace_minutes`` in the last ``months`` folders are looked at."""
    import datetime as dt

    now = timezone.now()
    removed = 0
    day = timezone.localdate().replace(day=1)
    for _month in range(months):
        folder = f"documents/{day:%Y}/{day:%m}"
        try:
            _, names = default_storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            names = []
        known = set(
            Document.objects.filter(file__startswith=folder + "/").values_list("file", flat=True)
        )
        for name in names:
            path = f"{folder}/{name}"
            if path in known:
                continue
            try:
                modified = default_storage.get_modified_time(path)
            except (NotImplementedError, OSError):
                continue
            if now - modified >= dt.timedelta(minutes=grace_minutes):
                default_storage.delete(path)
                removed += 1
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return removed


# --- print batches ---------------------------------------------------------------------


def _batch_reference(day: date) -> str:
    taken = set(
        PrintBatch.objects.filter(reference__startswith=f"{day:%Y-%m-%d}-").values_list(
            "reference", flat=True
        )
    )
    for letter in string.ascii_lowercase:
        reference = f"{day:%Y-%m-%d}-{letter}"
        if reference not in taken:
            return reference
    return f"{day:%Y-%m-%d}-{secrets.token_hex(3)}"


def _address_lines(postal_address: str) -> list[str]:
    text = postal_address.replace("\r", "")
    parts = [p.strip() for p in (text.split("\n") if "\n" in text else text.split(","))]
    return [p for p in parts if p]


def _postcode(lines: list[str]) -> str:
    for line in reversed(lines):
        head = line.split(" ", 1)[0]
        if head.isdigit() and len(head) == 4:
            return head
    return ""


def print_batch_render(*, letters: list[Any], reference: str) -> tuple[RenderedPdf, list[int]]:
    """The print-ready PDF of a batch: the cover list, then every letter from a new page
    with the letterhead and the address in the envelope window. Returns the PDF and the
    first page (1-based) of each letter."""
    organisation = organisation_data()
    items = []
    for position, letter in enumerate(letters, start=1):
        lines = _address_lines(letter.postal_address)
        items.append(
            {
                "position": position,
                "id": letter.id,
                "name": letter.recipient_name,
                "lines": lines,
                "postcode": _postcode(lines),
                "subject": letter.subject,
                "body": letter.body,
                "language": letter.language,
            }
        )
    with translation.override("nl"):
        html = render_to_string(
            "documents/pdf/batch.html",
            {
                "organisation": organisation,
                "reference": reference,
                "letters": items,
                "created": timezone.localtime(),
            },
        )
    from weasyprint import HTML

    document = HTML(string=html).render(pdf_variant=PRINT_VARIANT)
    first_pages = [0] * len(items)
    anchor_index = {f"letter-{item['position']}": i for i, item in enumerate(items)}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            index = anchor_index.get(anchor)
            if index is not None and not first_pages[index]:
                first_pages[index] = number
    document.metadata.title = f"Print batch {reference}"
    pdf = document.write_pdf(pdf_variant=PRINT_VARIANT)
    return RenderedPdf(pdf=bytes(pdf), pages=len(document.pages)), first_pages


def print_batch_run(
    *, actor: Any, reference: str | None = None, limit: int = PRINT_BATCH_LIMIT
) -> PrintBatch | None:
    """Gather the letters waiting for paper into one print-ready PDF (up to ``limit``).

    Returns None when no letter waits. Running it again with the reference of a batch
    that exists returns that batch; a run that failed half-way takes the same letters
    again (``letter_batch_claim`` is idempotent per reference)."""
    reference = reference or _batch_reference(timezone.localdate())
    existing = PrintBatch.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    letters = letter_batch_claim(batch_reference=reference, limit=limit)
    if not letters:
        return None
    rendered, first_pages = print_batch_render(letters=letters, reference=reference)
    now = timezone.now()
    name = default_storage.save(
        f"print-batches/{now:%Y}/{now:%m}/{reference}.pdf", ContentFile(rendered.pdf)
    )
    ends = [*first_pages[1:], rendered.pages + 1]
    try:
        with transaction.atomic():
            batch = PrintBatch.objects.create(
                reference=reference,
                created_at=now,
                created_by=actor if getattr(actor, "pk", None) else None,
                file=name,
                letter_count=len(letters),
                page_count=rendered.pages,
            )
            PrintedLetter.objects.bulk_create(
                PrintedLetter(
                    batch=batch,
                    letter_id=letter.id,
                    message_id=letter.message_id,
                    position=position,
                    recipient_name=letter.recipient_name[:210],
                    postcode=_postcode(_address_lines(letter.postal_address)),
                    first_page=first,
                    pages=max(1, end - first),
                )
                for position, (letter, first, end) in enumerate(
                    zip(letters, first_pages, ends, strict=True), start=1
                )
            )
            audit_record(
                actor=actor if getattr(actor, "pk", None) else None,
                action=AuditAction.CREATE,
                target=batch,
                changes={"letters": len(letters), "pages": rendered.pages},
            )
    except IntegrityError:
        default_storage.delete(name)
        found = PrintBatch.objects.filter(reference=reference).first()
        if found is None:
            raise
        return found
    except BaseException:
        default_storage.delete(name)
        raise
    return batch


def print_batch_mark_printed(*, actor: Any, batch_id: int) -> PrintBatch:
    """The batch came out of the printer: its letters count as sent."""
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise DocumentRefused("This print batch does not exist.")
        if batch.status != PrintBatchStatus.READY:
            raise DocumentRefused("This print batch was marked printed already.")
        letter_batch_mark_printed(batch_reference=batch.reference)
        batch.status = PrintBatchStatus.PRINTED
        batch.printed_at = timezone.now()
        batch.save(update_fields=["status", "printed_at"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=batch, changes={"status": "printed"}
        )
    return batch


def print_batch_mark_posted(*, actor: Any, batch_id: int) -> PrintBatch:
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise DocumentRefused("This print batch does not exist.")
        if batch.status != PrintBatchStatus.PRINTED:
            raise DocumentRefused("Mark the print batch printed first.")
        batch.status = PrintBatchStatus.POSTED
        batch.posted_at = timezone.now()
        batch.save(update_fields=["status", "posted_at"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=batch, changes={"status": "posted"}
        )
    return batch


# --- demo --------------------------------------------------------------------------------


def templates_seed_defaults() -> int:
    """Publish version 1 of every default template that is not there yet."""
    now = timezone.now()
    made = 0
    for spec in DEFAULT_TEMPLATES:
        for language in ("nl", "en"):
            title, body = cast(tuple[str, str], spec[language])
            key = str(spec["key"])
            if DocumentTemplate.objects.filter(key=key, language=language).exists():
                continue
            DocumentTemplate.objects.create(
                key=key,
                language=language,
                version=1,
                kind=str(spec["kind"]),
                title=title,
                body=body,
                self_service=bool(spec["self_service"]),
                published_at=now,
                updated_at=now,
            )
            made += 1
    return made


def documents_seed_demo() -> None:
    """The demo's document templates, and its PKI (demo CA, seal certificate, timestamp
    authority key) in ``LOKET_DATA_DIR/documents-pki`` (kept when there already)."""
    organisation = organisation_primary()
    demo_pki_create(
        settings.LOKET_DOCUMENTS_PKI_DIR,
        organisation=organisation.name if organisation is not None else "Demo municipality",
    )
    templates_seed_defaults()
