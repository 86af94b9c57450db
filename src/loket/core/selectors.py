"""Reads of the kernel."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from loket.core.models import (
    AuditEvent,
    Department,
    DepartmentMembership,
    OpeningHours,
    Organisation,
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
    """A staff member's roles per department, with department and organisation (1 query)."""
    return (
        DepartmentMembership.objects.filter(user=user)
        .select_related("department__organisation")
        .order_by("department__organisation__name", "department__name", "role")
    )


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
