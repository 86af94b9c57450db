"""The kernel: organisations, departments, staff, the audit log and scheduling state."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.core.constants import WEEKDAYS, AuditAction, OrganisationKind, Permission

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1d4f91."))
nis_code = RegexValidator(r"^\d{5}$", _("A NIS code has five digits, e.g. 36007."))


class User(AbstractUser):
    """Anyone who logs in: staff, council members, residents (linked to a person later)."""

    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Organisation(models.Model):
    """The municipality or its OCMW: one deployment serves both (ADR 0002)."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    nis_code = models.CharField(_("NIS code"), max_length=5, validators=[nis_code])
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=4)
    municipality = models.CharField(_("municipality"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=30)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(_("logo"), upload_to="organisations/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1d4f91", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#ffd200", validators=[hex_colour]
    )
    is_primary = models.BooleanField(
        _("main organisation"),
        default=False,
        help_text=_("The municipality whose name and colours the site shows."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_primary"],
                condition=models.Q(is_primary=True),
                name="core_one_primary_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    by_appointment = models.BooleanField(_("by appointment only"), default=False)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["organisation", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="core_hours_close_after_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    members = models.ManyToManyField(  # type: ignore[var-annotated]
        User, through="DepartmentMembership", related_name="departments"
    )
    communication_liaison = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_for",
        verbose_name=_("communication liaison"),
        help_text=_("The member who passes this department's news to the communication cell."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="core_department_slug")
        ]

    def __str__(self) -> str:
        return self.name


def validate_permission_codes(value: object) -> None:
    """A role's permissions: a list of known ``Permission`` codes, each once."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Permissions must be a list of permission codes."))
    unknown = sorted(set(value) - set(Permission.values))
    if unknown:
        raise ValidationError(
            _("Unknown permissions: %(codes)s."), params={"codes": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each permission may appear only once."))


class Role(models.Model):
    """What a staff member may do within a department: a named set of permissions.

    The ten system roles are seeded by a migration; a municipality edits their
    permissions or adds roles of its own in the configuration."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    permissions = models.JSONField(
        _("permissions"), default=list, blank=True, validators=[validate_permission_codes]
    )
    is_system = models.BooleanField(
        _("system role"), default=False, help_text=_("Seeded with Loket; cannot be deleted.")
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("role")
    )

    class Meta:
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role"], name="core_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.department} ({self.role})"


class AuditEvent(models.Model):
    """One line of the append-only audit log; written only by ``audit_record``.

    The database refuses UPDATE and DELETE on this table (triggers in migration 0002).
    """

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=200)
    action = models.CharField(_("what"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object"), max_length=64)
    object_label = models.CharField(_("description"), max_length=200)
    subject_person_id = models.BigIntegerField(
        _("resident concerned"),
        null=True,
        blank=True,
        help_text=_("The resident whose data this is: they can see this line."),
    )
    reason = models.CharField(_("why"), max_length=500, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_person_id", "-at"], name="core_audit_subject"),
            models.Index(fields=["object_type", "object_id", "-at"], name="core_audit_object"),
            models.Index(fields=["actor", "-at"], name="core_audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class ScheduledRun(models.Model):
    """One due run of a periodic job. The unique constraint is the lease: of several
    workers that see the same job due, only the one whose insert succeeds enqueues it."""

    job = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    worker_id = models.CharField(max_length=100)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="core_scheduled_run_once")
        ]
        indexes = [models.Index(fields=["job", "-due_at"], name="core_sched_job_due")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.due_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """Each running `loket worker` process refreshes its row; /healthz reads them."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    backend = models.CharField(max_length=50)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
