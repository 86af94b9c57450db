"""`loket serve`: the production web server (gunicorn with several processes)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Loket with gunicorn: several processes, each with threads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=None, help="Default: PORT.")
        parser.add_argument("--workers", type=int, default=None, help="Default: WEB_CONCURRENCY.")
        parser.add_argument("--threads", type=int, default=4)
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
            str(options["threads"]),
            "--worker-class",
            "gthread",
            "--graceful-timeout",
            str(options["graceful_timeout"]),
            "--timeout",
            "60",
            "--max-requests",
            "5000",
            "--max-requests-jitter",
            "500",
        ]
        if options["access_log"]:
            argv += ["--access-logfile", "-"]
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process: signals go to gunicorn)
