"""The periodic scheduler: jobs declared with @periodic, enqueued by scheduler_tick under
a database lease (the unique constraint on ScheduledRun)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from loket.core import services
from loket.core.models import ScheduledRun
from loket.core.services import periodic, scheduler_tick
from loket.core.tests import jobs

BRUSSELS = ZoneInfo("Europe/Brussels")
ECHO = "loket.core.tests.jobs.echo"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BRUSSELS)


@pytest.fixture
def registry() -> Iterator[dict[str, services.PeriodicJob]]:
    """An empty job registry for the test; the real one comes back afterwards."""
    saved = dict(services.PERIODIC_JOBS)
    services.PERIODIC_JOBS.clear()
    try:
        yield services.PERIODIC_JOBS
    finally:
        services.PERIODIC_JOBS.clear()
        services.PERIODIC_JOBS.update(saved)


def hourly_echo() -> None:
    periodic("0 * * * *")(jobs.echo)


def enqueued_echoes() -> int:
    return DBTaskResult.objects.filter(task_path=ECHO).count()


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once(registry: Any) -> None:
    hourly_echo()

    assert scheduler_tick(now=at(2, 10, 5), worker_id="w1") == [ECHO]
    assert scheduler_tick(now=at(2, 10, 6), worker_id="w1") == []
    assert scheduler_tick(now=at(2, 10, 59), worker_id="w1") == []

    assert enqueued_echoes() == 1
    run = ScheduledRun.objects.get()
    assert run.due_at == at(2, 10)
    assert run.worker_id == "w1"
    assert run.task_result_id == str(DBTaskResult.objects.get(task_path=ECHO).id)


@pytest.mark.django_db
def test_the_next_slot_is_enqueued_again(registry: Any) -> None:
    hourly_echo()
    scheduler_tick(now=at(2, 10, 5), worker_id="w1")

    assert scheduler_tick(now=at(2, 11, 0), worker_id="w1") == [ECHO]
    assert enqueued_echoes() == 2


@pytest.mark.django_db
def test_two_workers_at_the_same_moment_enqueue_it_once(registry: Any) -> None:
    hourly_echo()

    first = scheduler_tick(now=at(2, 10, 0), worker_id="worker-a")
    second = scheduler_tick(now=at(2, 10, 0), worker_id="worker-b")

    assert (first, second) == ([ECHO], [])
    assert enqueued_echoes() == 1
    assert ScheduledRun.objects.get().worker_id == "worker-a"


@pytest.mark.django_db
def test_after_downtime_only_the_latest_missed_run_is_enqueued(registry: Any) -> None:
    hourly_echo()
    scheduler_tick(now=at(2, 10, 5), worker_id="w1")

    # The workers were down from 10:05 until 15:30: five slots were missed.
    assert scheduler_tick(now=at(2, 15, 30), worker_id="w1") == [ECHO]

    assert enqueued_echoes() == 2
    assert [run.due_at for run in ScheduledRun.objects.order_by("due_at")] == [
        at(2, 10),
        at(2, 15),
    ]


@pytest.mark.django_db
def test_a_weekly_job_missed_during_a_long_downtime_still_runs(registry: Any) -> None:
    periodic("0 6 * * 1")(jobs.echo)  # Mondays at 06:00; 2026-03-02 is a Monday

    assert scheduler_tick(now=at(4, 12), worker_id="w1") == [ECHO]
    assert ScheduledRun.objects.get().due_at == at(2, 6)


@pytest.mark.django_db
def test_cron_times_are_in_the_municipality_time_zone(registry: Any) -> None:
    periodic("30 2 * * *")(jobs.echo)

    scheduler_tick(now=at(10, 9), worker_id="w1")

    due = ScheduledRun.objects.get().due_at.astimezone(BRUSSELS)
    assert (due.hour, due.minute) == (2, 30)


@pytest.mark.parametrize("cron", ["61 * * * *", "* * *", "every night", "0 25 * * *", ""])
def test_an_invalid_cron_expression_is_refused(cron: str) -> None:
    with pytest.raises(ValueError, match="cron"):
        periodic(cron)


def test_periodic_needs_a_task(registry: Any) -> None:
    def plain_function() -> None: ...

    with pytest.raises(TypeError, match="@task"):
        periodic("0 * * * *")(plain_function)
    assert registry == {}


@pytest.mark.django_db
def test_a_job_that_cannot_be_enqueued_takes_no_lease_and_spares_the_others(
    registry: Any,
) -> None:
    def broken_queue() -> None:
        raise ConnectionError("queue unreachable")

    registry["broken"] = services.PeriodicJob(name="broken", cron="0 * * * *", enqueue=broken_queue)
    hourly_echo()

    assert scheduler_tick(now=at(2, 10, 5), worker_id="w1") == [ECHO]
    assert list(ScheduledRun.objects.values_list("job", flat=True)) == [ECHO]

    # Once the queue is back, the next tick enqueues the missed run.
    registry["broken"] = services.PeriodicJob(
        name="broken", cron="0 * * * *", enqueue=jobs.echo.enqueue
    )
    assert scheduler_tick(now=at(2, 10, 6), worker_id="w1") == ["broken"]


@pytest.mark.django_db(transaction=True)
def test_racing_workers_on_postgresql_enqueue_each_run_once(registry: Any) -> None:
    """Two threads, two database connections, the same due runs at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (run with DATABASE_URL)")

    rounds = 5
    start = threading.Barrier(2, timeout=30)
    inside = threading.Event()

    def slow_enqueue() -> Any:
        # Hold the transaction open so the other worker's insert has to wait on it.
        inside.set()
        time.sleep(0.2)
        return jobs.echo.enqueue("race")

    registry["race"] = services.PeriodicJob(name="race", cron="0 * * * *", enqueue=slow_enqueue)
    outcomes: dict[str, list[list[str]]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def worker(worker_id: str) -> None:
        try:
            for hour in range(rounds):
                start.wait()
                outcomes[worker_id].append(
                    scheduler_tick(now=at(2, 10 + hour, 1), worker_id=worker_id)
                )
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
            start.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert inside.is_set()
    for hour in range(rounds):
        winners = [name for name in outcomes if outcomes[name][hour] == ["race"]]
        losers = [name for name in outcomes if outcomes[name][hour] == []]
        assert len(winners) == 1, (hour, outcomes)
        assert len(losers) == 1, (hour, outcomes)
    assert ScheduledRun.objects.filter(job="race").count() == rounds
    assert enqueued_echoes() == rounds
