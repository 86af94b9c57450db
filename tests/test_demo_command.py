"""`loket demo` as a user runs it: starts, serves, stops on Ctrl-C, keeps the data."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import REPO, clean_environment

pytestmark = pytest.mark.slow


def _free_port(span: int = 5) -> int:
    """A port such that it and the next ones (the demo uses five) are all free."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = int(sock.getsockname()[1])
        if base + span > 65535:
            continue
        taken = []
        try:
            for port in range(base, base + span):
                probe = socket.socket()
                taken.append(probe)
                probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for probe in taken:
                probe.close()
        return base
    raise AssertionError("no five free ports in a row on 127.0.0.1")


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.read()


def _run_demo_until_up(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "loket", "demo", "--port", str(port)],
        env=clean_environment(tmp_path, LOKET_SEED_RESIDENTS="300"),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if _get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError("loket demo did not come up within 90 seconds")


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError("loket demo did not stop within 30 s of Ctrl-C:\n" + output) from None
    return process.returncode, output


def _residents(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "loket.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM people_person").fetchone()[0])


def test_demo_serves_the_municipality_stops_cleanly_and_keeps_its_data(tmp_path):
    port = _free_port()
    process = _run_demo_until_up(tmp_path, port)
    try:
        status, body = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "Mandelmunster" in body.decode()
        health = json.loads(_get(f"http://127.0.0.1:{port}/healthz")[1])
        assert health["status"] == "ok"
    finally:
        code, output = _stop(process)
    assert code == 0, output
    assert "loket-demo-2026" in output  # the demo logins are printed
    assert f"http://127.0.0.1:{port}/backoffice/" in output
    residents = _residents(tmp_path)
    assert residents == 300

    again = _run_demo_until_up(tmp_path, port)
    code, output = _stop(again)
    assert code == 0, output
    assert _residents(tmp_path) == residents  # the second run kept, not re-seeded, the data


def test_demo_names_the_part_that_cannot_start_and_leaves_nothing_running(tmp_path):
    port = _free_port()
    with socket.socket() as busy:  # another program holds the identity provider's port
        busy.bind(("127.0.0.1", port + 1))
        busy.listen()
        process = subprocess.run(
            [sys.executable, "-m", "loket", "demo", "--port", str(port)],
            env=clean_environment(tmp_path, LOKET_SEED_RESIDENTS="300"),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert process.returncode != 0
    assert "identity provider (port" in process.stderr, process.stderr[-2000:]
    with socket.socket() as probe:  # the web server that did start was stopped again
        probe.settimeout(1)
        assert probe.connect_ex(("127.0.0.1", port)) != 0
