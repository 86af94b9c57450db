"""Reads of the API module."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from loket.api.models import ApiCall, ApiClient, ApiCredential, ApiToken
from loket.api.services import hash_secret
from loket.api.types import ClientIdentity

CALLS_PER_PAGE = 50


def token_identity(*, token: str, now: datetime | None = None) -> ClientIdentity | None:
    """The client behind a bearer token that is valid now, or None (one query)."""
    row = (
        ApiToken.objects.select_related("client")
        .filter(
            token_hash=hash_secret(token),
            expires_at__gt=now or timezone.now(),
            client__active=True,
        )
        .first()
    )
    if row is None:
        return None
    return ClientIdentity(
        client_id=row.client_id,
        name=row.client.name,
        scopes=frozenset(row.scopes),
        max_confidentiality=row.client.max_confidentiality,
        rate_limit_per_minute=row.client.rate_limit_per_minute,
    )


def api_client_list() -> QuerySet[ApiClient]:
    return ApiClient.objects.select_related("organisation").order_by("-active", "name", "id")


def api_client_get(*, client_id: int) -> ApiClient | None:
    return ApiClient.objects.select_related("organisation").filter(pk=client_id).first()


def api_credential_list(*, client_id: int) -> QuerySet[ApiCredential]:
    return ApiCredential.objects.filter(client_id=client_id).order_by("-created_at", "-id")


def api_call_list(
    *, client_id: int, before_id: int | None = None, limit: int = CALLS_PER_PAGE
) -> tuple[list[ApiCall], int | None]:
    """A client's calls, newest first, keyset-paginated on the id (one query).
    Returns the page and the id to pass as ``before_id`` for the next one."""
    calls = ApiCall.objects.filter(client_id=client_id)
    if before_id is not None:
        calls = calls.filter(Q(id__lt=before_id))
    rows = list(calls.order_by("-id")[: limit + 1])
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_before
