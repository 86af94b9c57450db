"""`loket worker` called in-process, against the test database of this run.

test_worker_process.py proves the real command line on SQLite; this runs the same
command on whichever database the suite uses (PostgreSQL's SKIP LOCKED included) and
looks at the results through the ORM.
"""

from __future__ import annotations

import io
import os
import signal
import socket

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from loket.core.models import ScheduledRun, WorkerHeartbeat
from loket.core.tests import jobs

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker(*args: str) -> str:
    out = io.StringIO()
    call_command("worker", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_burst_runs_every_queued_task_and_records_failures() -> None:
    ok = jobs.echo.enqueue("een")
    bad = jobs.explode.enqueue("stuk")
    later = jobs.echo.enqueue("twee")

    run_worker("--burst", "--no-scheduler")

    rows = {str(row.id): row for row in DBTaskResult.objects.all()}
    assert rows[ok.id].status == "SUCCESSFUL"
    assert rows[ok.id].return_value == "een"
    assert rows[bad.id].status == "FAILED"
    assert rows[bad.id].exception_class_path == "builtins.RuntimeError"
    assert "stuk" in rows[bad.id].traceback
    assert rows[later.id].status == "SUCCESSFUL"
    # The results name the worker that ran them by the id its heartbeat uses.
    [worker_id] = rows[ok.id].worker_ids
    assert worker_id.startswith(f"{socket.gethostname().split('.')[0][:40]}-{os.getpid()}-")
    assert rows[later.id].worker_ids == [worker_id]
    assert not WorkerHeartbeat.objects.exists()
    assert not ScheduledRun.objects.exists()


def test_burst_with_the_scheduler_enqueues_and_runs_due_jobs() -> None:
    run_worker("--burst")

    # Other modules declare periodic jobs too; this one is the kernel's.
    run = ScheduledRun.objects.get(job="loket.core.tasks.prune_finished_tasks")
    assert run.job == "loket.core.tasks.prune_finished_tasks"
    assert DBTaskResult.objects.get(id=run.task_result_id).status == "SUCCESSFUL"


def test_signal_handlers_are_given_back() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    run_worker("--burst", "--no-scheduler")

    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
