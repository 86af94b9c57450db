"""The portal's home page under load, against a bare Django view on the same server.

A temporary site is migrated and lightly seeded (`loket seed`: the demo municipality's
city and OCMW with opening hours and departments, and a small population), then served
by `loket serve` (gunicorn, the production server) on a free loopback port with DEBUG
off. After a warm-up, the same number of requests goes to the portal home `/` and to
the baseline `/__bench__/baseline` (one `SELECT 1`, a two-byte answer, through the same
middleware), in alternating halves so that drift hits both. Ratio = home ÷ baseline:
what the page costs on top of the least Django can do.
"""

from __future__ import annotations

from typing import Any

from . import BenchError
from ._common import Options, ratio, result, temporary_site
from ._http import Sample, client_name, hammer

DESCRIPTION = "portal home `/` over HTTP (gunicorn) vs a bare Django view on the same server"

DEFAULT_REQUESTS = 600
DEFAULT_CONCURRENCY = 4
SERVER_WORKERS = 2
SERVER_THREADS = 4
MAX_SECONDS = 30.0  # per half: the bench stays bounded on a slow machine

SEED_RESIDENTS = 500  # "lightly seeded": the demo municipality, a small population


def run(options: Options) -> dict[str, Any]:
    requests = options.requests or DEFAULT_REQUESTS
    concurrency = options.concurrency or DEFAULT_CONCURRENCY
    if requests < 2 or concurrency < 1:
        raise ValueError("--requests must be at least 2 and --concurrency at least 1")
    client = client_name()
    with temporary_site(LOKET_BENCH_BASELINE="true") as site:
        options.log("migrating a temporary database …")
        site.migrate()
        site.loket("seed", "--residents", str(SEED_RESIDENTS), "-v", "0")
        options.log(f"starting loket serve ({SERVER_WORKERS} processes × {SERVER_THREADS})")
        base = site.serve(workers=SERVER_WORKERS, threads=SERVER_THREADS)
        home_url, baseline_url = f"{base}/", f"{base}/__bench__/baseline"

        warm = max(2 * concurrency * SERVER_WORKERS, 20)
        for url in (baseline_url, home_url):
            warm_up = hammer(url, requests=warm, concurrency=concurrency, max_seconds=30, seconds=1)
            if not warm_up.latencies:
                raise BenchError(f"every warm-up request to {url} failed")

        home, baseline = Sample(), Sample()
        halves = [requests // 2, requests - requests // 2]
        for half in halves:
            options.log(f"measuring {half} requests each, concurrency {concurrency} ({client}) …")
            baseline.merge(
                hammer(baseline_url, requests=half, concurrency=concurrency,
                       max_seconds=MAX_SECONDS, seconds=2.5)
            )  # fmt: skip
            home.merge(
                hammer(home_url, requests=half, concurrency=concurrency,
                       max_seconds=MAX_SECONDS, seconds=2.5)
            )  # fmt: skip

    subject = home.summary("portal home /")
    bare = baseline.summary("bare view (SELECT 1)")
    return result(
        "home",
        subject=subject,
        baseline=bare,
        ratios={
            "p50": ratio(subject["p50_ms"], bare["p50_ms"]),
            "p95": ratio(subject["p95_ms"], bare["p95_ms"]),
            "throughput": ratio(subject["requests_per_s"], bare["requests_per_s"]),
        },
        params={
            "requests": requests,
            "concurrency": concurrency,
            "server": f"gunicorn {SERVER_WORKERS}×{SERVER_THREADS} gthread",
            "database": f"sqlite (temporary, demo with {SEED_RESIDENTS} residents)",
            "client": client,
        },
        explain="latency ratios: home ÷ baseline (lower is better); throughput ratio: "
        "home ÷ baseline (higher is better)",
    )
