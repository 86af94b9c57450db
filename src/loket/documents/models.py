"""Document templates, issued documents and print batches.

An issued document is immutable: its PDF is written once through Django's storage API
and never replaced; revoking it changes only its status (the PDF stays verifiable as
revoked). Only ``services.py`` writes these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.documents.constants import DocumentKind, DocumentStatus, PrintBatchStatus


class DocumentTemplate(models.Model):
    """One version of a template in one language. ``published_at`` empty: the working
    copy staff edit (at most one per key and language); issuing uses the newest
    published version."""

    key = models.SlugField(_("key"), max_length=60)
    language = models.CharField(_("language"), max_length=2)
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (HTML with placeholders)"))
    css = models.TextField(_("extra CSS"), blank=True)
    self_service = models.BooleanField(_("residents may request it themselves"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language", "version"], name="documents_template_version"
            ),
            models.UniqueConstraint(
                fields=["key", "language"],
                condition=models.Q(published_at__isnull=True),
                name="documents_template_one_working_copy",
            ),
        ]
        ordering = ["key", "language", "-version"]

    def __str__(self) -> str:
        return f"{self.key} ({self.language}) v{self.version}"


class Document(models.Model):
    """A sealed PDF issued to a resident (optionally for a case)."""

    code = models.CharField(_("verification code"), max_length=12, unique=True)
    template_key = models.SlugField(_("template"), max_length=60)
    template_version = models.PositiveIntegerField(_("template version"))
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    language = models.CharField(_("language"), max_length=2)
    title = models.CharField(_("title"), max_length=200)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    # The department that issued it (a case's department): staff see a case's documents
    # only in their own departments. Empty for certificates issued outside a case.
    department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing department"),
    )
    file = models.FileField(_("PDF"), upload_to="documents/%Y/%m/", max_length=200)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    pages = models.PositiveSmallIntegerField(_("pages"))
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer_name = models.CharField(_("issued by (organisation)"), max_length=200)
    sealed_by = models.CharField(_("seal certificate subject"), max_length=300)
    timestamp_at = models.DateTimeField(_("timestamp"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        indexes = [
            models.Index(fields=["person", "-issued_at", "-id"], name="documents_by_person"),
            models.Index(fields=["case_id", "-issued_at"], name="documents_by_case"),
            models.Index(fields=["-issued_at", "-id"], name="documents_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.code}"


class PrintBatch(models.Model):
    """One print run: the letters waiting for paper, in one print-ready PDF with a cover
    list. Ready → printed (the letters count as sent) → posted."""

    reference = models.CharField(_("reference"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("PDF"), upload_to="print-batches/%Y/%m/", max_length=200)
    letter_count = models.PositiveIntegerField(_("letters"))
    page_count = models.PositiveIntegerField(_("pages"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PrintBatchStatus.choices,
        default=PrintBatchStatus.READY,
    )
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class PrintedLetter(models.Model):
    """Where one letter sits in a print batch (it is tracked through the batch's
    printed and posted times)."""

    batch = models.ForeignKey(PrintBatch, on_delete=models.CASCADE, related_name="letters")
    letter_id = models.BigIntegerField(_("letter"), unique=True)
    message_id = models.BigIntegerField(_("message"))
    position = models.PositiveIntegerField(_("position in the batch"))
    recipient_name = models.CharField(_("recipient"), max_length=210)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    first_page = models.PositiveIntegerField(_("first page"))
    pages = models.PositiveSmallIntegerField(_("pages"))

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="documents_letter_position")
        ]

    def __str__(self) -> str:
        return f"letter {self.letter_id} in {self.batch_id}"
