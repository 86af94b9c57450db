"""`loket serve`: the production web server (gunicorn with several processes)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve Loket with gunicorn: several processes, each with threads (--threads 1: "
        "one request at a time per process, for CPU-bound work behind a buffering proxy)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=None, help="Default: PORT.")
        parser.add_argument("--workers", type=int, default=None, help="Default: WEB_CONCURRENCY.")
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help="Threads per process (default 4). 1 runs gunicorn's sync workers: each "
            "process takes the next waiting request when it is free, which spreads a "
            "CPU-bound load evenly; put a buffering proxy (nginx) in front of them.",
        )
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=10,
            help="Seconds running requests get to finish on stop.",
        )
        parser.add_argument("--access-log", action="store_true", help="Log every request.")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or settings.PORT
        workers = options["workers"] or settings.WEB_CONCURRENCY
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "loket.config.wsgi:application",
            "--bind",
            f"{options['host']}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(max(1, options["threads"])),
            "--worker-class",
            "sync" if options["threads"] <= 1 else "gthread",
            "--graceful-timeout",
            str(options["graceful_timeout"]),
            "--timeout",
            "60",
            # The application is loaded once and the processes are forked from it: a
            # process replaced after --max-requests starts at once instead of loading
            # Django again while the others take its requests.
            "--preload",
            "--max-requests",
            "5000",
            "--max-requests-jitter",
            "500",
        ]
        if options["access_log"]:
            argv += ["--access-logfile", "-"]
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process: signals go to gunicorn)
