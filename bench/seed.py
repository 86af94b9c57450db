"""Building the demo population, against a raw bulk insert of as many rows.

In a fresh temporary SQLite database (migrated, same settings as a real site: WAL,
synchronous=NORMAL), one process first inserts N rows of ten columns into a bare table
with one ``executemany`` in one transaction (the baseline: about the fastest way to put
N rows into this database from Python; the median of five runs), then times
``loket.demo.services.demo_seed_population(residents=N, seed=1)``.
Ratio = seed time ÷ baseline time for the same N: what building realistic residents
(households, addresses, validation, audit) costs over raw inserts. The rows the function
reports and the rows actually written (counted across all tables) are shown too.
"""

from __future__ import annotations

from typing import Any

from . import BenchError
from ._common import Options, ratio, result, temporary_site

DESCRIPTION = "demo_seed_population(residents=N) vs a raw executemany of N rows, same database"

DEFAULT_RESIDENTS = 20_000
BASELINE_REPEATS = 5

CHILD = """
import time
from django.apps import apps
from django.db import connection, transaction

n = {residents}
try:
    from loket.demo.services import demo_seed_population
except ImportError as exc:
    result = {{"missing": str(exc)}}
else:
    def rows_everywhere():
        return sum(model.objects.count() for model in apps.get_models())

    rows = [
        (i, f"Voornaam{{i}}", f"Achternaam{{i % 997}}", 1940 + i % 80, i % 12 + 1,
         f"Straat {{i % 500}}", str(8000 + i % 999), i * 0.5, f"{{i:011d}}", i % 2)
        for i in range(n)
    ]
    def raw_insert():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_baseline (id INTEGER PRIMARY KEY, first_name TEXT, "
                "last_name TEXT, born INTEGER, month INTEGER, street TEXT, postcode TEXT, "
                "score REAL, number TEXT, flag INTEGER)"
            )
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_baseline VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        took = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_baseline")
        return took

    # The baseline is short: take the median of a few runs to steady it.
    baseline_seconds = sorted(raw_insert() for _ in range({repeats}))[{repeats} // 2]

    before = rows_everywhere()
    started = time.perf_counter()
    created = demo_seed_population(residents=n, seed=1)
    seed_seconds = time.perf_counter() - started
    written = rows_everywhere() - before
    result = {{
        "baseline_seconds": baseline_seconds,
        "seed_seconds": seed_seconds,
        "created": created,
        "rows_written": written,
    }}
"""


def run(options: Options) -> dict[str, Any]:
    residents = options.residents or options.requests or DEFAULT_RESIDENTS
    if residents < 1:
        raise ValueError("--residents must be at least 1")
    with temporary_site() as site:
        options.log("migrating a temporary database …")
        site.migrate()
        options.log(f"baseline: {residents} raw rows; then demo_seed_population({residents})")
        child = site.python(CHILD.format(residents=residents, repeats=BASELINE_REPEATS))
    if "missing" in child:
        raise BenchError(
            "loket.demo.services.demo_seed_population(*, residents, seed) is not there "
            f"({child['missing']}); the people/demo module must provide it."
        )
    seed_s, base_s = child["seed_seconds"], child["baseline_seconds"]
    subject = {
        "name": "demo_seed_population",
        "residents": residents,
        "rows_reported": child["created"],
        "rows_written": child["rows_written"],
        "seconds": round(seed_s, 4),
        "residents_per_s": round(residents / seed_s, 1),
        "rows_per_s": round(child["rows_written"] / seed_s, 1),
    }
    baseline = {
        "name": "raw executemany",
        "residents": "-",
        "rows_reported": residents,
        "rows_written": residents,
        "seconds": round(base_s, 4),
        "residents_per_s": "-",
        "rows_per_s": round(residents / base_s, 1),
    }
    return result(
        "seed",
        subject=subject,
        baseline=baseline,
        ratios={
            "time": ratio(seed_s, base_s),
            "rows_per_s": ratio(subject["rows_per_s"], baseline["rows_per_s"]),
        },
        params={"residents": residents, "seed": 1, "database": "sqlite (temporary)"},
        explain="time: seed ÷ baseline for the same N (lower is better); rows_per_s: all "
        "rows the seed wrote per second ÷ raw rows per second (higher is better)",
    )
