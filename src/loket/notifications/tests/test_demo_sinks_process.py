"""`loket demo` starts the SMTP sink and the SMS gateway simulator beside Loket, and
a message sent in the demo lands in the sink (and on the demo page)."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from loket.core.tests.processes import free_port

pytestmark = pytest.mark.slow


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LOKET_", "DATABASE_URL", "EMAIL_", "REDIS_URL", "PORT", "DJANGO_"))
    }
    env.update(LOKET_DATA_DIR=str(tmp_path), LOKET_SEED_RESIDENTS="200")
    return env


def test_demo_runs_the_message_sinks(tmp_path: Path) -> None:
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "loket", "demo", "--port", str(port), "--no-worker"],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert demo.poll() is None, "loket demo stopped"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "loket demo did not come up"
                time.sleep(0.5)
        with smtplib.SMTP("127.0.0.1", port + 2, timeout=10) as smtp:
            smtp.sendmail(
                "loket@example.invalid",
                ["a@example.org"],
                b"Message-ID: <1@x>\r\nSubject: Demo\r\n\r\nHallo",
            )
        assert list((tmp_path / "mail-sink").glob("*.eml"))
        for sms_port in (port + 3, port + 4):
            request = urllib.request.Request(
                f"http://127.0.0.1:{sms_port}/_control", data=b'{"mode": "ok"}', method="POST"
            )
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                assert answer.status == 200
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
