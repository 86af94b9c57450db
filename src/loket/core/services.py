"""Writes of the kernel: the audit log, staff and departments, the periodic scheduler.

Every module records audit lines through ``audit_record``; nothing else writes them.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from croniter import croniter
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from loket.core.constants import PUBLIC_CONTENT_EPOCH_KEY, AuditAction, Permission, RoleSlug
from loket.core.logging import redact
from loket.core.models import (
    AuditEvent,
    Department,
    DepartmentMembership,
    OpeningHours,
    Organisation,
    Role,
    ScheduledRun,
    User,
    WorkerHeartbeat,
)
from loket.core.selectors import staff_has_permission, staff_permissions_forget

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule refused the change; the message is shown to the user as is."""


# --- Audit log ---------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: AuditAction | str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    subject_person_id: int | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one line to the audit log: who did what to which object, when and why.

    Call it inside the transaction of the change it records, so both land or neither.
    Labels and reasons pass through the national-number redactor.
    """
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        object_label = object_label or str(target)
    if not object_type:
        raise ValueError("audit_record needs a target or an object_type")
    label = actor.get_username() if actor is not None else "system"
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_label=label[:200],
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        object_label=redact(object_label)[:200],
        subject_person_id=subject_person_id,
        reason=redact(reason)[:500],
        changes=changes or {},
    )


# --- Staff and departments ---------------------------------------------------------


def _role(role: Role | str) -> Role:
    if isinstance(role, Role):
        return role
    try:
        return Role.objects.get(slug=str(role))
    except Role.DoesNotExist:
        raise DomainError(f"Onbekende rol: {role}.") from None


@transaction.atomic
def department_add_member(
    *, actor: User | None, department: Department, user: User, role: Role | str
) -> DepartmentMembership:
    """Give ``user`` a role in ``department`` (idempotent). No permission check: for
    seeding and set-up; the back office uses ``membership_add``."""
    role = _role(role)
    membership, created = DepartmentMembership.objects.get_or_create(
        department=department, user=user, role=role
    )
    if created:
        # Roles without the back office (a volunteer) do not make their holder staff.
        if not user.is_staff and Permission.BACKOFFICE in role.permissions:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=membership,
            changes={"role": role.slug, "user": user.pk, "department": department.pk},
        )
        _forget_permissions(user)
    return membership


def _forget_permissions(user: User) -> None:
    staff_permissions_forget(user=user)


def _require_staff_manager(actor: User) -> None:
    if not staff_has_permission(user=actor, permission=Permission.STAFF_MANAGE):
        raise PermissionDenied(Permission.STAFF_MANAGE)


@transaction.atomic
def membership_add(
    *, actor: User, user_id: int, department_id: int, role: Role | str
) -> DepartmentMembership:
    """An administrator (``staff.manage``) gives a staff member a role in a department.

    Refuses a role the member already has there, and accounts that cannot log in."""
    _require_staff_manager(actor)
    role = _role(role)
    user = User.objects.select_for_update().filter(pk=user_id, is_staff=True).first()
    department = Department.objects.filter(pk=department_id).first()
    if user is None or department is None:
        raise DomainError("Deze medewerker of dienst bestaat niet (meer).")
    if not user.is_active:
        raise DomainError(f"Het account {user.get_username()} is geblokkeerd.")
    if DepartmentMembership.objects.filter(user=user, department=department, role=role).exists():
        raise DomainError(
            f"{user.get_full_name() or user.get_username()} heeft de rol {role.name} "
            f"al bij {department.name}."
        )
    return department_add_member(actor=actor, department=department, user=user, role=role)


@transaction.atomic
def membership_remove(*, actor: User, membership_id: int) -> None:
    """An administrator takes a role away. Refuses to take away the actor's own last
    way to manage staff (nobody locks themselves out by accident)."""
    _require_staff_manager(actor)
    membership = (
        DepartmentMembership.objects.select_for_update()
        .select_related("user", "department", "role")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise DomainError("Deze rol bestaat niet (meer).")
    if (
        membership.user_id == actor.pk
        and not actor.is_superuser
        and Permission.STAFF_MANAGE in membership.role.permissions
        and not any(
            Permission.STAFF_MANAGE in (permissions or ())
            for permissions in DepartmentMembership.objects.filter(user_id=actor.pk)
            .exclude(pk=membership.pk)
            .values_list("role__permissions", flat=True)
        )
    ):
        raise DomainError(
            "Dit is uw laatste rol waarmee u medewerkers beheert; "
            "vraag een andere beheerder om ze weg te nemen."
        )
    user = membership.user
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        target=membership,
        changes={
            "role": membership.role.slug,
            "user": membership.user_id,
            "department": membership.department_id,
        },
    )
    membership.delete()
    if membership.department.communication_liaison_id == user.pk and not (
        DepartmentMembership.objects.filter(user=user, department=membership.department).exists()
    ):
        Department.objects.filter(pk=membership.department_id).update(communication_liaison=None)
    _forget_permissions(user)
    _forget_permissions(actor)


@transaction.atomic
def department_set_liaison(*, actor: User | None, department: Department, user: User) -> None:
    """Make ``user`` the department's communication liaison; they must be a member."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    if not DepartmentMembership.objects.filter(department=department, user=user).exists():
        raise DomainError(
            f"{user.get_full_name() or user.get_username()} werkt niet bij {department.name}."
        )
    previous = department.communication_liaison_id
    department.communication_liaison = user
    department.save(update_fields=["communication_liaison"])
    DepartmentMembership.objects.get_or_create(
        department=department, user=user, role=_role(RoleSlug.COMMUNICATION)
    )
    _forget_permissions(user)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=department,
        changes={"communication_liaison": [previous, user.pk]},
    )


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    slug: str,
    nis_code: str,
    street: str,
    postcode: str,
    municipality: str,
    email: str,
    phone: str,
    website: str = "",
    is_primary: bool = False,
    opening_hours: Iterable[tuple[int, time, time, bool]] = (),
) -> Organisation:
    """Create an organisation with its opening hours: (weekday, opens, closes, by
    appointment only). Colours start at the model's defaults."""
    organisation = Organisation(
        kind=kind,
        name=name,
        slug=slug,
        nis_code=nis_code,
        street=street,
        postcode=postcode,
        municipality=municipality,
        email=email,
        phone=phone,
        website=website,
        is_primary=is_primary,
    )
    organisation.full_clean()
    organisation.save()
    OpeningHours.objects.bulk_create(
        OpeningHours(
            organisation=organisation,
            weekday=weekday,
            opens=opens,
            closes=closes,
            by_appointment=by_appointment,
        )
        for weekday, opens, closes, by_appointment in opening_hours
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=organisation)
    return organisation


@transaction.atomic
def department_create(
    *,
    actor: User | None,
    organisation: Organisation,
    name: str,
    slug: str,
    email: str = "",
    phone: str = "",
) -> Department:
    department = Department(
        organisation=organisation, name=name, slug=slug, email=email, phone=phone
    )
    department.full_clean()
    department.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=department)
    return department


# --- Periodic jobs -----------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str
    enqueue: Callable[[], Any]


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic(cron: str) -> Callable[[Any], Any]:
    """Declare a task (from the Tasks API) as recurring, e.g. ``@periodic("0 2 * * *")``.

    Put it above ``@task`` in a module's ``tasks.py``. Times are in the deployment's
    time zone (Europe/Brussels). An invalid expression is refused at import time.
    """
    if not croniter.is_valid(cron):
        raise ValueError(f"not a cron expression: {cron!r}")

    def register(task: Any) -> Any:
        name = getattr(task, "module_path", None)
        if not name or not callable(getattr(task, "enqueue", None)):
            raise TypeError("@periodic goes above @task: it needs a task to enqueue")
        PERIODIC_JOBS[name] = PeriodicJob(name=name, cron=cron, enqueue=task.enqueue)
        return task

    return register


def scheduler_tick(*, now: datetime | None = None, worker_id: str) -> list[str]:
    """Enqueue every periodic job whose latest due time has not been enqueued yet.

    Only the most recent due run is enqueued: after downtime a job runs once, not once
    per missed slot. Inserting the ``ScheduledRun`` row is the lease: when two workers
    race, the loser's insert fails on the unique constraint (on PostgreSQL it waits for
    the winner's commit first) and it skips the job. The row and the task are written
    in one transaction, so a failed enqueue leaves no lease behind and the next tick
    tries again. Returns the names of the jobs this call enqueued.
    """
    now = timezone.localtime(now or timezone.now())
    enqueued: list[str] = []
    for job in list(PERIODIC_JOBS.values()):
        # get_prev is strictly before its base: nudge it so a run due right now counts.
        due_at = croniter(job.cron, now + timedelta(microseconds=1)).get_prev(datetime)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(
                    job=job.name, due_at=due_at, enqueued_at=timezone.now(), worker_id=worker_id
                )
                result = job.enqueue()
                run.task_result_id = str(getattr(result, "id", ""))[:64]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another worker holds the lease for this run
        except Exception:
            # One job's broken queue must not starve the others; retried next tick.
            logger.exception("could not enqueue periodic job %s", job.name)
            continue
        logger.info("scheduled %s for %s", job.name, due_at.isoformat())
        enqueued.append(job.name)
    return enqueued


def scheduled_runs_prune(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Forget leases older than ``older_than``, but always keep each job's latest one:
    it is what stops the scheduler from enqueueing that run again."""
    cutoff = (now or timezone.now()) - older_than
    latest = (
        ScheduledRun.objects.filter(job=models.OuterRef("job")).order_by("-due_at").values("pk")[:1]
    )
    deleted, _ = (
        ScheduledRun.objects.filter(due_at__lt=cutoff).exclude(pk=models.Subquery(latest)).delete()
    )
    return deleted


def task_results_prune(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Forget finished task results (successful or failed) that finished more than
    ``older_than`` ago. Only the database backend keeps results in our database; RQ
    expires its own. Waiting and running tasks are never touched. Returns how many
    results were deleted."""
    from django.conf import settings

    if settings.LOKET_TASK_BACKEND != "database":
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - older_than
    deleted, _ = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    ).delete()
    return deleted


# --- Workers -----------------------------------------------------------------------


def worker_heartbeat(*, worker_id: str, backend: str, started_at: datetime) -> None:
    """Record that ``worker_id`` is alive; ``worker_list_alive`` and /healthz read it."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "backend": backend,
            "started_at": started_at,
            "last_seen_at": now,
        },
    )


def worker_forget(*, worker_id: str) -> None:
    """A worker that stops cleanly removes its heartbeat."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def public_content_changed(**_: Any) -> None:
    """The municipality's details or the catalogue were saved (a signal receiver, also
    for the catalogue's models): the kept public page fragments are rendered again
    (ADR 0019). The epoch moves now, so that the rest of this transaction sees its own
    change, and again once the change is committed, so that nothing rendered from the
    rows as they were before the commit is kept."""

    def move_on() -> None:
        cache.set(PUBLIC_CONTENT_EPOCH_KEY, uuid.uuid4().hex, None)

    move_on()
    transaction.on_commit(move_on)


def public_content_watch(models: tuple[Any, ...], app: str) -> None:
    """Saving or deleting these models' rows moves the public content epoch on."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in models:
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                public_content_changed,
                sender=model,
                dispatch_uid=f"loket.{app}.public_content.{model.__name__}.{name}",
            )
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                public_content_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"loket.{app}.public_content.{model.__name__}.{field.name}",
            )
