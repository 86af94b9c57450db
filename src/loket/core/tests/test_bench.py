"""`loket bench`: scenarios report their figures, a baseline and the ratio."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from loket.core.management.commands.bench import render
from loket.core.tests.processes import LoketSite


def test_list_names_the_scenarios(site: LoketSite) -> None:
    done = site.loket("bench", "--list")

    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert names == ["cases", "documents", "fanout", "home", "load", "seed"]


def test_an_unknown_scenario_is_refused(site: LoketSite) -> None:
    done = site.loket("bench", "nothing")

    assert done.returncode == 1
    assert "No scenario 'nothing'" in done.stderr


@pytest.mark.parametrize("client", ["python", "wrk"])
def test_home_measures_the_portal_against_a_bare_view(site: LoketSite, client: str) -> None:
    if client == "wrk" and shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (the benchmarks then use the Python client)")
    site.env["LOKET_BENCH_CLIENT"] = client
    done = site.loket(
        "bench", "home", "--json", "--requests", "20", "--concurrency", "2", timeout=180
    )

    assert done.returncode == 0, done.stderr[-3000:]
    [line] = done.stdout.strip().splitlines()
    outcome = json.loads(line)
    assert outcome["scenario"] == "home"
    home, baseline = outcome["subject"], outcome["baseline"]
    assert outcome["params"]["client"].startswith(client)
    for figures in (home, baseline):
        # The Python client sends what it is asked; wrk runs for a time instead.
        assert figures["requests"] == 20 if client == "python" else figures["requests"] > 20
        assert figures["errors"] == 0
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    # The real page was served, and the baseline really is bare.
    assert home["response_bytes"] > 1000
    assert baseline["response_bytes"] == 2
    assert outcome["ratio"]["p50"] == float(f"{home['p50_ms'] / baseline['p50_ms']:.3g}")
    assert set(outcome["ratio"]) == {"p50", "p95", "throughput"}


def test_the_table_shows_both_columns_and_the_ratios() -> None:
    figures = {"requests": 20, "p50_ms": 9.5}
    table = render(
        {
            "scenario": "home",
            "params": {"requests": 20},
            "subject": {"name": "portal home /", **figures},
            "baseline": {"name": "bare view", **figures, "p50_ms": 1.9},
            "ratio": {"p50": 5.0},
            "explain": "home ÷ baseline",
        }
    )

    lines = table.splitlines()
    assert lines[0] == "loket bench home  requests=20"
    assert "portal home /" in lines[2]
    assert "bare view" in lines[2]
    assert lines[4].split() == ["p50_ms", "9.5", "1.9"]
    assert "ratio: p50 5.0" in table


def test_seed_compares_the_demo_population_with_raw_inserts(site: LoketSite) -> None:
    done = site.loket("bench", "seed", "--json", "--residents", "50", timeout=300)

    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout)
    seeded, baseline = outcome["subject"], outcome["baseline"]
    assert seeded["residents"] == 50
    # Residents come with households and addresses: more rows than residents.
    assert seeded["rows_written"] > 50
    assert seeded["rows_reported"] <= seeded["rows_written"]
    assert baseline["rows_written"] == 50
    assert set(outcome["ratio"]) == {"time", "rows_per_s"}
    assert 0 < outcome["ratio"]["time"] < math.inf
