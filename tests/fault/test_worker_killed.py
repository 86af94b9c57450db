"""A worker is killed (SIGKILL) in the middle of a bulk message to e-mail and SMS
recipients; another worker takes over. Every recipient gets exactly one message:
nothing lost, nothing twice.

Real processes on a file-based SQLite site: `loket worker` (the fan-out is prepared
and delivered by its tasks, from ``fanout_start`` on), the SMTP sink and the SMS
gateway simulator on loopback. What the dead worker had claimed is taken back by the
sweep once its lease has passed (the clock is moved for the sweep, not waited for).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from loket.core.tests.processes import LoketSite, free_port, wait_for

pytestmark = pytest.mark.slow

EMAILS, TEXTS = 900, 100
TOKEN, SECRET = "fault-token", "fault-secret"

START = f"""
from django.utils import timezone
from loket.notifications import services
from loket.notifications.models import ContactPoint
from loket.people.tests.factories import AddressFactory, PersonFactory
from loket.people.models import Person

Person.objects.all().delete()  # only the recipients of this test
address = AddressFactory()
now = timezone.now()
contacts = []
for i in range({EMAILS + TEXTS}):
    person = PersonFactory(address=address)
    if i < {EMAILS}:
        contacts.append(ContactPoint(person_id=person.pk, kind="email",
                                     value=f"r{{i}}@example.org", verified_at=now))
    else:
        contacts.append(ContactPoint(person_id=person.pk, kind="phone",
                                     value=f"+32470{{i:06d}}", verified_at=now))
ContactPoint.objects.bulk_create(contacts)
fanout = services.fanout_start(
    actor=None, event="crisis-alert", selection_kind="everyone",
    context={{"alert_title": "Oefening", "alert_text": "Dit is een oefening."}},
)
result = fanout.pk
"""

SWEEP_LATER = """
from datetime import timedelta
from django.utils import timezone
from loket.notifications.services import messages_sweep
result = messages_sweep(now=timezone.now() + timedelta(minutes=5))
"""


def _mails(folder: Path) -> list[tuple[str, str]]:
    """(Message-ID, recipient) of every e-mail the sink received, repeats included."""
    log = folder / "received.log"
    if not log.exists():
        return []
    return [
        (line.split("\t")[0], line.split("\t")[1])
        for line in log.read_text().splitlines()
        if "\t" in line
    ]


def _texts(folder: Path) -> list[dict[str, Any]]:
    """Every text the gateway accepted (a repeat with a known key is not stored again)."""
    log = folder / "messages.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line]


def test_a_worker_killed_mid_fanout_loses_nothing_and_sends_nothing_twice(
    fault_site: LoketSite, tmp_path: Path, start_child: Any
) -> None:
    smtp_port, sms_port = free_port(), free_port()
    mail_dir, sms_dir = tmp_path / "mail", tmp_path / "sms"
    site = fault_site
    site.env.update(
        LOKET_EMAIL_BACKEND="smtp",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        LOKET_SMS_GATEWAYS=f"http://127.0.0.1:{sms_port}/v1",
        LOKET_SMS_API_TOKENS=TOKEN,
        LOKET_SMS_CALLBACK_SECRET=SECRET,
    )
    for argv in (
        ["loket.simulators.smtp_sink", "--port", str(smtp_port), "--dir", str(mail_dir)],
        ["loket.simulators.sms_gateway", "--port", str(sms_port), "--dir", str(sms_dir),
         "--token", TOKEN, "--callback-secret", SECRET],
    ):  # fmt: skip
        sink = start_child([sys.executable, "-m", *argv], site.env)
        assert sink.stdout is not None
        assert " on " in sink.stdout.readline()

    fanout_id = site.python(START, timeout=120)
    first = site.start("worker", "--interval", "0.1", "--no-scheduler")
    wait_for(lambda: len(_mails(mail_dir)) >= EMAILS // 4, timeout=90, what="the first mails")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    (sent_before,) = site.sql("SELECT count(*) FROM notifications_message WHERE status='sent'")[0]
    assert sent_before < EMAILS + TEXTS, "the worker finished before it could be killed"

    site.python(SWEEP_LATER)  # the dead worker's leases have run out
    site.start("worker", "--interval", "0.1", "--no-scheduler")
    wait_for(
        lambda: (
            site.sql(
                "SELECT count(*) FROM notifications_message "
                "WHERE fanout_id = ? AND status != 'sent'",
                fanout_id,
            )
            == [(0,)]
        ),
        timeout=120,
        what="every message sent",
    )

    mails, texts = _mails(mail_dir), _texts(sms_dir)
    # Every e-mail recipient has exactly one message (one Message-ID); a repeat on the
    # wire (the group in flight when the worker died) carries the same Message-ID, so
    # the mail server keeps one.
    ids_per_recipient = {to: {mid for mid, who in mails if who == to} for _, to in mails}
    assert len(ids_per_recipient) == EMAILS
    assert all(len(ids) == 1 for ids in ids_per_recipient.values())
    assert len(list(mail_dir.glob("*.eml"))) == EMAILS
    # Every text recipient exactly one text: the gateway took each idempotency key once.
    assert Counter(text["to"] for text in texts) == {
        f"+32470{i:06d}": 1 for i in range(EMAILS, EMAILS + TEXTS)
    }
    # The delivery log: one "sent" per message.
    assert site.sql(
        "SELECT count(*), count(DISTINCT message_id) FROM notifications_messageevent "
        "WHERE status = 'sent'"
    ) == [(EMAILS + TEXTS, EMAILS + TEXTS)]
