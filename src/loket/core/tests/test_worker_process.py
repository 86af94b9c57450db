"""`loket worker` as an operator runs it: a separate process with its own settings.

Tasks are enqueued through Django's Tasks API by another process, as a web request
would; the worker process picks them up from the queue (the database, or Redis).
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from loket.core.tests.processes import (
    HEALTHZ,
    LoketSite,
    enqueue,
    heartbeats,
    results,
    run_burst,
    wait_for,
)


def test_database_worker_runs_queued_tasks_and_survives_a_failing_one(
    site: LoketSite, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    ids = enqueue(
        site,
        ("echo", ("eerste", str(first))),
        ("explode", ("kapot",)),
        ("echo", ("tweede", str(second))),
    )
    assert [r["status"] for r in results(site, ids)] == ["READY"] * 3
    assert not first.exists()

    run_burst(site, "--no-scheduler")

    done = results(site, ids)
    assert [r["status"] for r in done] == ["SUCCESSFUL", "FAILED", "SUCCESSFUL"]
    assert done[0]["value"] == "eerste"
    assert done[1]["errors"] == ["builtins.RuntimeError"]
    assert done[2]["value"] == "tweede"
    assert first.read_text() == "eerste"
    assert second.read_text() == "tweede"
    # A burst worker leaves no heartbeat behind.
    assert heartbeats(site) == []


def test_burst_worker_runs_the_due_periodic_job_once_across_processes(site: LoketSite) -> None:
    run_burst(site)
    run_burst(site)

    # Other modules declare periodic jobs too; this one is the kernel's.
    runs = site.sql(
        "SELECT job, task_result_id FROM core_scheduledrun WHERE job = ?",
        "loket.core.tasks.prune_finished_tasks",
    )
    assert [job for job, _ in runs] == ["loket.core.tasks.prune_finished_tasks"]
    tasks = site.sql(
        "SELECT id, status FROM django_tasks_database_dbtaskresult WHERE task_path = ?",
        "loket.core.tasks.prune_finished_tasks",
    )
    assert len(tasks) == 1
    assert tasks[0][1] == "SUCCESSFUL"
    assert runs[0][1].replace("-", "") == str(tasks[0][0]).replace("-", "")


def _start_worker(site: LoketSite) -> tuple[subprocess.Popen[str], str]:
    worker = site.start("worker", "--interval", "0.2")
    rows = wait_for(
        lambda: worker.poll() is None and heartbeats(site),
        timeout=30,
        what="the worker's heartbeat",
    )
    assert len(rows) == 1
    assert rows[0][2] == worker.pid  # the process we started works the queue itself
    return worker, rows[0][0]


def _stop(worker: subprocess.Popen[str], signum: int) -> tuple[int, str]:
    worker.send_signal(signum)
    try:
        output, _ = worker.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not stop within 10 s of {signal.Signals(signum).name}")
    return worker.returncode, output


BACKENDS = ["database", pytest.param("rq", marks=pytest.mark.redis)]


@pytest.fixture(params=BACKENDS)
def worker_site(request: pytest.FixtureRequest, make_site: Any) -> LoketSite:
    # DEBUG on, as in development and `loket demo`: no code reloader may kick in.
    if request.param == "rq":
        url = request.getfixturevalue("redis_url")
        return make_site(LOKET_TASK_BACKEND="rq", REDIS_URL=url, DEBUG="true")
    return make_site(DEBUG="true")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_running_worker_is_visible_and_stops_gracefully(
    worker_site: LoketSite, signum: int
) -> None:
    site = worker_site
    backend = site.env.get("LOKET_TASK_BACKEND", "database")
    worker, worker_id = _start_worker(site)

    # Another process (a web server) sees it in /healthz.
    health = site.python(HEALTHZ)
    assert health["code"] == 200
    assert health["body"]["status"] == "ok"
    assert {"id": worker_id, "backend": backend} in [
        {"id": w["id"], "backend": w["backend"]} for w in health["body"]["workers"]
    ]

    code, output = _stop(worker, signum)
    assert code == 0, output[-3000:]
    assert "Traceback" not in output
    assert heartbeats(site) == []


def test_a_running_task_finishes_before_the_worker_stops(
    worker_site: LoketSite, tmp_path: Path
) -> None:
    site = worker_site
    marker = tmp_path / "linger.txt"
    worker, _ = _start_worker(site)
    [result_id] = enqueue(site, ("linger", (1.5, str(marker))))
    wait_for(Path(f"{marker}.started").exists, timeout=30, what="the task to start")

    code, output = _stop(worker, signal.SIGTERM)

    assert code == 0, output[-3000:]
    assert marker.read_text() == "finished"
    assert results(site, [result_id])[0]["status"] == "SUCCESSFUL"
    assert heartbeats(site) == []
