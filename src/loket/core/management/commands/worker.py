"""`loket worker`: runs queued tasks and, beside them, the periodic scheduler."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from loket.core.services import scheduler_tick, worker_forget, worker_heartbeat
from loket.core.tasks import load_task_modules

logger = logging.getLogger("loket.worker")


class Command(BaseCommand):
    help = "Run background tasks (and the periodic scheduler) until stopped with Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not enqueue periodic jobs."
        )
        parser.add_argument(
            "--burst", action="store_true", help="Run what is queued, then stop (for tests)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        load_task_modules()
        worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        backend = settings.LOKET_TASK_BACKEND
        stop = threading.Event()
        use_scheduler = settings.LOKET_SCHEDULER and not options["no_scheduler"]
        beat = threading.Thread(
            target=self._beat,
            args=(worker_id, backend, stop, use_scheduler),
            name="loket-scheduler",
            daemon=True,
        )
        if not options["burst"]:
            beat.start()
        self.stdout.write(f"Loket worker {worker_id} ({backend}) started. Ctrl-C stops it.")
        try:
            self._run_backend(backend, options)
        finally:
            stop.set()
            if beat.is_alive():
                beat.join(timeout=5)
            try:
                worker_forget(worker_id=worker_id)
            except Exception:  # the database may be the reason we are stopping
                logger.warning("could not remove heartbeat of %s", worker_id)

    def _run_backend(self, backend: str, options: dict[str, Any]) -> None:
        if backend == "rq":
            call_command("rqworker", "default", burst=options["burst"], with_scheduler=False)
        elif backend == "database":
            db_options: dict[str, Any] = {"interval": options["interval"], "startup_delay": False}
            if options["burst"]:
                db_options["batch"] = True
            call_command("db_worker", **db_options)
        else:
            self.stdout.write("LOKET_TASK_BACKEND=immediate runs tasks inline: nothing to do.")

    def _beat(
        self, worker_id: str, backend: str, stop: threading.Event, use_scheduler: bool
    ) -> None:
        started_at = timezone.now()
        while not stop.is_set():
            try:
                worker_heartbeat(worker_id=worker_id, backend=backend, started_at=started_at)
                if use_scheduler:
                    scheduler_tick(worker_id=worker_id)
            except Exception:
                logger.exception("scheduler tick failed; trying again shortly")
            finally:
                close_old_connections()
            stop.wait(15)
        connection.close()
