"""`loket worker` with LOKET_TASK_BACKEND=rq: the queue lives in Redis."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from loket.core.tests.processes import LoketSite, enqueue, heartbeats, results, run_burst

pytestmark = pytest.mark.redis


def test_tasks_go_through_redis_and_the_worker_runs_them(
    make_site: Callable[..., LoketSite], redis_url: str, tmp_path: Path
) -> None:
    site = make_site(LOKET_TASK_BACKEND="rq", REDIS_URL=redis_url)
    marker = tmp_path / "echo.txt"
    queue = redis.Redis.from_url(redis_url)

    ids = enqueue(site, ("echo", ("hallo", str(marker))), ("explode", ("kapot",)))

    # The jobs wait in Redis, not in the database.
    assert queue.llen("rq:queue:default") == 2
    assert site.sql("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult") == [(0,)]
    assert [r["status"] for r in results(site, ids)] == ["READY", "READY"]

    run_burst(site, "--no-scheduler")

    assert queue.llen("rq:queue:default") == 0
    done = results(site, ids)
    assert [r["status"] for r in done] == ["SUCCESSFUL", "FAILED"]
    assert done[0]["value"] == "hallo"
    assert done[1]["errors"] == ["builtins.RuntimeError"]
    assert marker.read_text() == "hallo"
    assert heartbeats(site) == []
    queue.close()


def test_periodic_jobs_are_enqueued_into_redis_once(
    make_site: Callable[..., LoketSite], redis_url: str
) -> None:
    site = make_site(LOKET_TASK_BACKEND="rq", REDIS_URL=redis_url)

    run_burst(site)
    run_burst(site)

    # Other modules declare periodic jobs too; this one is the kernel's.
    runs = site.sql(
        "SELECT job, task_result_id FROM core_scheduledrun WHERE job = ?",
        "loket.core.tasks.prune_finished_tasks",
    )
    assert [job for job, _ in runs] == ["loket.core.tasks.prune_finished_tasks"]
    [outcome] = results(site, [runs[0][1]])
    assert outcome["status"] == "SUCCESSFUL"
    assert outcome["value"] == 0  # RQ expires its own results: nothing to prune
