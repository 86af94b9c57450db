"""`loket seed`: build the demo municipality Mandelmunster into an empty database."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from loket.demo.bulk_cases import CasesSeedRefused, cases_seed_bulk
from loket.demo.constants import DEFAULT_SEED, DEMO_PASSWORD
from loket.demo.selectors import demo_is_seeded
from loket.demo.services import DemoSeedRefused, demo_logins, demo_seed


class Command(BaseCommand):
    help = (
        "Build the demo municipality Mandelmunster (a fictional town modelled on "
        "Ingelmunster): the city and its OCMW with opening hours and departments, demo "
        "staff, and a population register with residents, households, companies and "
        "associations. The same --residents and --seed always build the same town. "
        "Seeds only an empty database; on a database that already holds the demo it "
        "does nothing and exits 0. To build it again, start from a new database. "
        "--cases N adds N cases with about ten timeline events each (1000000 for a "
        "city the size of Antwerp) to a database without cases."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--residents",
            type=int,
            default=None,
            help="How many residents (default: LOKET_SEED_RESIDENTS, 11000). "
            "550000 is the size of Antwerp.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Seed of the random generator (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help="Also seed this many cases (dossiers) over the demo case types, with "
            "about ten timeline events each; only into a database without cases.",
        )

    def handle(
        self, *args: Any, residents: int | None, seed: int, cases: int, **options: Any
    ) -> None:
        if residents is None:
            residents = settings.LOKET_SEED_RESIDENTS
        if residents < 0:
            raise CommandError("--residents must be 0 or more.")
        if cases < 0:
            raise CommandError("--cases must be 0 or more.")
        if demo_is_seeded():
            self.stdout.write(
                "This database already holds the demo municipality; nothing to do. "
                "To build it again, start from a new database."
                if not cases
                else "This database already holds the demo municipality; adding cases."
            )
        else:
            self._seed_demo(residents=residents, seed=seed, verbosity=options["verbosity"])
        if cases:
            self._seed_cases(cases=cases, seed=seed, verbosity=options["verbosity"])

    def _seed_cases(self, *, cases: int, seed: int, verbosity: int) -> None:
        started = time.monotonic()
        with tqdm(
            total=cases,
            unit=" cases",
            file=sys.stderr,
            disable=None if verbosity > 0 else True,
            dynamic_ncols=True,
        ) as bar:
            try:
                result = cases_seed_bulk(cases=cases, seed=seed, progress=bar.update)
            except CasesSeedRefused as error:
                raise CommandError(str(error)) from None
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.cases:,} cases ({result.open_cases:,} open) with "
                f"{result.events:,} timeline events, {result.persona_cases} of them for the "
                f"demo personas (seed {result.seed}, {seconds:.1f} s)."
            )
        )

    def _seed_demo(self, *, residents: int, seed: int, verbosity: int) -> None:
        started = time.monotonic()
        with tqdm(
            total=residents,
            unit=" residents",
            file=sys.stderr,
            disable=None if verbosity > 0 else True,
            dynamic_ncols=True,
        ) as bar:
            try:
                result = demo_seed(residents=residents, seed=seed, progress=bar.update)
            except DemoSeedRefused as error:
                raise CommandError(str(error)) from None
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Mandelmunster is ready: {result.residents:,} residents in "
                f"{result.households:,} households at {result.addresses:,} addresses, "
                f"{result.companies} companies, {result.associations} associations, "
                f"{result.organisations} organisations with {result.departments} "
                f"departments and {result.staff} staff (seed {result.seed}, "
                f"{seconds:.1f} s)."
            )
        )
        self.stdout.write(f"Demo logins, all with the password {DEMO_PASSWORD}:")
        for login in demo_logins():
            self.stdout.write(f"  {login.username:<16} {login.description} ({login.where})")
