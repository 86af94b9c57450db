"""Back-office pages: failures (keyset), the daily 10-second figure, fan-out controls,
template preview with the clear-language check, and the demo's sent-messages page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.tests.factories import StaffFactory
from loket.notifications.constants import Channel, FanOutStatus, MessageStatus
from loket.notifications.models import FanOut, Message, MessageTemplate
from loket.notifications.selectors import delivery_speed_by_day, message_failures
from loket.notifications.tests.conftest import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    log_in_staff(client, StaffFactory(is_superuser=True))
    return client


def _form_token(staff: Client) -> str:
    """The one-time token of the bulk form as the overview page shows it."""
    page = staff.get("/backoffice/berichten/").content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def _message(person: Any, n: int, **fields: Any) -> Message:
    now = timezone.now()
    defaults = {
        "idempotency_key": f"m{n}",
        "event_key": "case-status-changed",
        "person_id": person.pk,
        "channel": Channel.EMAIL,
        "language": "nl",
        "status": MessageStatus.FAILED,
        "created_at": now,
        "ready_at": now,
        "finished_at": now - timedelta(minutes=n),
        "reason": f"reason {n}",
    }
    defaults.update(fields)
    return Message.objects.create(**defaults)


def test_failures_are_paged_newest_first_by_keyset(staff: Client) -> None:
    person = make_resident()
    for n in range(7):
        _message(person, n)
    _message(person, 99, status=MessageStatus.SENT)
    first, cursor = message_failures(limit=3)
    assert [m.reason for m in first] == ["reason 0", "reason 1", "reason 2"]
    second, cursor2 = message_failures(after=cursor, limit=3)
    assert [m.reason for m in second] == ["reason 3", "reason 4", "reason 5"]
    third, end = message_failures(after=cursor2, limit=3)
    assert [m.reason for m in third] == ["reason 6"]
    assert end is None
    page = staff.get("/backoffice/berichten/mislukt/").content.decode()
    assert "reason 0" in page
    assert "reason 99" not in page


def test_failures_page_is_for_staff_only(client: Client) -> None:
    assert client.get("/backoffice/berichten/mislukt/").status_code == 302
    client.force_login(StaffFactory())  # password only: no second factor
    assert client.get("/backoffice/berichten/mislukt/").status_code == 302


def test_share_sent_within_ten_seconds_per_day(staff: Client) -> None:
    person = make_resident()
    now = timezone.now()
    for n, latency in enumerate((100, 9_000, 10_000, 25_000)):
        _message(person, n, status=MessageStatus.SENT, sent_at=now, latency_ms=latency)
    (today,) = delivery_speed_by_day(now=now)
    assert (today.sent, today.within_10_seconds, today.percentage) == (4, 3, 75.0)
    assert "75,0 %" in staff.get("/backoffice/berichten/").content.decode()


def test_fanout_start_pause_resume_cancel_through_the_page(
    staff: Client, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(3):
        make_resident(email=f"p{n}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/backoffice/berichten/massa/",
            {
                "event": "crisis-alert",
                "selection_kind": "everyone",
                "context": '{"alert_title": "Storm", "alert_text": "Blijf binnen."}',
                "form_token": _form_token(staff),
            },
        )
    assert response.status_code == 302
    fanout = FanOut.objects.get()
    assert fanout.status == FanOutStatus.QUEUEING
    base = f"/backoffice/berichten/massa/{fanout.pk}"
    assert staff.post(f"{base}/pauzeren/").status_code == 302
    fanout.refresh_from_db()
    assert fanout.status == FanOutStatus.PAUSED
    staff.post(f"{base}/hervatten/")
    fanout.refresh_from_db()
    assert fanout.status == FanOutStatus.QUEUEING
    staff.post(f"{base}/annuleren/")
    fanout.refresh_from_db()
    assert fanout.status == FanOutStatus.CANCELLED
    assert "Storm" not in staff.get("/backoffice/berichten/").content.decode()


def test_template_preview_shows_the_clear_language_check(staff: Client) -> None:
    template = MessageTemplate.objects.get(
        event__key="case-status-changed", channel="email", language="nl"
    )
    template.body = (
        "Beste {{ first_name }}, wij verzoeken u middels dit schrijven teneinde uw dossier "
        "{{ case_reference }} conform de regels onverwijld aan te vullen."
    )
    template.save()
    person = make_resident(first_name="Mieke")
    page = staff.get(f"/backoffice/berichten/sjablonen/{template.pk}/?persoon={person.pk}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Beste Mieke" in text
    assert "2026-000123" in text  # the event's sample value
    for word in ("middels", "teneinde", "conform", "onverwijld", "verzoeken"):
        assert word in text
    assert page.context["clarity"].jargon
    assert not page.context["clarity"].easy


def test_demo_page_lists_what_the_sinks_received(
    staff: Client, settings: Any, tmp_path: Path
) -> None:
    from django.core.mail import EmailMessage, get_connection

    from loket.simulators.sms_gateway.app import SmsGateway
    from loket.simulators.smtp_sink import SmtpSink

    settings.DATA_DIR = tmp_path
    with SmtpSink(tmp_path / "mail-sink") as sink:
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=sink.port
        )
        EmailMessage(
            "Uw parkeerkaart", "Ze is klaar.", to=["a@example.org"], connection=connection
        ).send()
    gateway = SmsGateway(
        token="t", callback_secret="s", folder=tmp_path / "sms-sink", callback_sender=None
    )
    with gateway:
        import json
        import urllib.request

        request = urllib.request.Request(  # noqa: S310 - loopback
            gateway.url + "/messages",
            data=json.dumps({"to": "+32470123456", "body": "Uw code is 1234"}).encode(),
            headers={"Authorization": "Bearer t", "Idempotency-Key": "k"},
            method="POST",
        )
        with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback
            assert answer.status == 201

    settings.LOKET_DEMO = False
    assert staff.get("/backoffice/berichten/demo/").status_code == 404
    settings.LOKET_DEMO = True
    page = staff.get("/backoffice/berichten/demo/").content.decode()
    assert "Uw parkeerkaart" in page
    assert "Uw code is 1234" in page


@pytest.mark.parametrize("person", ["²", "٣", "9" * 40])
def test_template_preview_ignores_a_person_id_that_is_not_a_plain_number(
    staff: Client, person: str
) -> None:
    template = MessageTemplate.objects.get(
        event__key="case-status-changed", channel="email", language="nl"
    )
    page = staff.get(f"/backoffice/berichten/sjablonen/{template.pk}/", {"persoon": person})
    assert page.status_code == 200


@pytest.mark.parametrize("context", ["[1]", '"text"', "3", "null"])
def test_bulk_form_refuses_placeholder_values_that_are_not_an_object(
    staff: Client, context: str
) -> None:
    response = staff.post(
        "/backoffice/berichten/massa/",
        {
            "event": "crisis-alert",
            "selection_kind": "everyone",
            "context": context,
            "form_token": _form_token(staff),
        },
    )
    if context == "null":  # empty: no values
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert "JSON-object" in str(response.context["form"].errors["context"])
    assert not FanOut.objects.exists()


def test_bulk_form_refuses_an_age_group_the_task_could_not_handle(staff: Client) -> None:
    response = staff.post(
        "/backoffice/berichten/massa/",
        {
            "event": "crisis-alert",
            "selection_kind": "age",
            "selection_value": "2100-",
            "form_token": _form_token(staff),
        },
    )
    assert response.status_code == 400
    assert not FanOut.objects.exists()


def test_the_same_bulk_form_sent_twice_starts_one_fanout(
    staff: Client, django_capture_on_commit_callbacks: Any
) -> None:
    make_resident(email="p@example.org")
    data = {
        "event": "crisis-alert",
        "selection_kind": "everyone",
        "context": '{"alert_title": "Storm", "alert_text": "Blijf binnen."}',
        "form_token": _form_token(staff),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post("/backoffice/berichten/massa/", data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = staff.post("/backoffice/berichten/massa/", data, follow=True)
    assert callbacks == []  # no second preparation task
    assert FanOut.objects.count() == 1
    assert "al verstuurd" in again.content.decode()
    # A freshly shown form has a new token and can start another one.
    data["form_token"] = _form_token(staff)
    assert staff.post("/backoffice/berichten/massa/", data).status_code == 302
    assert FanOut.objects.count() == 2


def test_a_bulk_form_without_its_token_is_refused(staff: Client) -> None:
    response = staff.post(
        "/backoffice/berichten/massa/", {"event": "crisis-alert", "selection_kind": "everyone"}
    )
    assert response.status_code == 400
    assert not FanOut.objects.exists()
