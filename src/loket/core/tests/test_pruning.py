"""Nightly clean-up: finished task results and old scheduler leases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loket.core.models import ScheduledRun
from loket.core.services import scheduled_runs_prune, task_results_prune
from loket.core.tasks import prune_finished_tasks
from loket.core.tests import jobs

pytestmark = pytest.mark.django_db

TWO_WEEKS = timedelta(days=14)


def result(status: str, finished_days_ago: float | None) -> DBTaskResult:
    row = DBTaskResult.objects.get(id=jobs.echo.enqueue(status).id)
    row.status = status
    if finished_days_ago is not None:
        row.finished_at = timezone.now() - timedelta(days=finished_days_ago)
    row.save()
    return row


def test_only_finished_results_older_than_the_limit_are_forgotten() -> None:
    old_success = result("SUCCESSFUL", 20)
    old_failure = result("FAILED", 15)
    recent = result("SUCCESSFUL", 3)
    waiting = result("READY", None)
    running = result("RUNNING", None)

    assert task_results_prune(older_than=TWO_WEEKS) == 2

    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert left == {recent.id, waiting.id, running.id}
    assert old_success.id not in left
    assert old_failure.id not in left


@override_settings(LOKET_TASK_BACKEND="rq")
def test_other_backends_keep_their_own_results() -> None:
    old = result("SUCCESSFUL", 30)

    assert task_results_prune(older_than=TWO_WEEKS) == 0
    assert DBTaskResult.objects.filter(id=old.id).exists()


def lease(job: str, days_ago: float) -> ScheduledRun:
    due = timezone.now() - timedelta(days=days_ago)
    return ScheduledRun.objects.create(job=job, due_at=due, enqueued_at=due, worker_id="w")


def test_old_leases_go_but_each_job_keeps_its_latest() -> None:
    daily = [lease("daily", days) for days in (40, 30, 20, 1)]
    yearly = lease("yearly", 200)  # its only lease: removing it would run the job again

    assert scheduled_runs_prune(older_than=TWO_WEEKS) == 3

    assert set(ScheduledRun.objects.values_list("pk", flat=True)) == {daily[-1].pk, yearly.pk}


def test_the_nightly_task_calls_the_services(monkeypatch: Any) -> None:
    result("SUCCESSFUL", 30)
    lease("daily", 40)
    lease("daily", 1)

    assert prune_finished_tasks.call() == 1

    assert DBTaskResult.objects.count() == 0
    assert ScheduledRun.objects.count() == 1
