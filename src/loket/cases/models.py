"""Case types with their workflow as data (statuses, transitions), and cases.

A ``CaseType`` is configuration, edited per municipality; a ``Case`` is one dossier of
that type. Which status may follow which is the ``Transition`` table, nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.cases.constants import (
    ActorKind,
    AdviceStatus,
    Channel,
    Confidentiality,
    DeadlineKind,
    PartyKind,
    PaymentStatus,
    TimelineKind,
    WaitsFor,
)


class CaseType(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="case_types",
        verbose_name=_("responsible department"),
    )
    deadline_days = models.PositiveIntegerField(_("deadline (days)"), default=30)
    deadline_kind = models.CharField(
        _("deadline counted in"),
        max_length=10,
        choices=DeadlineKind.choices,
        default=DeadlineKind.WORKING,
    )
    confidentiality = models.CharField(
        _("default confidentiality"),
        max_length=10,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    auto_complete = models.BooleanField(
        _("completed automatically"),
        default=False,
        help_text=_("The case is completed on submission, e.g. a certificate from the register."),
    )
    anonymous_allowed = models.BooleanField(_("may be reported without logging in"), default=False)
    fields = models.JSONField(
        _("form fields"),
        default=list,
        blank=True,
        help_text=_("List of {name, label, kind (text|textarea|date|number), required}."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service in the catalogue"),
        help_text=_("Its form (from the catalogue) is what residents fill in."),
    )

    class Meta:
        verbose_name = _("case type")
        verbose_name_plural = _("case types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.Model):
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="statuses")
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name (staff)"), max_length=200)
    public_name = models.CharField(_("name for residents"), max_length=200)
    next_step = models.CharField(_("next step (for residents)"), max_length=300, blank=True)
    is_initial = models.BooleanField(_("initial status"), default=False)
    is_final = models.BooleanField(_("final status"), default=False)
    waits_for = models.CharField(
        _("waits for"), max_length=20, choices=WaitsFor.choices, default=WaitsFor.MUNICIPALITY
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("status")
        verbose_name_plural = _("statuses")
        ordering = ["case_type", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "key"], name="cases_status_key"),
            models.UniqueConstraint(
                fields=["case_type"],
                condition=models.Q(is_initial=True),
                name="cases_status_one_initial",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type.slug}:{self.key}"


class Transition(models.Model):
    """One allowed status change: from → to, who may take it, its guards and actions."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="transitions")
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    from_status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="outgoing")
    to_status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="incoming")
    actor = models.CharField(
        _("taken by"), max_length=10, choices=ActorKind.choices, default=ActorKind.STAFF
    )
    permissions = models.JSONField(
        _("permissions"),
        default=list,
        blank=True,
        help_text=_("Permission codes of which staff need one (empty: cases.handle)."),
    )
    guards = models.JSONField(_("guards"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    result = models.CharField(_("result when closing"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["case_type", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "from_status", "key", "actor"], name="cases_transition_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_type.slug}:{self.key}"


class CaseCounter(models.Model):
    """The last reference number handed out in a year; locked while numbering."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(_("title"), max_length=200)
    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiated_cases",
    )
    party_kind = models.CharField(max_length=12, choices=PartyKind.choices)
    party_id = models.BigIntegerField(null=True, blank=True)
    party_label = models.CharField(max_length=200, blank=True)
    person_id = models.BigIntegerField(
        _("resident concerned"),
        null=True,
        blank=True,
        help_text=_("The person represented (or the person acting for a company)."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    confidentiality = models.CharField(
        _("confidentiality"), max_length=10, choices=Confidentiality.choices
    )
    submitted_at = models.DateTimeField(_("submitted"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    waiting_for = models.CharField(max_length=20, choices=WaitsFor.choices)
    waiting_since = models.DateTimeField()
    is_open = models.BooleanField(default=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(_("result"), max_length=100, blank=True)
    payment_status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.NONE
    )
    document_issued = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    tracking_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    contact_email = models.EmailField(blank=True)
    search_text = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["department", "is_open", "-id"], name="cases_queue_dept"),
            models.Index(fields=["assignee", "is_open", "-id"], name="cases_queue_assignee"),
            models.Index(fields=["is_open", "deadline"], name="cases_queue_deadline"),
            models.Index(fields=["waiting_for", "is_open", "-id"], name="cases_queue_waiting"),
            models.Index(fields=["person_id", "-id"], name="cases_person"),
            # "Mijn dossiers": the cases filed for a party (person, company, association).
            models.Index(fields=["party_kind", "party_id", "-id"], name="cases_party"),
            models.Index(fields=["initiator", "-id"], name="cases_initiator"),
            models.Index(fields=["case_type", "status"], name="cases_type_status"),
            models.Index(fields=["channel", "-id"], name="cases_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CaseData(models.Model):
    """The submitted data, versioned: added information makes a new version."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="data_versions")
    version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    form_version = models.CharField(max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="cases_data_version")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"


class TimelineEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=TimelineKind.choices)
    public = models.BooleanField(default=True)
    text = models.TextField()
    actor_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="cases_timeline_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseMessage(models.Model):
    """A message between the resident and the handler (both directions)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField()
    from_resident = models.BooleanField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    author_label = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="cases_message_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.author_label}"


class InternalNote(models.Model):
    """Staff only: never shown to the resident."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    author_label = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="cases_note_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.author_label}"


class AdviceRequest(models.Model):
    """One department asks another (city or OCMW) for advice on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="advice_requests")
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="advice_requests"
    )
    question = models.TextField()
    status = models.CharField(
        max_length=10, choices=AdviceStatus.choices, default=AdviceStatus.OPEN
    )
    answer = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField()
    due = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "requested_at", "pk"]
        indexes = [
            models.Index(fields=["department", "status", "-id"], name="cases_advice_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department_id} {self.status}"
