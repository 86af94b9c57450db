"""A real `loket worker` is killed (SIGKILL) in the middle of a 2,000-message fan-out;
another worker finishes it. Every message reaches the SMTP sink, each under its own
Message-ID, and is recorded as sent exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loket.core.tests.processes import LoketSite, free_port, wait_for
from loket.notifications.services import RECORD_EVERY

pytestmark = pytest.mark.slow

N = 2000

SEED = f"""
from django.utils import timezone
from loket.notifications.models import ContactPoint
from loket.people.tests.factories import AddressFactory, PersonFactory
address = AddressFactory()
persons = [PersonFactory(address=address) for _ in range({N})]
ContactPoint.objects.bulk_create(
    ContactPoint(person_id=p.pk, kind="email", value=f"r{{p.pk}}@example.org",
                 verified_at=timezone.now())
    for p in persons
)
from loket.notifications import services
fanout = services.fanout_start(
    actor=None, event="crisis-alert", selection_kind="everyone",
    context={{"alert_title": "Test", "alert_text": "Dit is een test."}},
)
result = services.fanout_queue_messages(fanout_id=fanout.pk)
"""

EXPECTED_IDS = """
from loket.notifications.models import Message
from loket.notifications.providers.smtp.client import message_id_for
keys = Message.objects.values_list("idempotency_key", flat=True)
result = sorted(message_id_for(key) for key in keys)
"""

SWEEP_LATER = """
from datetime import timedelta
from django.utils import timezone
from loket.notifications.services import messages_sweep
result = messages_sweep(now=timezone.now() + timedelta(minutes=5))
"""


@pytest.fixture
def sink_dir(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port, folder = free_port(), tmp_path / "mail-sink"
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "loket.simulators.smtp_sink",
            "--port",
            str(port),
            "--dir",
            str(folder),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert sink.stdout is not None
        assert "SMTP sink on" in sink.stdout.readline()
        yield port, folder
    finally:
        os.killpg(sink.pid, signal.SIGTERM)
        sink.wait(timeout=10)
        if sink.stdout:
            sink.stdout.close()


def _received(folder: Path) -> list[str]:
    log = folder / "received.log"
    if not log.exists():
        return []
    return [line.split("\t")[0] for line in log.read_text().splitlines() if line]


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, sink_dir: tuple[int, Path]
) -> None:
    port, folder = sink_dir
    site = LoketSite(
        tmp_path / "site",
        LOKET_EMAIL_BACKEND="smtp",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        LOG_LEVEL="warning",
    )
    site.data_dir.mkdir()
    try:
        assert site.loket("migrate", "--no-input", "-v", "0", timeout=180).returncode == 0
        assert site.python(SEED, timeout=180) == N

        first = site.start("worker", "--interval", "0.1", "--no-scheduler")
        wait_for(lambda: len(_received(folder)) >= N // 4, timeout=90, what="the first mails")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        sent_before = site.sql("SELECT count(*) FROM notifications_message WHERE status='sent'")
        assert sent_before[0][0] < N, "the worker finished before it could be killed"

        # Time passes: the dead worker's claims expire, its lost wake-ups are redone.
        site.python(SWEEP_LATER)
        site.start("worker", "--interval", "0.1", "--no-scheduler")
        wait_for(
            lambda: (
                site.sql("SELECT count(*) FROM notifications_message WHERE status != 'sent'")[0][0]
                == 0
            ),
            timeout=120,
            what="every message sent",
        )
    finally:
        site.stop_all()

    expected = site.python(EXPECTED_IDS)
    received = _received(folder)
    assert sorted(set(received)) == expected  # every message arrived
    assert len(list(folder.glob("*.eml"))) == N  # stored once per Message-ID
    # What reached the wire twice is the group in flight when the worker died, each
    # with the Message-ID of its first sending (so the sink, like a mail client,
    # keeps one); never more than one recording group.
    assert len(received) - N <= RECORD_EVERY
    assert site.sql("SELECT count(*) FROM notifications_messageevent WHERE status='sent'") == [(N,)]
