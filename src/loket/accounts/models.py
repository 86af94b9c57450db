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
