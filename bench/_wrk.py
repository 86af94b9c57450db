"""wrk (a C load generator with Lua scripting) as a closed loop bounded by time, for
``_http.hammer``.

wrk keeps ``concurrency`` connections busy, each a client sending its next request as
soon as the last one is answered (no think time), for a fixed number of seconds; the
number of requests is what fits in that time. A small Lua script counts the answers
that are not a 200 (a redirect to a login page too) and, in ``done()``, writes the
figures and the latency histogram as one JSON line. The server may close a connection
after every response (gunicorn's sync workers do): wrk then connects again, and that
time is part of the request's latency, as it is for a browser.

Figures:

- latencies come from wrk's histogram (1 µs buckets, all threads). wrk adds synthetic
  values to it before ``done()`` (its coordinated-omission correction for an open loop,
  meaningless for a closed loop with no think time); that is undone here, so the list
  holds one value per measured response, as the Python client's would;
- the histogram holds every answered request, not only the 200s. When some answers are
  not a 200, that many values are dropped from the fast end of the list (a redirect or
  an error page is usually cheaper than the page), so the percentiles of a run with
  errors are approximate. Socket errors (connect, read, write) and responses slower
  than the request timeout are errors too and are not in the histogram;
- elapsed is wrk's own run time; bytes is the body size of the last 200 answered.

Requests still running when the time is up are abandoned (wrk closes the connections);
the server finishes them, so leave a moment between two measurements.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MAX_THREADS = 2  # wrk threads: the server under test needs the cores more than wrk does
REQUEST_TIMEOUT_S = 30  # like the Python client's socket timeout
RESULT_MARKER = "@@LOKET-WRK@@"


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    elapsed: float = 0.0
    bytes: int = 0


def executable() -> str | None:
    return shutil.which("wrk")


def version(path: str) -> str:
    """``wrk 4.1.0`` (wrk prints its version with ``-v`` and then its usage)."""
    done = subprocess.run([path, "-v"], capture_output=True, text=True, timeout=10, check=False)
    found = re.search(r"wrk \S*?(\d+\.\d+(?:\.\d+)?)", done.stdout + done.stderr)
    return f"wrk {found.group(1)}" if found else "wrk"


def threads_for(concurrency: int) -> int:
    """At most two threads (or the cores there are), one connection or more each, the
    same number per thread (wrk gives each thread connections ÷ threads)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    threads = max(1, min(concurrency, cores, MAX_THREADS))
    while concurrency % threads:
        threads -= 1
    return threads


def run(
    path: str,
    url: str,
    *,
    seconds: float,
    concurrency: int,
    headers: Mapping[str, str],
) -> Run:
    """GET ``url`` from ``concurrency`` connections (each one client in a closed loop)
    for ``seconds``."""
    from . import BenchError

    for name, value in headers.items():
        if any(c in name + value for c in "\r\n") or not name or ":" in name:
            raise ValueError(f"invalid header {name!r}")
    threads = threads_for(concurrency)
    duration = max(1, math.ceil(seconds))
    argv = [
        path, "-t", str(threads), "-c", str(concurrency), "-d", f"{duration}s",
        "--timeout", f"{REQUEST_TIMEOUT_S}s",
    ]  # fmt: skip
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="loket-wrk-") as folder:
        script = Path(folder, "hammer.lua")
        script.write_text(_SCRIPT.replace("@RESULT@", RESULT_MARKER))
        try:
            done = subprocess.run(
                [*argv, "-s", str(script), url],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=duration + REQUEST_TIMEOUT_S + 30,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise BenchError("wrk did not stop in time") from error
    line = next((x for x in done.stdout.splitlines() if x.startswith(RESULT_MARKER)), None)
    if done.returncode != 0 or line is None:
        raise BenchError(
            f"wrk failed (status {done.returncode}):\n{(done.stderr + done.stdout)[-2000:]}"
        )
    figures = json.loads(line[len(RESULT_MARKER) :])
    if int(figures["requests"]) == 0:
        raise BenchError(
            f"wrk got no answer from {url} in {duration} s; give each measurement more time "
            "(--duration)"
        )
    histogram = {int(value): int(count) for value, count in figures["latency"]}
    _undo_correction(
        histogram,
        duration_us=int(figures["duration"]),
        complete=int(figures["requests"]),
        connections=concurrency,
    )
    not_ok = sum(int(t["bad"]) for t in figures["threads"])
    socket_errors = sum(int(figures["errors"][k]) for k in ("connect", "read", "write", "timeout"))
    latencies: list[float] = []
    drop = not_ok
    for microseconds in sorted(histogram):
        count = histogram[microseconds]
        if drop:
            dropped = min(drop, count)
            count, drop = count - dropped, drop - dropped
        latencies += [microseconds / 1e6] * count
    return Run(
        latencies=latencies,
        errors=not_ok + socket_errors,
        elapsed=int(figures["duration"]) / 1e6,
        bytes=max((int(t["size"]) for t in figures["threads"]), default=0),
    )


def _undo_correction(
    histogram: dict[int, int], *, duration_us: int, complete: int, connections: int
) -> None:
    """Remove what wrk's ``stats_correct`` added: for every recorded value n ≥ 2e, with
    e = duration ÷ (requests ÷ connections) in whole µs, it adds n's count at n − e,
    n − 2e, … while above e. Going down from the top, each value's count is its own
    again when it is reached, so its additions can be taken off below it."""
    per_connection = complete // connections
    if per_connection <= 0:
        return
    expected = duration_us // per_connection
    if expected <= 0:
        return
    for value in sorted(histogram, reverse=True):
        if value < 2 * expected:
            break
        count = histogram[value]
        lower = value - expected
        while count and lower > expected:
            histogram[lower] = histogram.get(lower, 0) - count
            lower -= expected
    for value in [v for v, c in histogram.items() if c <= 0]:
        del histogram[value]


_SCRIPT = r"""
-- Counts the answers that are not a 200; done() (wrk's main Lua state) writes the
-- figures and the latency histogram as one JSON line.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

answered, bad, size = 0, 0, 0

function response(status, headers, body)
   answered = answered + 1
   if status == 200 then
      size = #body
   else
      bad = bad + 1
   end
end

function done(summary, latency, requests)
   local out = {}
   for i = 1, #latency do
      local value, count = latency(i)
      out[#out + 1] = string.format("[%d,%d]", value, count)
   end
   local per_thread = {}
   for _, thread in ipairs(threads) do
      per_thread[#per_thread + 1] = string.format(
         '{"answered":%d,"bad":%d,"size":%d}',
         thread:get("answered"), thread:get("bad"), thread:get("size"))
   end
   local e = summary.errors
   io.write(string.format(
      '@RESULT@{"duration":%d,"requests":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"threads":[%s],"latency":[%s]}\n',
      summary.duration, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      table.concat(per_thread, ","), table.concat(out, ",")))
   io.stdout:flush()
end
"""
