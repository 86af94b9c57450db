"""Reads of the kernel."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from loket.core.constants import Permission
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
from loket.core.types import ComponentHealth, WorkerInfo

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


def _permission_departments(user: Any) -> dict[str, frozenset[int]]:
    """Permission code → the departments where ``user`` has it; one query, then cached
    on the user object (so once per request for ``request.user``)."""
    cached: dict[str, frozenset[int]] | None = getattr(user, _PERMISSION_CACHE, None)
    if cached is not None:
        return cached
    found: dict[str, set[int]] = {}
    rows = DepartmentMembership.objects.filter(user_id=user.pk).values_list(
        "department_id", "role__permissions"
    )
    for department_id, permissions in rows:
        for code in permissions or ():
            found.setdefault(code, set()).add(department_id)
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
