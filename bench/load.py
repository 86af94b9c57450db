"""A realistic mix of residents and staff under load, at 32 and 128 concurrent users.

A site (temporary, or a kept one with ``--reuse DIR``) is seeded with the demo
municipality and cases, served by `loket serve` (gunicorn, DEBUG off) on loopback, and
driven by closed-loop virtual users with no think time (see ``_load_client``: threads in
two worker processes, a plain-socket HTTP client, a connection per request): residents
browse the catalogue, search, follow their dossiers and apply for a service (CSRF
token, one step, summary, one in four submitted); one user in eight is staff working the
dossier queue and opening cases. Residents and staff use sessions made in the site's
own database (``_load_site``). Each level runs for ``--duration`` seconds after a
warm-up.

The server runs gunicorn's sync workers (`loket serve --threads 1`), see
``SERVER_WORKERS``.

Baseline (same run, same server, same concurrency, same client as the mix): the bare
Django view ``/__bench__/baseline`` (one ``SELECT 1``). Ratios: resident p95 ÷ baseline
p95 and throughput ÷ baseline throughput.

Options (flags where `loket bench` has them, else environment variables):
``--concurrency C`` one level instead of 32 and 128; ``--duration S`` /
LOKET_BENCH_DURATION seconds per level (default 30); ``--residents N`` residents of a
new seed (default 2000); ``--cases N`` / LOKET_BENCH_CASES cases of a new seed when
`loket seed --cases` exists (default 20000; else three per bench resident are filed);
``--reuse DIR`` / LOKET_BENCH_REUSE a kept site folder (seeded on first use, reused
after, e.g. one made with `loket seed --residents 550000 --cases 1000000`);
``--database-url URL`` / LOKET_BENCH_DATABASE_URL PostgreSQL instead of SQLite (a
database of its own: without ``--reuse`` it is dropped and created again, so never name
a database in use; with ``--reuse`` it is used as it is, seeded only when it is empty).
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import BenchError
from ._common import Options, Site, ratio, result, temporary_site
from ._load_client import client_description, drive
from ._load_site import prepare, seed_supports_cases

DESCRIPTION = "residents and staff mixed, 32 and 128 users, over HTTP (gunicorn), vs a bare view"

LEVELS = (32, 128)
DEFAULT_DURATION = 30.0
DEFAULT_RESIDENTS = 2000
DEFAULT_CASES = 20_000
BENCH_RESIDENTS = 160  # residents with a session (each virtual resident user gets one)
WARM_UP_SECONDS = 5.0
BASELINE_SECONDS = 8.0
# gunicorn's sync workers: one request at a time per process, each process taking the
# next waiting connection when it is free (as behind a buffering proxy). With threads
# (gthread) a process's threads share one interpreter lock and keep-alive connections
# stay with one process, so requests waited behind others (p95 several times p50).
# Three, not four: on two cores, four sync workers served the mix no faster, and on
# PostgreSQL (1M cases) more slowly (74-81 against 85-98 req/s, interleaved runs) with
# more server CPU per request (12.0-12.9 against 10.9-11.1 ms: one more process and
# database connection competing for the cores); on SQLite the two were within the noise.
SERVER_WORKERS = 3
SERVER_THREADS = 1
GOAL_RPS, GOAL_P95_MS = 300.0, 150.0
_REFUSED_DATABASES = {"", "test", "postgres", "template0", "template1"}


def _option(options: Options, name: str, variable: str) -> str | None:
    value = getattr(options, name, None)
    if value is None:
        value = os.environ.get(variable) or None
    return None if value is None else str(value)


def _fresh_postgres(url: str) -> None:
    """Drop and create the database ``url`` names (a benchmark's own database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in _REFUSED_DATABASES or parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise BenchError(
            f"--database-url must name a benchmark database of its own on this machine "
            f"(not {name or 'no database'!r})"
        )
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _build(site: Site, *, residents: int, cases: int, log: Any) -> str:
    log("migrating …")
    site.migrate()
    existing = site.python("from loket.cases.models import Case\nresult = Case.objects.count()")
    if existing:  # a site seeded before (e.g. by `loket seed` or `loket bench cases`)
        return f"an existing site with {existing} cases"
    if seed_supports_cases(site):
        log(f"seeding {residents} residents and {cases} cases …")
        site.loket("seed", "--residents", str(residents), "--cases", str(cases), "-v", "0",
                   timeout=6 * 3600)  # fmt: skip
        return f"`loket seed --residents {residents} --cases {cases}`"
    log(f"seeding {residents} residents (this `loket seed` has no --cases) …")
    site.loket("seed", "--residents", str(residents), "-v", "0", timeout=3600)
    return f"`loket seed --residents {residents}`, three cases filed per bench resident"


def _measure(base: str, users: int, seconds: float, sessions: dict[str, Any], log: Any) -> Any:
    log(f"{users} users: warm-up {WARM_UP_SECONDS:.0f} s …")
    drive(base, users=users, seconds=WARM_UP_SECONDS, residents=sessions["residents"],
          staff=sessions["staff"], seed=99)  # fmt: skip
    log(f"{users} users: measuring {seconds:.0f} s …")
    mix = drive(base, users=users, seconds=seconds, residents=sessions["residents"],
                staff=sessions["staff"])  # fmt: skip
    log(f"{users} users: baseline {BASELINE_SECONDS:.0f} s …")
    # The same client as the mix, so that the ratio compares like with like.
    bare = drive(base, users=users, seconds=BASELINE_SECONDS, residents=[], staff=[],
                 bare=True)["all"]  # fmt: skip
    for label, figures in mix["per_label"].items():
        log(f"  {label:<14} {figures}")
    if mix["error_samples"]:
        log(f"  errors, e.g.: {mix['error_samples']}")
    return mix, bare


def run(options: Options) -> dict[str, Any]:
    seconds = float(_option(options, "duration", "LOKET_BENCH_DURATION") or DEFAULT_DURATION)
    levels = (options.concurrency,) if options.concurrency else LEVELS
    residents = options.residents or DEFAULT_RESIDENTS
    cases = int(_option(options, "cases", "LOKET_BENCH_CASES") or DEFAULT_CASES)
    reuse = _option(options, "reuse", "LOKET_BENCH_REUSE")
    database_url = _option(options, "database_url", "LOKET_BENCH_DATABASE_URL")
    if seconds < 1 or any(level < 1 for level in levels):
        raise ValueError("--duration must be at least 1 and --concurrency at least 1")
    env = {"LOKET_BENCH_BASELINE": "true"}
    if database_url:
        env["DATABASE_URL"] = database_url

    with temporary_site(**env) as temporary:
        site = temporary
        if reuse:
            folder = Path(reuse).resolve()
            folder.mkdir(parents=True, exist_ok=True)
            site = Site(folder, **env)
        marker = site.data_dir / "bench-load-dataset.txt"
        try:
            if reuse and marker.exists():
                dataset = marker.read_text().strip() + " (reused)"
            else:
                if database_url and not reuse:  # a kept database is never dropped
                    _fresh_postgres(database_url)
                dataset = _build(site, residents=residents, cases=cases, log=options.log)
                if reuse:
                    marker.write_text(dataset + "\n")
            options.log("making resident and staff sessions …")
            sessions = prepare(site, residents=BENCH_RESIDENTS)
            if not sessions["staff"]:
                raise BenchError("no demo staff member with cases in their department")
            options.log(
                f"{sessions['persons_total']} residents, {sessions['cases_total']} cases; "
                f"starting loket serve ({SERVER_WORKERS} sync worker processes)"
            )
            base = site.serve(workers=SERVER_WORKERS, threads=SERVER_THREADS)
            measured = {users: _measure(base, users, seconds, sessions, options.log)
                        for users in levels}  # fmt: skip
        finally:
            site.stop()

    subject: dict[str, Any] = {"name": "Loket mix"}
    baseline: dict[str, Any] = {"name": "bare view (SELECT 1)"}
    ratios: dict[str, float] = {}
    for users, (mix, bare) in measured.items():
        subject[f"u{users}_req_per_s"] = mix["all"]["requests_per_s"]
        subject[f"u{users}_errors"] = mix["all"]["errors"]
        subject[f"u{users}_p50_ms"] = mix["resident"]["p50_ms"]
        subject[f"u{users}_p95_ms"] = mix["resident"]["p95_ms"]
        subject[f"u{users}_p99_ms"] = mix["resident"]["p99_ms"]
        subject[f"u{users}_staff_p95_ms"] = mix["staff"]["p95_ms"]
        baseline[f"u{users}_req_per_s"] = bare["requests_per_s"]
        baseline[f"u{users}_errors"] = bare["errors"]
        baseline[f"u{users}_p50_ms"] = bare["p50_ms"]
        baseline[f"u{users}_p95_ms"] = bare["p95_ms"]
        baseline[f"u{users}_p99_ms"] = bare["p99_ms"]
        baseline[f"u{users}_staff_p95_ms"] = "-"
        ratios[f"u{users}_p95"] = ratio(mix["resident"]["p95_ms"], bare["p95_ms"])
        ratios[f"u{users}_throughput"] = ratio(mix["all"]["requests_per_s"], bare["requests_per_s"])
    if 32 in measured:
        mix = measured[32][0]
        subject["goal_32_users_met"] = (
            mix["all"]["requests_per_s"] >= GOAL_RPS
            and mix["resident"]["p95_ms"] <= GOAL_P95_MS
            and mix["all"]["errors"] == 0
        )
        baseline["goal_32_users_met"] = "-"
    subject["levels"] = {str(users): mix for users, (mix, _bare) in measured.items()}
    return result(
        "load",
        subject=subject,
        baseline=baseline,
        ratios=ratios,
        params={
            "users": "/".join(str(level) for level in levels),
            "seconds_per_level": seconds,
            "server": f"gunicorn {SERVER_WORKERS} sync workers",
            "client": client_description(),
            "database": "postgresql" if database_url else "sqlite",
            "dataset": f"{dataset}: {sessions['persons_total']} residents, "
            f"{sessions['cases_total']} cases",
            "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        },
        explain="p50/p95/p99: resident pages (staff pages apart); req_per_s: every request "
        "of the mix; ratios: resident p95 ÷ baseline p95 (lower is better), throughput ÷ "
        "baseline throughput (higher is better); goal at 32 users: ≥ 300 req/s, resident "
        "p95 ≤ 150 ms, no errors",
    )
