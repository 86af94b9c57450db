"""`loket bench`: benchmark scenarios, each with a baseline measured in the same run.

The scenarios live in the `bench/` folder at the root of the repository (not in the
installed package): each public module there is one scenario (see `bench/__init__.py`).
This command loads that folder by path as the package ``loket_bench``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

PACKAGE = "loket_bench"


def find_bench_dir(explicit: str | None) -> Path:
    """--bench-dir, else LOKET_BENCH_DIR, else ./bench, else the repository's bench/."""
    import loket

    candidates = [explicit, os.environ.get("LOKET_BENCH_DIR")]
    candidates += [
        str(Path.cwd() / "bench"),
        str(Path(loket.__file__).resolve().parents[2] / "bench"),
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "__init__.py").is_file():
            return Path(candidate).resolve()
    raise CommandError(
        "No bench/ folder found: run from the repository root, or pass --bench-dir "
        "(or set LOKET_BENCH_DIR) to the folder holding the scenarios."
    )


def load_package(bench_dir: Path) -> ModuleType:
    loaded = sys.modules.get(PACKAGE)
    if loaded is not None and Path(loaded.__file__ or "").parent == bench_dir:
        return loaded
    spec = importlib.util.spec_from_file_location(
        PACKAGE, bench_dir / "__init__.py", submodule_search_locations=[str(bench_dir)]
    )
    if spec is None or spec.loader is None:
        raise CommandError(f"cannot load the scenarios in {bench_dir}")
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    spec.loader.exec_module(package)
    return package


def scenario_names(bench_dir: Path) -> list[str]:
    return sorted(p.stem for p in bench_dir.glob("*.py") if not p.stem.startswith("_"))


class Command(BaseCommand):
    help = "Run a benchmark scenario from bench/ and compare it with its baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="Scenario to run (see --list).")
        parser.add_argument("--list", action="store_true", help="List the scenarios.")
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object per scenario."
        )
        parser.add_argument("--requests", type=int, help="Requests per target (home).")
        parser.add_argument("--concurrency", type=int, help="Client threads (home).")
        parser.add_argument("--residents", type=int, help="Residents to create (seed).")
        parser.add_argument("--messages", type=int, help="Messages to fan out (fanout).")
        parser.add_argument("--cases", type=int, help="Cases to seed (cases, load).")
        parser.add_argument(
            "--reuse", help="Folder to keep and reuse the seeded site in (cases, load)."
        )
        parser.add_argument(
            "--database-url",
            help="A PostgreSQL database of its own for the bench site (cases, load); "
            "never the one the tests use.",
        )
        parser.add_argument(
            "--duration", type=float, help="Seconds per level (load), per page with wrk (cases)."
        )
        parser.add_argument("--bench-dir", help="Folder with the scenarios (default: bench/).")

    def handle(self, *args: Any, **options: Any) -> None:
        bench_dir = find_bench_dir(options["bench_dir"])
        package = load_package(bench_dir)
        names = scenario_names(bench_dir)
        if options["list"]:
            for name in names:
                module = importlib.import_module(f"{PACKAGE}.{name}")
                self.stdout.write(f"{name:<10} {getattr(module, 'DESCRIPTION', '')}")
            return
        name = options["name"]
        if not name:
            raise CommandError(f"Name a scenario: {', '.join(names)} (or --list).")
        if name not in names:
            raise CommandError(f"No scenario {name!r}; there are: {', '.join(names)}.")
        module = importlib.import_module(f"{PACKAGE}.{name}")
        common = importlib.import_module(f"{PACKAGE}._common")

        def log(message: str) -> None:
            if options["verbosity"] > 0:
                self.stderr.write(f"[bench {name}] {message}")

        scenario_options = common.Options(
            requests=options["requests"],
            concurrency=options["concurrency"],
            residents=options["residents"],
            messages=options["messages"],
            cases=options["cases"],
            reuse=options["reuse"],
            database_url=options["database_url"],
            duration=options["duration"],
            log=log,
        )
        try:
            outcome = module.run(scenario_options)
        except package.BenchError as exc:
            raise CommandError(f"bench {name}: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
        else:
            self.stdout.write(render(outcome))


def render(outcome: dict[str, Any]) -> str:
    """The result as a small table: subject and baseline side by side, then the ratios."""
    subject, baseline = outcome["subject"], outcome["baseline"]
    keys = [k for k in subject if k != "name" and k in baseline]
    width = max(len(k) for k in keys) + 2
    lines = [
        f"loket bench {outcome['scenario']}  "
        + ", ".join(f"{k}={v}" for k, v in outcome["params"].items()),
        "",
        f"{'':<{width}}{subject['name']:>26}  {baseline['name']:>26}",
    ]
    lines += [f"{k:<{width}}{subject[k]!s:>26}  {baseline[k]!s:>26}" for k in keys]
    lines.append("")
    lines.append("ratio: " + ", ".join(f"{k} {v}" for k, v in outcome["ratio"].items()))
    lines.append(f"       ({outcome['explain']})")
    return "\n".join(lines)
