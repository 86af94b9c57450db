"""Fault tests: Loket while a part it depends on breaks (the database, a worker, the
disk, the e-mail server, an SMS provider). Real processes where the fault is a process
(`loket serve`, `loket worker` on a file-based SQLite site), loopback proxies and
simulators where the fault is on the network."""

from __future__ import annotations

import contextlib
import http.client
import re
import shutil
import socket
import sqlite3
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loket.core.tests.processes import LoketSite, free_port, wait_for

# A resident with an account, and a session as the resident login leaves it, made in
# the site's own database (returns the session key).
RESIDENT_SESSION = """
import time
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount
from loket.core.models import User
from loket.people.models import Person

person = Person.objects.order_by("pk").first()
user = User.objects.create(username="fault-resident", first_name=person.first_name)
ResidentAccount.objects.create(
    user=user, person_id=person.pk, national_number_digest="fault-1", dialect="fas"
)
now = time.time()
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store[SESSION_LOGIN] = {
    "dialect": "fas", "level": 450, "acr": "", "sid": "", "started_at": now, "last_seen": now,
}
store.create()
result = store.session_key
"""


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite database with a small demo town (catalogue, case types,
    staff, 30 residents), copied by each test that runs Loket as processes."""
    folder = tmp_path_factory.mktemp("fault-template")
    site = LoketSite(folder, LOG_LEVEL="warning")
    for args in (("migrate", "--no-input", "-v", "0"), ("seed", "--residents", "30", "-v", "0")):
        done = site.loket(*args, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(site.db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return site.db_path


@pytest.fixture
def fault_site(tmp_path: Path, seeded_database: Path) -> Iterator[LoketSite]:
    data = tmp_path / "site"
    data.mkdir()
    shutil.copy(seeded_database, data / "loket.sqlite3")
    # A connection per request: moving the database file away (sqlite_file_gone) only
    # makes new connections fail; a kept one would go on writing to the moved file.
    site = LoketSite(data, LOG_LEVEL="warning", DATABASE_CONN_MAX_AGE="0")
    try:
        yield site
    finally:
        site.stop_all()


def serve(site: LoketSite) -> str:
    """`loket serve` (gunicorn, one process) on a free loopback port; its base URL."""
    port = free_port()
    site.start("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        with contextlib.suppress(OSError, http.client.HTTPException):
            return fetch(base, "GET", "/healthz", {})[0] == 200
        return False

    wait_for(answers, timeout=60, what="loket serve")
    return base


def fetch(
    base: str,
    method: str,
    path: str,
    cookies: dict[str, str],
    form: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request; cookies the answer sets go into ``cookies``."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    headers = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key.strip()] = rest.split(";", 1)[0]
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_fields(html: str, *, kinds: tuple[str, ...] = ("hidden",)) -> list[tuple[str, str]]:
    """(name, value) of the page's inputs of these types, unescaped."""
    import html as html_module

    fields = []
    for tag in _INPUT.findall(html):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("type") in kinds and "name" in attributes:
            name, value = attributes["name"], attributes.get("value", "")
            fields.append((html_module.unescape(name), html_module.unescape(value)))
    return fields


@contextlib.contextmanager
def sqlite_file_gone(path: Path) -> Iterator[None]:
    """The database file (and its WAL) moved away and a folder in its place: every new
    connection fails with "unable to open database file", as on a lost or unmounted
    volume. Put back afterwards."""
    aside = path.parent / "moved-away"
    aside.mkdir()
    moved = []
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(aside / source.name)
            moved.append(source)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        for source in moved:
            (aside / source.name).rename(source)
        aside.rmdir()


class TcpProxy:
    """A loopback TCP proxy to ``host:port`` that can be cut (every open connection
    closed, new ones closed at once) and restored: a database server that restarts, or
    a network that drops.

    A socket is only shut down by whoever cuts it; it is closed by the last of its
    connection's two pump threads, so no thread is ever blocked on a descriptor number
    that a new connection has taken over meanwhile."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            done = [2]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink, done), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, done: list[int]) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_RDWR)
            with self._lock:
                done[0] -= 1
                last = done[0] == 0
                if last:
                    self._sockets = [s for s in self._sockets if s not in (source, sink)]
            if last:
                source.close()
                sink.close()

    def cut(self) -> None:
        self.up = False
        with self._lock:
            sockets = list(self._sockets)
        for end in sockets:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(timeout=5)
        self.listener.close()


@pytest.fixture
def start_child() -> Iterator[Any]:
    """Start a helper process (a simulator) in its own process group; all are killed at
    the end of the test. Its output is a pipe the test may read its first line from."""
    import os
    import signal
    import subprocess

    children: list[subprocess.Popen[str]] = []

    def start(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        child = subprocess.Popen(
            argv,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        children.append(child)
        return child

    try:
        yield start
    finally:
        for child in children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
            if child.stdout:
                child.stdout.close()
