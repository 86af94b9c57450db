"""`loket worker`: runs queued tasks and, beside them, the periodic scheduler.

The queue is worked by the task backend's own worker (``db_worker`` of django-tasks-db
or ``rqworker`` of django-rq) in the main thread; a second thread refreshes this
worker's heartbeat and enqueues periodic jobs when they are due. SIGINT and SIGTERM
stop it gracefully: the task that is running finishes, the heartbeat row is removed and
the process exits with code 0.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from loket.core.services import scheduler_tick, worker_forget, worker_heartbeat
from loket.core.tasks import load_task_modules

logger = logging.getLogger("loket.worker")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SIGQUIT = signal.SIGQUIT  # the database worker takes it over too
HEARTBEAT_EVERY = 15.0  # seconds; well under selectors.WORKER_STALE_AFTER


def new_worker_id() -> str:
    """Unique across machines and restarts, at most 64 characters (the backends' limit)."""
    host = socket.gethostname().split(".")[0][:40]
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class Command(BaseCommand):
    help = "Run background tasks (and the periodic scheduler) until stopped with Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between polls of the database queue when it is empty.",
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not enqueue periodic jobs."
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Enqueue the periodic jobs that are due, run everything queued, then stop "
            "(for tests, or for running from cron instead of as a service).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Until the backend installs its own handlers, a stop request ends us cleanly.
        # The previous handlers come back at the end (the command may run in-process).
        previous = {signum: signal.getsignal(signum) for signum in (*STOP_SIGNALS, SIGQUIT)}
        for signum in STOP_SIGNALS:
            signal.signal(signum, _exit_cleanly)
        worker_id = new_worker_id()
        backend = settings.LOKET_TASK_BACKEND
        use_scheduler = settings.LOKET_SCHEDULER and not options["no_scheduler"]
        stop = threading.Event()
        beat = threading.Thread(
            target=self._beat,
            args=(worker_id, backend, stop, use_scheduler),
            name="loket-scheduler",
            daemon=True,
        )
        try:
            load_task_modules()
            if options["burst"]:
                if use_scheduler:
                    scheduler_tick(worker_id=worker_id)
            else:
                beat.start()
            self.stdout.write(f"Loket worker {worker_id} ({backend}) started. Ctrl-C stops it.")
            self.stdout.flush()
            self._run_backend(backend, worker_id, options)
        finally:
            stop.set()
            if beat.is_alive():
                beat.join(timeout=5)
            try:
                worker_forget(worker_id=worker_id)
            except Exception:  # the database may be the reason we are stopping
                logger.warning("could not remove heartbeat of %s", worker_id)
            self.stdout.write(f"Loket worker {worker_id} stopped.")
            for signum, handler in previous.items():
                if handler is not None:
                    signal.signal(signum, handler)

    def _run_backend(self, backend: str, worker_id: str, options: dict[str, Any]) -> None:
        verbosity = options.get("verbosity", 1)
        if backend == "rq":
            call_command(
                "rqworker",
                "default",
                burst=options["burst"],
                with_scheduler=False,
                job_class="django_tasks_rq.Job",
                # Run jobs in this process: a forked work horse would inherit the
                # parent's open database connections, which is unsafe (SQLite and
                # PostgreSQL alike). Scale with more worker processes instead.
                worker_class="rq.worker.SimpleWorker",
                name=worker_id,
                verbosity=verbosity,
            )
        elif backend == "database":
            call_command(
                "db_worker",
                interval=options["interval"],
                batch=options["burst"],
                startup_delay=False,
                reload=False,
                worker_id=worker_id,
                verbosity=verbosity,
            )
        else:
            self.stdout.write("LOKET_TASK_BACKEND=immediate runs tasks inline: nothing to do.")

    def _beat(
        self, worker_id: str, backend: str, stop: threading.Event, use_scheduler: bool
    ) -> None:
        started_at = timezone.now()
        try:
            while not stop.is_set():
                try:
                    worker_heartbeat(worker_id=worker_id, backend=backend, started_at=started_at)
                    if use_scheduler:
                        scheduler_tick(worker_id=worker_id)
                except Exception:
                    logger.exception("heartbeat or scheduler tick failed; trying again shortly")
                finally:
                    close_old_connections()
                stop.wait(HEARTBEAT_EVERY)
        finally:
            connection.close()


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
