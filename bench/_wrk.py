"""wrk (a C load generator with Lua scripting) driven as a closed loop bounded by both a
count and a time, for ``_http.hammer``.

wrk runs for a duration; this module bounds it by a count too. A Lua script gives each
wrk thread its share of the requests: ``delay()``, which wrk calls before every request
of a connection, lets a connection send while the thread has requests left and parks it
otherwise, and ``response()`` stops the thread once its share is answered (so no
request is left in flight on the server) and says so on stderr. When every thread has
stopped, wrk is interrupted (SIGINT ends its wait for the duration early), and
``done()`` writes the figures and the latency histogram as one JSON line.

Figures:

- latencies come from wrk's histogram (1 µs buckets, all threads). wrk adds synthetic
  values to it before ``done()`` (its coordinated-omission correction for an open loop,
  meaningless for a closed loop with no think time); that is undone here, so the list
  holds one value per measured response, as the Python client's would;
- the histogram holds every answered request, not only the 200s. Anything but a 200 (a
  redirect to a login page too) is counted as an error in ``response()``; when there
  are such errors, that many values are dropped from the fast end of the list (a
  redirect or an error page is usually cheaper than the page), so the percentiles of a
  run with errors are approximate. Socket errors (connect, read, write) and responses
  slower than the request timeout are errors too and are not in the histogram;
- elapsed is wrk's own run time; bytes is the body size of the last 200 answered.

After a socket error wrk resends on a fresh connection without asking the script, so a
run with socket errors may send a few more requests than asked.
"""

from __future__ import annotations

import math
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MAX_THREADS = 2  # wrk threads: the server under test needs the cores more than wrk does
REQUEST_TIMEOUT_S = 30  # like the Python client's socket timeout
DONE_MARKER = "loket-wrk: thread done"
RESULT_MARKER = "@@LOKET-WRK@@"
PARK_MS = 24 * 3600 * 1000  # a connection with no request left waits for the end


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


def threads_for(concurrency: int, requests: int) -> int:
    """At most two threads (or the cores there are), one connection or more each, the
    same number per thread (wrk gives each thread connections ÷ threads), and at least
    one request per thread."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    threads = max(1, min(concurrency, requests, cores, MAX_THREADS))
    while concurrency % threads:
        threads -= 1
    return threads


def run(
    path: str,
    url: str,
    *,
    requests: int,
    concurrency: int,
    max_seconds: float,
    headers: Mapping[str, str],
) -> Run:
    """GET ``url`` ``requests`` times over ``concurrency`` keep-alive connections (each
    one client in a closed loop), for at most ``max_seconds``."""
    from . import BenchError

    for name, value in headers.items():
        if any(c in name + value for c in "\r\n") or not name or ":" in name:
            raise ValueError(f"invalid header {name!r}")
    threads = threads_for(concurrency, requests)
    shares = [requests // threads + (1 if i < requests % threads else 0) for i in range(threads)]
    duration = max(1, math.ceil(max_seconds))
    argv = [
        path, "-t", str(threads), "-c", str(concurrency), "-d", f"{duration}s",
        "--timeout", f"{REQUEST_TIMEOUT_S}s",
    ]  # fmt: skip
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="loket-wrk-") as folder:
        script = Path(folder, "hammer.lua")
        script.write_text(
            _SCRIPT.replace("@SHARES@", ", ".join(str(share) for share in shares))
            .replace("@PARK_MS@", str(PARK_MS))
            .replace("@DONE@", DONE_MARKER)
            .replace("@RESULT@", RESULT_MARKER)
        )
        output = Path(folder, "stdout.txt")
        # stdout goes to a file: wrk's final output can be larger than a pipe holds,
        # and a signal must never interrupt a blocked write.
        with output.open("wb") as stdout:
            process = subprocess.Popen(
                [*argv, "-s", str(script), url],
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=subprocess.PIPE,
                text=True,
            )
            stderr = _wait(process, threads=threads, deadline=time.monotonic() + duration + 60)
        text = output.read_text(errors="replace")
    line = next((x for x in text.splitlines() if x.startswith(RESULT_MARKER)), None)
    if process.returncode != 0 or line is None:
        raise BenchError(f"wrk failed (status {process.returncode}):\n{(stderr + text)[-2000:]}")
    import json

    figures = json.loads(line[len(RESULT_MARKER) :])
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


def _wait(process: subprocess.Popen[str], *, threads: int, deadline: float) -> str:
    """Wait for wrk; once every thread has said it is done, interrupt its wait for the
    duration (again every 0.2 s: a signal that comes before wrk listens is lost)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    kept: list[str] = []
    done = 0
    closed = False
    try:
        while process.poll() is None or not closed:
            if time.monotonic() > deadline:
                from . import BenchError

                raise BenchError("wrk did not stop in time")
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                line = ""
            if line is None:
                closed = True
            elif line.strip() == DONE_MARKER:
                done += 1
            elif line:
                kept.append(line)
            if done >= threads and process.poll() is None:
                process.send_signal(signal.SIGINT)
            if closed:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=5)
    return "".join(kept)


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
-- Each thread: its share of the requests, then stop. The setup and done phases run in
-- wrk's main Lua state, the rest in each thread's own.
local shares = { @SHARES@ }
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("share", shares[#threads])
end

issued, answered, bad, size = 0, 0, 0, 0

function delay()
   issued = issued + 1
   if issued > share then
      return @PARK_MS@
   end
   return 0
end

function response(status, headers, body)
   answered = answered + 1
   if status == 200 then
      size = #body
   else
      bad = bad + 1
   end
   if answered == share then
      wrk.thread:stop()
      io.stderr:write("@DONE@\n")
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
