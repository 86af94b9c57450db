"""Resident accounts (linked to the population register) and their login sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResidentAccount(models.Model):
    """A user who logs in with eID or itsme, linked once-only to the register.

    The national number itself is not stored here: ``national_number_digest`` is a
    keyed hash of it, enough to recognise the resident at the next login. ``person``
    is empty for someone the register does not know (yet): a limited account.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_account"
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    national_number_digest = models.CharField(max_length=64, unique=True)
    dialect = models.CharField(_("identity service"), max_length=10)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident account")
        verbose_name_plural = _("resident accounts")

    def __str__(self) -> str:
        return f"resident account {self.pk}"


class LoginSession(models.Model):
    """One resident login on one device: what the identity provider vouched for, and
    the Django session key, so that "log out on all devices" can end every session."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=64, db_index=True)
    dialect = models.CharField(max_length=10)
    acr = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField()
    auth_time = models.DateTimeField(null=True, blank=True)
    sid = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        indexes = [models.Index(fields=["user", "ended_at"], name="accounts_session_user_open")]

    def __str__(self) -> str:
        return f"login session {self.pk} (level {self.level})"


class Mandate(models.Model):
    """A resident (the grantor, volmachtgever) lets another person (the mandatary,
    lasthebber) act for them: for every service or for the listed ones, from one day,
    until a day or until revoked. Revoking keeps the row: its history stays visible."""

    grantor = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("grantor"),
    )
    mandatary = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("mandatary"),
    )
    all_services = models.BooleanField(_("all services"), default=True)
    # Slugs of catalogue services or categories; empty when ``all_services``.
    services = models.JSONField(_("services"), default=list, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["grantor", "-created_at", "-id"], name="accounts_mandate_grantor"),
            models.Index(
                fields=["mandatary", "-created_at", "-id"], name="accounts_mandate_mandatary"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(grantor=models.F("mandatary")),
                name="accounts_mandate_not_self",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="accounts_mandate_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"mandate {self.pk}"


class CounterVisit(models.Model):
    """A clerk serves a resident at the counter, on their behalf, after checking their
    identity card; the resident sees it afterwards."""

    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("resident")
    )
    department_name = models.CharField(_("department"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("counter visit")
        verbose_name_plural = _("counter visits")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["clerk", "ended_at"], name="accounts_counter_clerk_open"),
            models.Index(fields=["person", "-started_at"], name="accounts_counter_person"),
        ]

    def __str__(self) -> str:
        return f"counter visit {self.pk}"


class CounterCheckFailure(models.Model):
    """A wrong identity card number typed at the counter for a resident: enough of them
    in a short time lock the check for that resident."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "at"], name="accounts_counter_failures")]

    def __str__(self) -> str:
        return f"counter check failure {self.pk}"
