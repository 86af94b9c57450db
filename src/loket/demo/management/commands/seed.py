"""`loket seed`: build the demo municipality Mandelmunster into an empty database."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

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
        "does nothing and exits 0. To build it again, start from a new database."
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

    def handle(self, *args: Any, residents: int | None, seed: int, **options: Any) -> None:
        if residents is None:
            residents = settings.LOKET_SEED_RESIDENTS
        if residents < 0:
            raise CommandError("--residents must be 0 or more.")
        if demo_is_seeded():
            self.stdout.write(
                "This database already holds the demo municipality; nothing to do. "
                "To build it again, start from a new database."
            )
            return
        started = time.monotonic()
        with tqdm(
            total=residents,
            unit=" residents",
            file=sys.stderr,
            disable=None if options["verbosity"] > 0 else True,
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
