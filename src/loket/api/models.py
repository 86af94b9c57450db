"""API clients (the municipality's other systems), their credentials, access tokens and
the log of calls that touched personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.api.constants import CallOutcome, Confidentiality


class ApiClient(models.Model):
    """One outside system that calls the API, e.g. the document management system."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    active = models.BooleanField(_("active"), default=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    max_confidentiality = models.CharField(
        _("highest confidentiality"),
        max_length=10,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("calls per minute"), default=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ApiCredential(models.Model):
    """A client secret. Only its hash is kept; the secret is shown once, at creation."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="credentials")
    client_key = models.CharField(max_length=40, unique=True)
    prefix = models.CharField(max_length=12)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client_key} ({self.prefix}…)"


class ApiToken(models.Model):
    """A short-lived bearer token issued by the token endpoint (stored hashed)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"token of {self.client_id}"


class ApiCall(models.Model):
    """One API call by a client: the call log shown in the back office."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices)
    personal_data = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["client", "-at", "-id"], name="api_call_client_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status_code}"
