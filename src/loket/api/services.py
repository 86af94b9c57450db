"""Writes of the API module: clients, credentials, tokens, the call log and the audit
lines of API reads that touch personal data."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.api.constants import (
    SECRET_PREFIX,
    TOKEN_PREFIX,
    CallOutcome,
    Confidentiality,
    Scope,
)
from loket.api.models import ApiCall, ApiClient, ApiCredential, ApiToken
from loket.api.types import IssuedCredential, IssuedToken
from loket.core.constants import AuditAction
from loket.core.services import DomainError, User, audit_record
from loket.payments import selectors as payments_selectors
from loket.payments import services as payments_services


class OAuthError(DomainError):
    """A refused token request; ``code`` is the RFC 6749 §5.2 error code."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code


def hash_secret(value: str) -> str:
    """Secrets and tokens are 256 random bits: a plain SHA-256 is enough to store them."""
    return hashlib.sha256(value.encode()).hexdigest()


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in Scope.values]
    if unknown:
        raise DomainError(_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)})
    return chosen


@transaction.atomic
def api_client_create(
    *,
    actor: User | None,
    name: str,
    organisation_id: int,
    scopes: Iterable[str],
    max_confidentiality: str = Confidentiality.NORMAL,
    rate_limit_per_minute: int = 120,
) -> ApiClient:
    name = name.strip()
    if not name:
        raise DomainError(_("Give the client a name."))
    if max_confidentiality not in Confidentiality.values:
        raise DomainError(_("Unknown confidentiality level."))
    if not 1 <= rate_limit_per_minute <= 100_000:
        raise DomainError(_("The rate limit must be between 1 and 100000 calls per minute."))
    client = ApiClient.objects.create(
        name=name[:200],
        organisation_id=organisation_id,
        scopes=_clean_scopes(scopes),
        max_confidentiality=max_confidentiality,
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=client,
        changes={"scopes": client.scopes, "max_confidentiality": max_confidentiality},
    )
    return client


@transaction.atomic
def api_client_revoke(*, actor: User | None, client_id: int) -> ApiClient:
    """Switch a client off: its credentials and tokens stop working at once."""
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    if not client.active:
        return client
    now = timezone.now()
    client.active = False
    client.revoked_at = now
    client.save(update_fields=["active", "revoked_at"])
    client.credentials.filter(revoked_at__isnull=True).update(revoked_at=now)
    client.tokens.all().delete()
    audit_record(actor=actor, action=AuditAction.UPDATE, target=client, changes={"active": False})
    return client


@transaction.atomic
def api_credential_create(
    *, actor: User | None, client_id: int, expires_at: datetime | None = None
) -> IssuedCredential:
    """A new client id and secret for ``client_id``; the secret is returned only here."""
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    if not client.active:
        raise DomainError(_("This client is revoked."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    credential = ApiCredential.objects.create(
        client=client,
        client_key="lkc_" + secrets.token_hex(12),
        prefix=secret[:10],
        secret_hash=hash_secret(secret),
        created_at=timezone.now(),
        expires_at=expires_at,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=credential)
    return IssuedCredential(
        client_id=credential.client_key, client_secret=secret, expires_at=expires_at
    )


@transaction.atomic
def api_credential_revoke(*, actor: User | None, credential_id: int) -> None:
    credential = ApiCredential.objects.select_for_update().get(pk=credential_id)
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, target=credential)


def api_token_issue(
    *, client_key: str, client_secret: str, requested_scopes: Iterable[str] | None
) -> IssuedToken:
    """OAuth 2.0 client credentials grant (RFC 6749 §4.4): check the credential and
    issue a short-lived bearer token whose scopes are a subset of the client's."""
    now = timezone.now()
    credential = (
        ApiCredential.objects.select_related("client")
        .filter(client_key=client_key[:40], revoked_at__isnull=True)
        .first()
    )
    valid = (
        credential is not None
        and hmac.compare_digest(credential.secret_hash, hash_secret(client_secret))
        and (credential.expires_at is None or credential.expires_at > now)
        and credential.client.active
    )
    if not valid or credential is None:
        raise OAuthError("invalid_client", "Client authentication failed.")
    client = credential.client
    allowed = set(client.scopes)
    wanted = allowed if requested_scopes is None else set(requested_scopes)
    if not wanted <= allowed:
        raise OAuthError("invalid_scope", "The requested scope exceeds the client's scopes.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = int(settings.LOKET_API_TOKEN_LIFETIME)
    ApiToken.objects.create(
        client=client,
        token_hash=hash_secret(token),
        scopes=sorted(wanted),
        issued_at=now,
        expires_at=now + timedelta(seconds=lifetime),
    )
    return IssuedToken(access_token=token, expires_in=lifetime, scopes=tuple(sorted(wanted)))


def api_tokens_prune(*, now: datetime | None = None) -> int:
    """Forget expired tokens (nightly)."""
    deleted, _unused = ApiToken.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


def api_call_record(
    *, client_id: int, method: str, path: str, status_code: int, personal_data: bool
) -> ApiCall:
    if status_code >= 500:
        outcome = CallOutcome.SERVER_ERROR
    elif status_code >= 400:
        outcome = CallOutcome.CLIENT_ERROR
    else:
        outcome = CallOutcome.OK
    return ApiCall.objects.create(
        client_id=client_id,
        at=timezone.now(),
        method=method[:10],
        path=path[:300],
        status_code=status_code,
        outcome=outcome,
        personal_data=personal_data,
    )


@transaction.atomic
def api_person_read_record(
    *, client_id: int, client_name: str, person_ids: Iterable[int], purpose: str
) -> int:
    """One audit line per resident an API client read, visible to that resident."""
    count = 0
    for person_id in person_ids:
        audit_record(
            actor=None,
            action=AuditAction.VIEW,
            object_type="people.person",
            object_id=str(person_id),
            object_label=f"API: {client_name}"[:200],
            subject_person_id=person_id,
            reason=f"API client {client_name} (#{client_id}): {purpose}",
        )
        count += 1
    return count


@transaction.atomic
def api_payment_link_create(*, client_id: int, client_name: str, order_id: int) -> str:
    """A payment link for an order, made by an API client (``payments:write``): the
    payments module makes it as the system; this adds who asked, for the resident to
    see. Raises the payments module's ``PaymentError`` when the order is not open."""
    url = payments_services.payment_link_create(order_id=order_id, actor=None)
    summary = payments_selectors.order_get(order_id=order_id)
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type="payments.order",
        object_id=str(order_id),
        object_label=f"API: {client_name}"[:200],
        subject_person_id=summary.person_id if summary is not None else None,
        reason=f"API client {client_name} (#{client_id}): payment link",
        changes={"payment_link": "created"},
    )
    return url
