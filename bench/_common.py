"""Shared by the scenarios: options, temporary Loket sites, results."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import BenchError

# Settings of the machine that must not leak into a benchmark's own site.
_SCRUBBED = ("DATABASE_URL", "REDIS_URL", "LOKET_TASK_BACKEND", "PORT", "LOKET_DEMO")


@dataclass(frozen=True)
class Options:
    requests: int | None = None
    concurrency: int | None = None
    residents: int | None = None
    messages: int | None = None
    # `loket bench cases`: cases to seed, a folder to keep (and reuse) the seeded site
    # in, and a PostgreSQL database for it; when the command does not pass them, the
    # scenario reads LOKET_BENCH_CASES, LOKET_BENCH_REUSE and LOKET_BENCH_DATABASE_URL.
    cases: int | None = None
    reuse: str | None = None
    database_url: str | None = None
    duration: float | None = None  # `loket bench load`: seconds per level
    log: Callable[[str], None] = field(default=lambda message: None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Site:
    """A throw-away Loket deployment: a temporary data folder with a migrated SQLite
    database, and optionally a web server on a free loopback port."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        self.env.update(
            DJANGO_SETTINGS_MODULE="loket.config.settings",
            LOKET_DATA_DIR=str(data_dir),
            LOKET_ENVIRONMENT="development",
            DEBUG="false",
            LOKET_EMAIL_BACKEND="console",
            LOG_LEVEL="warning",
            PYTHONUNBUFFERED="1",
        )
        self.env.update(env)
        self._server: subprocess.Popen[bytes] | None = None
        self.port = 0

    def loket(self, *args: str, timeout: float = 600) -> str:
        return self.run([sys.executable, "-m", "loket", *args], timeout=timeout)

    def run(self, argv: list[str], *, timeout: float = 600) -> str:
        done = subprocess.run(
            argv,
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(
                f"{' '.join(argv[1:4])} … failed with status {done.returncode}:\n"
                f"{done.stderr[-3000:]}"
            )
        return done.stdout

    def python(self, code: str, *, timeout: float = 600) -> Any:
        """Run ``code`` with Django set up for this site; it assigns ``result``."""
        script = (
            "import json, django\ndjango.setup()\nresult = None\n"
            f"{code}\nprint('@@RESULT@@' + json.dumps(result))\n"
        )
        out = self.run([sys.executable, "-c", script], timeout=timeout)
        return json.loads(out.rsplit("@@RESULT@@", 1)[1])

    def migrate(self) -> None:
        self.loket("migrate", "--no-input", "-v", "0")

    def serve(self, *, workers: int, threads: int, ready_path: str = "/healthz") -> str:
        """Start `loket serve` (gunicorn) and wait until it answers; returns its base URL."""
        self.port = free_port()
        self._server = subprocess.Popen(
            [
                sys.executable, "-m", "loket", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(workers), "--threads", str(threads),
            ],
            env=self.env,
            cwd=self.data_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                error = self._server.stderr.read().decode()[-3000:] if self._server.stderr else ""
                raise BenchError(f"the server stopped while starting:\n{error}")
            try:
                with urllib.request.urlopen(base + ready_path, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return base
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise BenchError("the server did not answer within 60 s")

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
        if server.stderr:
            server.stderr.close()


@contextlib.contextmanager
def temporary_site(**env: str) -> Iterator[Site]:
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as folder:
        site = Site(Path(folder), **env)
        try:
            yield site
        finally:
            site.stop()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def ratio(numerator: float, denominator: float) -> float:
    """numerator ÷ denominator to three significant figures."""
    return float(f"{numerator / denominator:.3g}") if denominator else float("inf")


def result(
    scenario: str,
    *,
    subject: dict[str, Any],
    baseline: dict[str, Any],
    ratios: dict[str, float],
    params: dict[str, Any],
    explain: str,
) -> dict[str, Any]:
    """The shape every scenario returns (and `--json` prints)."""
    return {
        "scenario": scenario,
        "params": params,
        "subject": subject,
        "baseline": baseline,
        "ratio": ratios,
        "explain": explain,
    }
