"""A small closed-loop HTTP load generator: C clients, each with a keep-alive
connection, send requests one after another until N are done or time is up.

The clients are wrk's connections when `wrk` is installed (a C load generator, see
``_wrk``), else Python threads. The Python client takes a good share of the CPU the
server under test needs on a small machine, and the GIL adds to the latencies it
measures, so its figures are pessimistic. ``LOKET_BENCH_CLIENT=python`` or ``=wrk``
chooses (``wrk`` then must be installed); ``client_name()`` says which one runs.
"""

from __future__ import annotations

import functools
import http.client
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import BenchError, _wrk
from ._common import percentile

CLIENTS = ("wrk", "python")
WRK_SECONDS = 5.0  # how long one wrk measurement runs unless the caller says


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    elapsed: float = 0.0
    bytes: int = 0

    def merge(self, other: Sample) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.elapsed += other.elapsed
        self.bytes = max(self.bytes, other.bytes)

    def summary(self, name: str) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        done = len(ordered) + self.errors
        return {
            "name": name,
            "requests": done,
            "errors": self.errors,
            "seconds": round(self.elapsed, 3),
            "requests_per_s": round(done / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": round(percentile(ordered, 0.50) * 1000, 2),
            "p95_ms": round(percentile(ordered, 0.95) * 1000, 2),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 2),
            "response_bytes": self.bytes,
        }


def which_client(choice: str | None = None) -> str:
    """``wrk`` or ``python``: ``choice``, else LOKET_BENCH_CLIENT, else (or with
    ``auto``) wrk when it is installed."""
    wanted = (choice or os.environ.get("LOKET_BENCH_CLIENT") or "").strip().lower()
    if wanted == "auto":
        wanted = ""
    if wanted and wanted not in CLIENTS:
        raise BenchError(f"LOKET_BENCH_CLIENT must be one of {', '.join(CLIENTS)}, not {wanted!r}")
    if wanted == "python":
        return "python"
    if _wrk.executable():
        return "wrk"
    if wanted == "wrk":
        raise BenchError(
            "LOKET_BENCH_CLIENT=wrk, but wrk is not installed (Debian package `wrk`); "
            "install it or unset LOKET_BENCH_CLIENT to use the Python client"
        )
    return "python"


def client_name(choice: str | None = None) -> str:
    """The load generator ``hammer`` uses, for reports: ``wrk 4.1.0`` or ``python
    threads``."""
    if which_client(choice) == "python":
        return "python threads"
    return _wrk_version(_wrk.executable() or "wrk")


@functools.cache
def _wrk_version(path: str) -> str:
    return _wrk.version(path)


def hammer(
    url: str,
    *,
    requests: int,
    concurrency: int,
    max_seconds: float,
    headers: Mapping[str, str] | None = None,
    client: str | None = None,
    seconds: float | None = None,
) -> Sample:
    """Send ``requests`` GETs to ``url`` (loopback) from ``concurrency`` clients in a
    closed loop; stop early after ``max_seconds``. Anything but a 200 counts as an error
    (a redirect to a login page too). ``headers`` go with every request (e.g. a session
    cookie). The clients are wrk's or Python threads (see ``which_client``; ``client``,
    ``"wrk"`` or ``"python"``, overrides LOKET_BENCH_CLIENT). wrk is bounded by time
    only: it runs ``seconds`` (default ``WRK_SECONDS``, at most ``max_seconds``) and
    ``requests`` is what fits in that time; see ``_wrk`` for how its figures are taken."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("the load generator only talks to this machine")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = {"Accept-Language": "nl-BE", **(headers or {})}
    if which_client(client) == "wrk":
        executable = _wrk.executable()
        assert executable is not None
        netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        run = _wrk.run(
            executable,
            f"http://{netloc}{path}",
            seconds=min(max_seconds, seconds or WRK_SECONDS),
            concurrency=concurrency,
            headers={"Host": netloc, **sent},
        )
        return Sample(latencies=run.latencies, errors=run.errors, elapsed=run.elapsed,
                      bytes=run.bytes)  # fmt: skip
    lock = threading.Lock()
    remaining = [requests]
    sample = Sample()
    deadline = time.monotonic() + max_seconds

    def take() -> bool:
        with lock:
            if remaining[0] <= 0 or time.monotonic() > deadline:
                return False
            remaining[0] -= 1
            return True

    def worker() -> None:
        latencies: list[float] = []
        errors = 0
        size = 0
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            while take():
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers=sent)
                    response = connection.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException):
                    errors += 1
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=30)
                    continue
                took = time.perf_counter() - started
                if response.status == 200:
                    latencies.append(took)
                    size = len(body)
                else:
                    errors += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=30)
        finally:
            connection.close()
        with lock:
            sample.latencies += latencies
            sample.errors += errors
            sample.bytes = max(sample.bytes, size)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max_seconds + 60)
    sample.elapsed = time.perf_counter() - started
    return sample
