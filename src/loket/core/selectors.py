"""Reads of the kernel."""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

# Other modules bake their reads with this (ADR 0020): the kernel's read helper.
from loket.core.baked import BakedQuery
from loket.core.constants import PUBLIC_CONTENT_EPOCH_KEY, Permission
from loket.core.models import (
    AuditEvent,
    Department,
    DepartmentMembership,
    OpeningHours,
    Organisation,
    Role,
    User,
    WorkerHeartbeat,
)
from loket.core.types import (
    ComponentHealth,
    StaffMemberInfo,
    StaffMembershipInfo,
    StaffPage,
    WorkerInfo,
)

WORKER_STALE_AFTER = timedelta(seconds=90)
HEALTH_WAITING_CAP = 1000


def organisation_list_public() -> QuerySet[Organisation]:
    """Every organisation with its opening hours, in display order (two queries)."""
    return Organisation.objects.prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )


def organisation_primary() -> Organisation | None:
    return Organisation.objects.filter(is_primary=True).first() or Organisation.objects.first()


def department_list(*, organisation: Organisation | None = None) -> QuerySet[Department]:
    departments = Department.objects.select_related("organisation", "communication_liaison")
    if organisation is not None:
        departments = departments.filter(organisation=organisation)
    return departments


_DEPARTMENT_CHOICES: BakedQuery[Any] = BakedQuery(
    lambda shape: Department.objects.order_by("name", "pk").values("pk", "name"),
    name="department choices",
)


_DEPARTMENTS_WITH_ORGANISATION: BakedQuery[Any] = BakedQuery(
    lambda shape: Department.objects.values("pk", "name", "organisation__name"),
    name="departments with their organisation",
)


def department_names_with_organisation() -> list[tuple[int, str, str]]:
    """(id, name, the organisation's name) of every department, the primary
    organisation's first (one query, no model instances)."""
    return [
        (row["pk"], row["name"], row["organisation__name"])
        for row in _DEPARTMENTS_WITH_ORGANISATION.all()
    ]


def department_choices() -> list[tuple[int, str]]:
    """(id, name) of every department, by name: for a select list (no joins)."""
    return [(row["pk"], row["name"]) for row in _DEPARTMENT_CHOICES.all()]


def department_list_for_staff(*, user: User) -> QuerySet[Department]:
    return department_list().filter(memberships__user=user).distinct()


def membership_list_for_staff(*, user: User) -> QuerySet[DepartmentMembership]:
    """A staff member's roles per department, with department, organisation and role
    (1 query)."""
    return (
        DepartmentMembership.objects.filter(user=user)
        .select_related("department__organisation", "role")
        .order_by("department__organisation__name", "department__name", "role__name")
    )


# --- Roles and permissions ---------------------------------------------------------

_PERMISSION_CACHE = "_loket_permissions"


# Every staff page asks this first: its SQL is built once (ADR 0020).
_ROLES_OF_USER: BakedQuery[Any] = BakedQuery(
    lambda shape, user_id: DepartmentMembership.objects.filter(user_id=user_id).values(
        "department_id", "role__permissions"
    ),
    name="roles of a staff member",
)


def _permission_departments(user: Any) -> dict[str, frozenset[int]]:
    """Permission code → the departments where ``user`` has it; one query, then cached
    on the user object (so once per request for ``request.user``)."""
    cached: dict[str, frozenset[int]] | None = getattr(user, _PERMISSION_CACHE, None)
    if cached is not None:
        return cached
    found: dict[str, set[int]] = {}
    for row in _ROLES_OF_USER.all(int(user.pk)):
        for code in row["role__permissions"] or ():
            found.setdefault(code, set()).add(row["department_id"])
    result = {code: frozenset(ids) for code, ids in found.items()}
    setattr(user, _PERMISSION_CACHE, result)
    return result


def staff_permissions_forget(*, user: Any) -> None:
    """Drop the permissions cached on this user object (after a membership change)."""
    if hasattr(user, _PERMISSION_CACHE):
        delattr(user, _PERMISSION_CACHE)


def _counts(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def staff_has_permission(*, user: Any, permission: str, department_id: int | None = None) -> bool:
    """May ``user`` do ``permission`` in the department (``None``: in any department)?

    Superusers may do everything; inactive and anonymous users nothing. At most one
    query per user object."""
    if not _counts(user):
        return False
    if user.is_superuser:
        return True
    departments = _permission_departments(user).get(str(permission), frozenset())
    if department_id is None:
        return bool(departments)
    return department_id in departments


def staff_department_ids(*, user: Any, permission: str) -> frozenset[int]:
    """The departments in which ``user`` has ``permission`` (every department for a
    superuser)."""
    if not _counts(user):
        return frozenset()
    if user.is_superuser:
        return frozenset(Department.objects.values_list("pk", flat=True))
    return _permission_departments(user).get(str(permission), frozenset())


def staff_permissions(*, user: Any) -> frozenset[str]:
    """Every permission ``user`` has in at least one department (all for superusers)."""
    if not _counts(user):
        return frozenset()
    if user.is_superuser:
        return frozenset(Permission.values)
    return frozenset(_permission_departments(user))


def _staff_info(user: User) -> StaffMemberInfo:
    return StaffMemberInfo(
        id=user.pk,
        username=user.get_username(),
        full_name=user.get_full_name() or user.get_username(),
        email=user.email,
        is_active=user.is_active,
        is_superuser=user.is_superuser,
        memberships=tuple(
            StaffMembershipInfo(
                id=m.pk,
                department_id=m.department_id,
                department=m.department.name,
                organisation=m.department.organisation.name,
                role_slug=m.role.slug,
                role=m.role.name,
            )
            for m in user.memberships.all()
        ),
    )


def _staff_queryset() -> QuerySet[User]:
    memberships = DepartmentMembership.objects.select_related(
        "department__organisation", "role"
    ).order_by("department__organisation__name", "department__name", "role__name")
    return User.objects.filter(is_staff=True).prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )


def _staff_cursor(user: User) -> str:
    raw = json.dumps([user.last_name, user.first_name, user.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _staff_uncursor(cursor: str) -> tuple[str, str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        last_name, first_name, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise ValueError("not a cursor of this list") from error
    if not (isinstance(last_name, str) and isinstance(first_name, str) and isinstance(pk, int)):
        raise ValueError("not a cursor of this list")
    return last_name, first_name, pk


def staff_list(*, query: str = "", after: str | None = None, limit: int = 25) -> StaffPage:
    """Staff members (``is_staff``) with their roles per department, by last name, first
    name; keyset-paginated (two queries a page). Raises ``ValueError`` for a cursor that
    this function did not make."""
    limit = max(1, min(limit, 100))
    users = _staff_queryset()
    query = query.strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    if after:
        last_name, first_name, pk = _staff_uncursor(after)
        users = users.filter(last_name__gte=last_name).filter(
            Q(last_name__gt=last_name)
            | Q(last_name=last_name, first_name__gt=first_name)
            | Q(last_name=last_name, first_name=first_name, pk__gt=pk)
        )
    rows = list(users.order_by("last_name", "first_name", "id")[: limit + 1])
    next_cursor = _staff_cursor(rows[limit - 1]) if len(rows) > limit else None
    return StaffPage(items=tuple(_staff_info(u) for u in rows[:limit]), next_cursor=next_cursor)


def staff_get(*, user_id: int) -> StaffMemberInfo | None:
    """One staff member with their roles (two queries), or None."""
    user = _staff_queryset().filter(pk=user_id).first()
    return _staff_info(user) if user is not None else None


def role_list() -> QuerySet[Role]:
    return Role.objects.order_by("name")


def role_get(*, slug: str) -> Role | None:
    return Role.objects.filter(slug=slug).first()


def audit_events_for_person(*, person_id: int) -> QuerySet[AuditEvent]:
    """What the municipality did with a resident's data: shown to that resident."""
    return AuditEvent.objects.filter(subject_person_id=person_id).order_by("-at", "-id")


def audit_events_recent(*, limit: int = 20) -> list[AuditEvent]:
    return list(AuditEvent.objects.select_related("actor").order_by("-at", "-id")[:limit])


def worker_list_alive(*, now: datetime | None = None) -> list[WorkerInfo]:
    """Workers whose heartbeat is recent (one query). A worker that stopped cleanly has
    removed its row; one that crashed drops out after ``WORKER_STALE_AFTER``."""
    cutoff = (now or timezone.now()) - WORKER_STALE_AFTER
    return [
        WorkerInfo(
            worker_id=row.worker_id,
            hostname=row.hostname,
            backend=row.backend,
            last_seen_at=row.last_seen_at,
        )
        for row in WorkerHeartbeat.objects.filter(last_seen_at__gte=cutoff).order_by("worker_id")
    ]


def health_database() -> ComponentHealth:
    """Does the database answer a trivial query? (one query)"""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means: not healthy
        return ComponentHealth("database", False, type(exc).__name__, _ms(started))
    return ComponentHealth("database", True, connection.vendor, _ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def health_task_queue() -> ComponentHealth:
    """Can work be queued? For the database backend: its table answers; for RQ: Redis
    answers (one query, or one Redis round trip). Workers that are alive are reported
    by ``worker_list_alive``."""
    from django.conf import settings

    started = time.perf_counter()
    backend = settings.LOKET_TASK_BACKEND
    try:
        if backend == "rq":
            import redis

            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
            )
            try:
                client.ping()
            finally:
                client.close()
            detail = "rq"
        elif backend == "database":
            from django_tasks_db.models import DBTaskResult

            # Bounded: a load balancer calls this every few seconds, the queue may be long.
            waiting = DBTaskResult.objects.filter(status="READY")[:HEALTH_WAITING_CAP].count()
            shown = f"{waiting}+" if waiting >= HEALTH_WAITING_CAP else str(waiting)
            detail = f"database, {shown} waiting"
        else:
            detail = backend
    except Exception as exc:  # any error reaching the queue means: not healthy
        return ComponentHealth("tasks", False, type(exc).__name__, _ms(started))
    return ComponentHealth("tasks", True, detail, _ms(started))


def public_content_epoch() -> str:
    """The epoch of the public content (municipality, departments, opening hours,
    catalogue): part of the key of the kept public page fragments. It moves on when
    that content is saved (``services.public_content_changed``)."""
    return str(cache.get(PUBLIC_CONTENT_EPOCH_KEY) or "0")
