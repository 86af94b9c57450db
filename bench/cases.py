"""Cases at the scale of a city: "Mijn dossiers", a case page, a back-office queue page
and full-text search, with C concurrent clients, against a bare Django view.

A site is seeded with the demo municipality and `loket seed --cases N` (default 20,000
for a quick run; the issue's figure is 1,000,000 with 550,000 residents), then served by
`loket serve` (gunicorn) on a free loopback port. A resident (the demo persona Sarah
Vandenberghe, who has some thirty cases) and a staff member (the coordinator of
Burgerzaken) get a session written straight into the site's session table, as a login
would leave it: there is no login shortcut in the application. Each target then gets
the same number of requests from C closed-loop clients (wrk's connections, or Python
threads without wrk: see ``_http``), interleaved in two halves with the
baseline `/__bench__/baseline` (one `SELECT 1`, same server and middleware).

Seeding a million cases takes minutes; to keep the site between runs give a folder
(`LOKET_BENCH_REUSE=/tmp/…` or `--reuse` where the command passes it): it is seeded
once and reused while it holds the same number of cases. With
`LOKET_BENCH_DATABASE_URL=postgres://…` the site uses that PostgreSQL database (create
an empty one for it, never a database that anything else uses).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

from . import BenchError
from ._common import Options, Site, ratio, result
from ._http import Sample, client_name, hammer

DESCRIPTION = (
    "Mijn dossiers, case page, back-office queue (50) and full-text search at N cases "
    "(gunicorn, C clients) vs a bare Django view"
)

DEFAULT_CASES = 20_000
DEFAULT_REQUESTS = 400  # per target
DEFAULT_CONCURRENCY = 32
# gunicorn's sync workers (one request at a time per process, the next waiting request
# to whichever process is free): the set-up the deployment guide gives for CPU-bound
# pages behind a buffering proxy. Threads in one process share one interpreter lock,
# and keep-alive connections stay with one process, which made some requests wait
# behind others and stretched p95 to 3-5 × p50.
SERVER_WORKERS = 3
SERVER_THREADS = 1
SECONDS = 10.0  # per page with wrk (two halves); the Python client counts requests
MAX_SECONDS = 90.0  # per target and half: bounded on a slow machine
MARKER = "bench-cases.json"
PERSONA = "jong-gezin"  # Sarah Vandenberghe
STAFF = "coordinator"  # coordinator of Burgerzaken
SEARCH = "sarah vandenberghe"

# Goals of the issue (p95 at 32 concurrent users, milliseconds).
GOALS = {
    "mijn_dossiers": 150.0,
    "case_page": 150.0,
    "queue_50": 300.0,
    "search": 300.0,
}


def residents_for(cases: int) -> int:
    """About one resident for every two cases: 550,000 (Antwerp) for a million."""
    return min(550_000, max(2_000, cases * 11 // 20))


def run(options: Options) -> dict[str, Any]:
    cases = options.cases or int(os.environ.get("LOKET_BENCH_CASES") or DEFAULT_CASES)
    requests = options.requests or DEFAULT_REQUESTS
    concurrency = options.concurrency or DEFAULT_CONCURRENCY
    reuse = options.reuse or os.environ.get("LOKET_BENCH_REUSE") or ""
    database_url = options.database_url or os.environ.get("LOKET_BENCH_DATABASE_URL") or ""
    if cases < 100 or requests < 2 or concurrency < 1:
        raise ValueError("--cases ≥ 100, --requests ≥ 2 and --concurrency ≥ 1")
    if database_url and urlsplit(database_url).hostname not in {"127.0.0.1", "localhost"}:
        raise BenchError("the benchmark only uses a database on this machine")
    env = {"LOKET_BENCH_BASELINE": "true"}
    if database_url:
        env["DATABASE_URL"] = database_url
    database = "postgresql" if database_url else "sqlite"
    client = client_name()
    with _site(reuse, env) as site:
        seeded = _prepare(site, cases=cases, database_url=database_url, log=options.log)
        options.log("writing a resident and a staff session into the site …")
        setup = site.python(_SESSIONS)
        options.log(f"starting loket serve ({SERVER_WORKERS} sync workers)")
        base = site.serve(workers=SERVER_WORKERS, threads=SERVER_THREADS)
        resident = {"Cookie": f"sessionid={setup['resident_session']}"}
        staff = {"Cookie": f"sessionid={setup['staff_session']}"}
        targets = {
            "mijn_dossiers": (f"{base}/mijn-dossiers/", resident),
            "case_page": (f"{base}/mijn-dossiers/{setup['reference']}/", resident),
            "queue_50": (f"{base}/backoffice/dossiers/?wachtrij=departments", staff),
            "search": (f"{base}/backoffice/dossiers/?wachtrij=all&q={quote_plus(SEARCH)}", staff),
        }
        baseline_url = f"{base}/__bench__/baseline"
        _check(targets, log=options.log)
        warm = max(2 * concurrency, 40)
        seconds = options.duration or SECONDS
        hammer(baseline_url, requests=warm, concurrency=concurrency, max_seconds=30, seconds=2)
        for url, headers in targets.values():
            hammer(url, requests=warm, concurrency=concurrency, max_seconds=60, headers=headers,
                   seconds=2)  # fmt: skip
        samples = {name: Sample() for name in targets}
        baseline = Sample()
        for half in (requests // 2, requests - requests // 2):
            options.log(
                f"measuring with {client}, concurrency {concurrency}: "
                + (f"{seconds / 2:g} s" if client.startswith("wrk") else f"{half} requests")
                + " per target …"
            )
            baseline.merge(
                hammer(baseline_url, requests=half, concurrency=concurrency,
                       max_seconds=MAX_SECONDS, seconds=seconds / 2)
            )  # fmt: skip
            for name, (url, headers) in targets.items():
                time.sleep(0.5)  # what the last measurement left running ends first
                samples[name].merge(
                    hammer(url, requests=half, concurrency=concurrency,
                           max_seconds=MAX_SECONDS, headers=headers, seconds=seconds / 2)
                )  # fmt: skip

    bare = baseline.summary("bare view (SELECT 1)")
    figures = {name: sample.summary(name) for name, sample in samples.items()}
    for name, figure in figures.items():
        figure["goal_p95_ms"] = GOALS[name]
        figure["goal_met"] = figure["errors"] == 0 and figure["p95_ms"] <= GOALS[name]
        figure["ratio_p95"] = ratio(figure["p95_ms"], bare["p95_ms"])
    for figure in figures.values():
        options.log(
            f"{figure['name']:<14} p50 {figure['p50_ms']:>8} ms  p95 {figure['p95_ms']:>8} ms  "
            f"p99 {figure['p99_ms']:>8} ms  {figure['requests_per_s']:>6} req/s  "
            f"errors {figure['errors']}  goal {'met' if figure['goal_met'] else 'MISSED'}"
        )
    worst = max(figures.values(), key=lambda f: f["p95_ms"] / GOALS[f["name"]])
    subject = {
        "name": "cases pages (worst to goal)",
        "worst": worst["name"],
        **{k: worst[k] for k in ("requests", "errors", "requests_per_s", "p50_ms", "p95_ms",
                                 "p99_ms")},
        "pages": figures,
    }  # fmt: skip
    return result(
        "cases",
        subject=subject,
        baseline=bare,
        ratios={
            **{f"{name} p95": figure["ratio_p95"] for name, figure in figures.items()},
            "goals met": sum(1 for f in figures.values() if f["goal_met"]),
        },
        params={
            "cases": seeded["cases"],
            "timeline_events": seeded["events"],
            "residents": seeded["residents"],
            "requests": requests,
            "concurrency": concurrency,
            "server": f"gunicorn {SERVER_WORKERS} sync workers",
            "database": database,
            "client": client,
        },
        explain="p95 of each page ÷ p95 of the bare view under the same load (lower is "
        "better); goals: Mijn dossiers and case page ≤ 150 ms, queue and search ≤ 300 ms",
    )


@contextlib.contextmanager
def _site(reuse: str, env: dict[str, str]) -> Iterator[Site]:
    if not reuse:
        with tempfile.TemporaryDirectory(prefix="loket-bench-cases-") as folder:
            site = Site(Path(folder), **env)
            try:
                yield site
            finally:
                site.stop()
        return
    kept = Path(reuse)
    kept.mkdir(parents=True, exist_ok=True)
    site = Site(kept, **env)
    try:
        yield site
    finally:
        site.stop()


def _prepare(site: Site, *, cases: int, database_url: str, log: Any) -> dict[str, Any]:
    """Migrate, and seed unless the folder already holds this seed."""
    marker = site.data_dir / MARKER
    wanted = {
        "cases": cases,
        "residents": residents_for(cases),
        "database": _redacted(database_url),
    }
    known: dict[str, Any] = {}
    if marker.exists():
        known = json.loads(marker.read_text())
        if {k: known.get(k) for k in wanted} != wanted:
            raise BenchError(
                f"{site.data_dir} holds another benchmark site ({known}); give another "
                "folder (or remove this one) to seed a new one"
            )
    elif any(site.data_dir.iterdir()):
        raise BenchError(f"{site.data_dir} is not empty and holds no benchmark site")
    log("migrating …")
    site.migrate()
    if known:
        log(f"reusing the seeded site in {site.data_dir}")
        return known
    log(f"seeding {wanted['residents']:,} residents and {cases:,} cases (takes a while) …")
    started = time.monotonic()
    site.loket(
        "seed", "--residents", str(wanted["residents"]), "--cases", str(cases), "-v", "0",
        timeout=4 * 3600,
    )  # fmt: skip
    counts = site.python(
        "from loket.cases.models import Case, TimelineEvent\n"
        "result = {'cases': Case.objects.count(), 'events': TimelineEvent.objects.count()}"
    )
    known = {**wanted, **counts, "seed_seconds": round(time.monotonic() - started, 1)}
    marker.write_text(json.dumps(known))
    log(f"seeded in {known['seed_seconds']} s")
    return known


def _redacted(url: str) -> str:
    if not url:
        return "sqlite"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 5432}{parts.path}"


def _check(targets: dict[str, tuple[str, dict[str, str]]], *, log: Any) -> None:
    """One request to each target: a 200 with what the page should show."""
    import http.client

    for name, (url, headers) in targets.items():
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
        finally:
            connection.close()
        if response.status != 200:
            raise BenchError(f"{name}: {url} answered {response.status}, not 200")
        rows = body.count('name="case"') if name in ("queue_50", "search") else None
        if name == "queue_50" and not rows:
            raise BenchError(f"{name}: the queue is empty")
        if name == "search" and not rows:
            raise BenchError(f"{name}: the search for {SEARCH!r} found nothing")
        log(f"{name}: 200, {len(body):,} bytes" + (f", {rows} rows" if rows else ""))


# Runs inside the site (django set up): a resident session for the persona, as the
# resident login leaves it, and a staff session that passed the second factor.
_SESSIONS = """
import time
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.services import resident_login
from loket.accounts.staff.constants import (
    AUTH_KIND_STAFF, SESSION_AUTH_KIND, SESSION_STAFF_FACTOR,
)
from loket.accounts.types import Identity, VerifiedLogin
from loket.cases.models import Case
from loket.demo.constants import PERSONAS

from django.conf import settings
BACKEND = settings.AUTHENTICATION_BACKENDS[0]
persona = next(p for p in PERSONAS if p.key == %(persona)r)
with transaction.atomic():
    login = resident_login(login=VerifiedLogin(
        identity=Identity(national_number=persona.national_number,
                          first_name=persona.first_name, last_name=persona.last_name,
                          email=persona.email, language="nl"),
        dialect="fas", acr="urn:be:fedict:iam:fas:Level450", level=450, auth_time=None,
        sid="", subject="bench",
    ))
User = get_user_model()


def session(user, extra):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.update(extra)
    store.create()
    return store.session_key


now = time.time()
resident = User.objects.get(pk=login.user_id)
resident_session = session(resident, {SESSION_LOGIN: {
    "dialect": "fas", "acr": "urn:be:fedict:iam:fas:Level450", "level": 450,
    "auth_time": now, "sid": "", "started_at": now, "last_seen": now,
}})
staff = User.objects.get(username=%(staff)r)
staff_session = session(staff, {SESSION_AUTH_KIND: AUTH_KIND_STAFF,
                                SESSION_STAFF_FACTOR: "totp"})
case = Case.objects.filter(person_id=login.person_id).order_by("-pk").first()
result = {
    "resident_session": resident_session,
    "staff_session": staff_session,
    "reference": case.reference,
    "persona_cases": Case.objects.filter(person_id=login.person_id).count(),
}
""" % {"persona": PERSONA, "staff": STAFF}  # noqa: UP031
