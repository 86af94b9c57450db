"""A bulk message to N residents: queued, then delivered to the local sinks.

A temporary SQLite site gets N residents (9 in 10 with a verified e-mail address, 1 in
20 with only a verified mobile number, 1 in 20 preferring paper; languages nl, fr, en,
de). Then, measured:

1. **queueing**: ``fanout_start`` + ``fanout_queue_messages`` for everyone: N
   personalised messages (channel and language per resident), N inbox entries, the
   letters, and the delivery tasks (one per 200 messages) in the database queue. Goal:
   100,000 within 20 s.
2. **delivery**: `loket worker` processes (``--concurrency``, default 2) send everything
   to the local SMTP sink and SMS gateway simulator (separate processes on loopback);
   timed from the workers' start until no e-mail or text is left to send.
3. **baseline** (same run): the sinks' own limit, a raw client blasting them directly:
   smtplib over one connection with messages of the same size, and http.client posting
   texts over one keep-alive connection.

Ratios: delivery rate ÷ the sinks' raw rate (how close Loket gets to what the far end
takes), per channel.
"""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import BenchError
from ._common import Options, free_port, ratio, result, temporary_site

DESCRIPTION = "bulk message to N residents: queue time, delivery rate vs the sinks' raw rate"

DEFAULT_MESSAGES = 100_000
DEFAULT_WORKERS = 2
BASELINE_MAX = 20_000  # raw messages per sink at most: the baseline stays short
DELIVERY_TIMEOUT = 1800.0

SEED = """
import datetime as dt
from django.db import transaction
from loket.notifications.models import ContactPoint
from loket.people.models import Address, Person, search_key
from loket.people.types import NationalNumber
from django.utils import timezone

n = {n}
now = timezone.now()
with transaction.atomic():
    addresses = Address.objects.bulk_create(
        Address(street_name=f"Straat {{i % 300}}", house_number=str(i), postcode=str(8000 + i % 50),
                municipality_name="Benchdorp", nis_code="36007")
        for i in range(n // 3 + 1)
    )
    languages = ["nl"] * 17 + ["fr", "fr", "en"]
    persons = []
    for i in range(n):
        born = dt.date(1930, 1, 1) + dt.timedelta(days=(i // 400) % 30000)
        gender = "M" if i % 2 else "F"
        number = NationalNumber.compose(birth_date=born, gender=gender, index=(i % 400) // 2 + 1)
        first, last = f"Voornaam{{i}}", f"Naam{{i % 997}}"
        persons.append(Person(
            national_number=number.value, first_name=first, last_name=last,
            search_name=search_key(last, first), birth_date=born, gender=gender,
            language="de" if i % 50 == 7 else languages[i % 20], address=addresses[i // 3],
            prefers_paper=(i % 20 == 19),
        ))
    Person.objects.bulk_create(persons, batch_size=2000)
    contacts = []
    for i, person in enumerate(persons):
        if i % 20 == 18:
            contacts.append(ContactPoint(person_id=person.pk, kind="phone",
                                         value=f"+3247{{i:07d}}", verified_at=now))
        elif i % 20 != 19:
            contacts.append(ContactPoint(person_id=person.pk, kind="email",
                                         value=f"bewoner{{i}}@example.org", verified_at=now))
    ContactPoint.objects.bulk_create(contacts, batch_size=2000)
result = Person.objects.count()
"""

QUEUE = """
import time
from loket.notifications import services
from loket.notifications.models import Message
started = time.perf_counter()
fanout = services.fanout_start(
    actor=None, event="crisis-alert", selection_kind="everyone",
    context={{"alert_title": "Oefening", "alert_text": "Dit is een oefening van de gemeente."}},
)
made = services.fanout_queue_messages(fanout_id=fanout.pk)
seconds = time.perf_counter() - started
from django_tasks_db.models import DBTaskResult
result = {{
    "seconds": seconds, "made": made,
    "email": Message.objects.filter(fanout=fanout, channel="email").count(),
    "sms": Message.objects.filter(fanout=fanout, channel="sms").count(),
    "letter": Message.objects.filter(fanout=fanout, channel="letter").count(),
    "tasks": DBTaskResult.objects.filter(task_path__endswith="deliver_messages").count(),
    "sample": Message.objects.filter(fanout=fanout, channel="email")
    .values_list("body", flat=True).first(),
}}
"""


def _pending(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM notifications_message WHERE channel IN ('email', 'sms') "
            "AND status IN ('queued', 'waiting', 'sending')"
        ).fetchone()
    return int(count)


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db, timeout=30) as connection:
        rows = connection.execute(
            "SELECT channel || ':' || status, count(*) FROM notifications_message GROUP BY 1"
        ).fetchall()
    return {key: int(value) for key, value in rows}


def _blast_smtp(port: int, count: int, body: str) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for i in range(count):
            raw = (
                f"From: loket@example.invalid\r\nTo: raw{i}@example.org\r\n"
                f"Message-ID: <raw-{i}@bench>\r\nSubject: Belangrijk: Oefening\r\n\r\n{body}"
            )
            smtp.sendmail("loket@example.invalid", [f"raw{i}@example.org"], raw.encode())
    return time.perf_counter() - started


def _blast_sms(port: int, count: int, token: str) -> float:
    import http.client
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    for i in range(count):
        body = json.dumps({"to": f"+3248{i:07d}", "body": "Oefening: dit is een oefening."})
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"raw-{i}",
        }
        connection.request("POST", "/v1/messages", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            raise BenchError(f"the SMS simulator answered {response.status}")
    connection.close()
    return time.perf_counter() - started


def _start(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """A child whose output goes to a log file in the site's folder (a pipe nobody
    reads would fill up and stall it)."""
    log = (cwd / f"child-{len(list(cwd.glob('child-*.log')))}.log").open("wb")
    child = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    return child


def _output(cwd: Path) -> str:
    logs = sorted(cwd.glob("child-*.log"))
    return "\n".join(path.read_text(errors="replace")[-1500:] for path in logs)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _wait_for_port(port: int, child: subprocess.Popen[bytes], cwd: Path) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise BenchError(f"a simulator stopped while starting:\n{_output(cwd)}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise BenchError(f"nothing answers on port {port}")


def run(options: Options) -> dict[str, Any]:
    n = options.messages or DEFAULT_MESSAGES
    workers = options.concurrency or DEFAULT_WORKERS
    if n < 20 or workers < 1:
        raise ValueError("--messages must be at least 20 and --concurrency at least 1")
    token, secret = "bench-token", "bench-secret"
    smtp_port, sms_port = free_port(), free_port()
    with temporary_site() as site:
        site.env.update(
            LOKET_EMAIL_BACKEND="smtp",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            EMAIL_USE_TLS="false",
            LOKET_SMS_GATEWAYS=f"http://127.0.0.1:{sms_port}/v1",
            LOKET_SMS_API_TOKENS=token,
            LOKET_SMS_CALLBACK_SECRET=secret,
        )
        db = site.data_dir / "loket.sqlite3"
        options.log("migrating a temporary database …")
        site.migrate()
        options.log(f"seeding {n} residents with verified contact points …")
        site.python(SEED.format(n=n))
        options.log(f"queueing a bulk message to {n} residents …")
        queued = site.python(QUEUE.format())
        if queued["made"] != n:
            raise BenchError(f"the fan-out made {queued['made']} messages for {n} residents")

        children = [
            _start(
                [sys.executable, "-m", "loket.simulators.smtp_sink", "--port", str(smtp_port),
                 "--dir", str(site.data_dir / "mail-sink")], site.env, site.data_dir,
            ),
            _start(
                [sys.executable, "-m", "loket.simulators.sms_gateway", "--port", str(sms_port),
                 "--dir", str(site.data_dir / "sms-sink"), "--token", token,
                 "--callback-secret", secret], site.env, site.data_dir,
            ),
        ]  # fmt: skip
        try:
            _wait_for_port(smtp_port, children[0], site.data_dir)
            _wait_for_port(sms_port, children[1], site.data_dir)
            options.log(f"delivering with {workers} worker(s) …")
            started = time.perf_counter()
            for _ in range(workers):
                children.append(
                    _start(
                        [
                            sys.executable,
                            "-m",
                            "loket",
                            "worker",
                            "--interval",
                            "0.1",
                            "--no-scheduler",
                        ],
                        site.env,
                        site.data_dir,
                    )
                )
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            while _pending(db) and time.monotonic() < deadline:
                if any(child.poll() is not None for child in children):
                    raise BenchError(f"a worker or sink stopped:\n{_output(site.data_dir)}")
                time.sleep(0.2)
            delivery_seconds = time.perf_counter() - started
            counts = _counts(db)
            left = _pending(db)
            if left:
                raise BenchError(f"{left} messages were still not sent after the time limit")
            received_mail = len(list((site.data_dir / "mail-sink").glob("*.eml")))
            sink_log = site.data_dir / "sms-sink" / "messages.jsonl"
            received_sms = len(sink_log.read_text().splitlines()) if sink_log.exists() else 0

            body = queued["sample"] or "x" * 200
            raw_mail = min(queued["email"], BASELINE_MAX)
            raw_sms = min(max(queued["sms"], 200), BASELINE_MAX)
            options.log(f"baseline: {raw_mail} raw e-mails and {raw_sms} raw texts …")
            smtp_seconds = _blast_smtp(smtp_port, raw_mail, body)
            sms_seconds = _blast_sms(sms_port, raw_sms, token)
        finally:
            _stop(children)

    sent_mail = counts.get("email:sent", 0)
    sent_sms = counts.get("sms:sent", 0) + counts.get("sms:delivered", 0)
    delivered = sent_mail + sent_sms
    subject = {
        "name": "Loket fan-out",
        "messages": n,
        "queue_seconds": round(queued["seconds"], 2),
        "queue_per_s": round(n / queued["seconds"], 1),
        "delivery_tasks": queued["tasks"],
        "emails_sent": sent_mail,
        "texts_sent": sent_sms,
        "letters_queued": queued["letter"],
        "delivery_seconds": round(delivery_seconds, 2),
        "delivered_per_s": round(delivered / delivery_seconds, 1),
        "email_per_s": round(sent_mail / delivery_seconds, 1),
        "sinks_received": f"{received_mail} mails, {received_sms} texts",
    }
    baseline = {
        "name": "raw client → sinks",
        "messages": raw_mail + raw_sms,
        "queue_seconds": "-",
        "queue_per_s": "-",
        "delivery_tasks": "-",
        "emails_sent": raw_mail,
        "texts_sent": raw_sms,
        "letters_queued": "-",
        "delivery_seconds": round(smtp_seconds + sms_seconds, 2),
        "delivered_per_s": "-",
        "email_per_s": round(raw_mail / smtp_seconds, 1),
        "sms_per_s": round(raw_sms / sms_seconds, 1),
        "sinks_received": "-",
    }
    subject["sms_per_s"] = round(sent_sms / delivery_seconds, 1)
    return result(
        "fanout",
        subject=subject,
        baseline=baseline,
        ratios={
            "email_rate": ratio(subject["email_per_s"], baseline["email_per_s"]),
            "queue_goal_20s": ratio(queued["seconds"] * 100_000 / n, 20.0),
        },
        params={"messages": n, "workers": workers, "database": "sqlite (temporary)"},
        explain="email_rate: e-mails Loket delivered per second ÷ what a raw client pushes "
        "into the same sink per second (texts run concurrently, so their rate is shown, "
        "not divided); queue_goal_20s: queue time scaled to 100,000 messages ÷ 20 s "
        "(≤ 1 meets the goal)",
    )
