"""Reads of the API module."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from loket.api.constants import confidentiality_levels_up_to
from loket.api.models import ApiCall, ApiClient, ApiCredential, ApiToken
from loket.api.services import hash_secret
from loket.api.types import ClientIdentity
from loket.cases.models import Case

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


# --- Cases for API clients -----------------------------------------------------------
# The cases module's selectors serve residents and staff; an API client is neither (it
# has a confidentiality clearance instead of departments). Until the cases module offers
# a client-shaped list, the API filters the case table here: read-only, and only through
# the indexes the cases module declares (``cases_person``, the primary key).


def case_page_for_client(
    *,
    max_confidentiality: str,
    status: str | None = None,
    case_type: str | None = None,
    department_id: int | None = None,
    updated_since: datetime | None = None,
    person_id: int | None = None,
    before_id: int | None = None,
    limit: int = 25,
) -> tuple[list[Case], int | None]:
    """Dossiers up to the client's confidentiality, newest first, keyset-paged on the id
    (one query). Returns the page and the id to pass as ``before_id`` for the next one.

    Paging on the id keeps every dossier in its place while a client pages, even when
    dossiers change meanwhile: a client that syncs with ``updated_since`` misses none."""
    cases = Case.objects.filter(
        confidentiality__in=confidentiality_levels_up_to(max_confidentiality)
    )
    if person_id is not None:
        cases = cases.filter(person_id=person_id)
    if status:
        cases = cases.filter(status__key=status)
    if case_type:
        cases = cases.filter(case_type__slug=case_type)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if updated_since is not None:
        cases = cases.filter(updated_at__gte=updated_since)
    if before_id is not None:
        cases = cases.filter(pk__lt=before_id)
    rows = list(
        cases.select_related("case_type", "status", "department").order_by("-pk")[: limit + 1]
    )
    next_before = rows[limit - 1].pk if len(rows) > limit else None
    return rows[:limit], next_before


def case_get_for_client(*, max_confidentiality: str, case_id: int) -> Case | None:
    """One dossier by id, if the client's clearance reaches it (for a document's case)."""
    return Case.objects.filter(
        pk=case_id, confidentiality__in=confidentiality_levels_up_to(max_confidentiality)
    ).first()


def case_references_for_person(
    *, max_confidentiality: str, person_id: int
) -> tuple[dict[int, str], list[int]]:
    """A resident's dossiers (one query): id → reference of those the client's clearance
    reaches, and the ids of those above it (their documents stay hidden)."""
    allowed = confidentiality_levels_up_to(max_confidentiality)
    visible: dict[int, str] = {}
    hidden: list[int] = []
    rows = Case.objects.filter(person_id=person_id).values_list(
        "pk", "reference", "confidentiality"
    )
    for pk, reference, level in rows:
        if level in allowed:
            visible[pk] = reference
        else:
            hidden.append(pk)
    return visible, hidden
