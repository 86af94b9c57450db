"""Tasks that exist only for the tests: the worker imports them by module path, like any
module's tasks. Their side effects (a file) are visible across processes."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def echo(value: str, marker: str = "") -> str:
    """Return ``value``; when ``marker`` is a path, also write ``value`` there."""
    if marker:
        Path(marker).write_text(value)
    return value


@task()
def explode(message: str) -> None:
    raise RuntimeError(message)


@task()
def linger(seconds: float, marker: str) -> str:
    """Announce that it started, keep running for a while, then write ``marker``."""
    Path(f"{marker}.started").touch()
    time.sleep(seconds)
    Path(marker).write_text("finished")
    return "finished"
