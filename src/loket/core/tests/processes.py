"""Helpers to run Loket as real processes (`loket worker`, `loket serve`) in tests.

Such a process reads its settings at start-up and cannot see pytest's test database, so
each test gets its own migrated SQLite file in a temporary LOKET_DATA_DIR. Every child
is started in its own process group and killed by the fixture's teardown, whatever the
test did.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Variables of the test run that must not leak into a child's settings.
_SCRUBBED = ("DATABASE_URL", "REDIS_URL", "LOKET_TASK_BACKEND", "LOKET_SCHEDULER", "PORT")

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def loket_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "loket", *args]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {timeout:.0f}s")
        time.sleep(0.1)


class LoketSite:
    """One Loket deployment on disk: a data folder with a migrated SQLite database."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.db_path = data_dir / "loket.sqlite3"
        self.env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        self.env.update(
            DJANGO_SETTINGS_MODULE="loket.config.settings",
            LOKET_DATA_DIR=str(data_dir),
            LOKET_ENVIRONMENT="development",
            DEBUG="false",
            LOKET_EMAIL_BACKEND="console",
            LOG_LEVEL="info",
            PYTHONUNBUFFERED="1",
        )
        self.env.update(env)
        self._children: list[subprocess.Popen[str]] = []

    def loket(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run a `loket` command to completion."""
        return subprocess.run(
            loket_argv(*args),
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(self, code: str, timeout: float = 60) -> Any:
        """Run ``code`` in a fresh process with Django set up for this site; it assigns
        its answer to ``result``, which comes back through JSON."""
        script = (
            "import json, django\n"
            "django.setup()\n"
            "result = None\n"
            f"{textwrap.dedent(code)}\n"
            "print('@@RESULT@@' + json.dumps(result, default=str))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        marker = done.stdout.rsplit("@@RESULT@@", 1)
        assert len(marker) == 2, done.stdout[-2000:]
        return json.loads(marker[1])

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start a long-running `loket` command; the fixture stops it at the end."""
        child = subprocess.Popen(
            loket_argv(*args),
            env=self.env,
            cwd=self.data_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._children.append(child)
        return child

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read this site's database directly, as an operator would."""
        with sqlite3.connect(self.db_path, timeout=10) as db:
            return db.execute(query, params).fetchall()

    def stop_all(self) -> None:
        for child in self._children:
            # The whole group: RQ's worker forks a child per job.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck child
                child.kill()
            if child.stdout:
                child.stdout.close()


# --- Talking to a site's task queue from outside -------------------------------------

ENQUEUE = """
from loket.core.tests import jobs
ids = []
for name, args in {calls!r}:
    ids.append(getattr(jobs, name).enqueue(*args).id)
result = ids
"""

RESULTS = """
from django_tasks import default_task_backend
result = []
for result_id in {ids!r}:
    r = default_task_backend.get_result(result_id)
    result.append({{
        "status": r.status,
        "value": r.return_value if r.status == "SUCCESSFUL" else None,
        "errors": [e.exception_class_path for e in r.errors],
    }})
"""

HEALTHZ = """
from django.test import Client
response = Client().get("/healthz")
result = {"code": response.status_code, "body": response.json()}
"""


def enqueue(site: LoketSite, *calls: tuple[str, tuple[Any, ...]]) -> list[str]:
    return list(site.python(ENQUEUE.format(calls=list(calls))))


def results(site: LoketSite, ids: list[str]) -> list[dict[str, Any]]:
    return list(site.python(RESULTS.format(ids=ids)))


def heartbeats(site: LoketSite) -> list[tuple[Any, ...]]:
    return site.sql("SELECT worker_id, backend, pid FROM core_workerheartbeat")


def run_burst(site: LoketSite, *extra: str) -> subprocess.CompletedProcess[str]:
    done = site.loket("worker", "--burst", *extra, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done
