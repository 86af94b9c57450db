"""Bulk fan-out: selections, personalised texts per channel and language, progress,
pause, resume and cancel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from loket.core.services import DomainError
from loket.notifications import services
from loket.notifications.constants import Channel, FanOutStatus, MessageStatus
from loket.notifications.models import FanOut, InboxMessage, Message, Topic, TopicSubscription
from loket.notifications.selectors import fanout_progress
from loket.notifications.tests.conftest import make_resident
from loket.people.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

ALERT = {"alert_title": "Storm", "alert_text": "Blijf binnen."}


def _start(kind: str = "everyone", value: str = "") -> FanOut:
    return services.fanout_start(
        actor=None, event="crisis-alert", selection_kind=kind, selection_value=value, context=ALERT
    )


def _run(fanout: FanOut) -> list[Message]:
    services.fanout_queue_messages(fanout_id=fanout.pk, enqueue=False)
    return list(Message.objects.filter(fanout=fanout).order_by("person_id"))


def test_everyone_gets_a_personal_message_in_their_language_and_channel(smtp_sink: Any) -> None:
    anna = make_resident(email="anna@example.org", first_name="Anna")
    luc = make_resident(email="luc@example.org", first_name="Luc", language="fr")
    opa = make_resident(email="opa@example.org", prefers_paper=True)
    no_email = make_resident()
    make_resident(email="dead@example.org", date_of_death=dt.date(2020, 1, 1))

    fanout = _start()
    messages = _run(fanout)
    by_person = {m.person_id: m for m in messages}
    assert set(by_person) == {anna.pk, luc.pk, opa.pk, no_email.pk}
    assert by_person[anna.pk].channel == Channel.EMAIL
    assert by_person[anna.pk].body.startswith("Beste Anna")
    assert by_person[luc.pk].subject == "Important : Storm"
    assert by_person[opa.pk].channel == Channel.LETTER
    assert by_person[no_email.pk].channel == Channel.LETTER
    assert InboxMessage.objects.filter(fanout=fanout).count() == 4

    fanout.refresh_from_db()
    assert fanout.status == FanOutStatus.RUNNING
    assert fanout.recipients == 4
    services.messages_deliver(message_ids=[m.pk for m in messages])
    assert sorted(m["To"] for m in smtp_sink.messages()) == [
        "anna@example.org",
        "luc@example.org",
    ]
    progress = fanout_progress(fanout_id=fanout.pk)
    assert progress.by_status == {"sent": 2, "queued": 2}  # two letters wait for print
    services.letter_batch_claim(batch_reference="b")
    services.letter_batch_mark_printed(batch_reference="b")
    services.messages_sweep()
    fanout.refresh_from_db()
    assert fanout.status == FanOutStatus.DONE


def test_selection_by_street_postcode_age_and_topic() -> None:
    kerk = AddressFactory(street_name="Kerkstraat", postcode="8770")
    elders = AddressFactory(street_name="Molenweg", postcode="8780")
    today = timezone.localdate()
    young = make_resident(address=kerk, birth_date=today.replace(year=today.year - 30))
    old = make_resident(address=elders, birth_date=today.replace(year=today.year - 70))
    topic, _ = Topic.objects.get_or_create(key="wegenwerken", defaults={"name": "Wegenwerken"})
    TopicSubscription.objects.create(topic=topic, person_id=old.pk)

    def persons(kind: str, value: str) -> set[int]:
        return {m.person_id for m in _run(_start(kind, value))}

    assert persons("street", "kerkstraat") == {young.pk}
    assert persons("postcode", "8780") == {old.pk}
    assert persons("age", "65-") == {old.pk}
    assert persons("age", "18-64") == {young.pk}
    assert persons("topic", "wegenwerken") == {old.pk}
    with pytest.raises(DomainError):
        _start("age", "old")
    with pytest.raises(DomainError):
        _start("street", "")


def test_pause_stops_queueing_and_sending_resume_finishes_cancel_stops(
    smtp_sink: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "QUEUE_BATCH", 2)
    for n in range(5):
        make_resident(email=f"p{n}@example.org")
    fanout = _start()
    # The first batch is prepared, then staff pause.
    original = services.selectors.fanout_persons
    calls = []

    def pause_after_first(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 2:  # staff pause while the second batch is prepared
            services.fanout_pause(actor=None, fanout_id=fanout.pk)
        return original(**kwargs)

    monkeypatch.setattr(services.selectors, "fanout_persons", pause_after_first)
    services.fanout_queue_messages(fanout_id=fanout.pk, enqueue=False)
    monkeypatch.setattr(services.selectors, "fanout_persons", original)
    fanout.refresh_from_db()
    assert fanout.status == FanOutStatus.PAUSED
    first = list(Message.objects.filter(fanout=fanout).values_list("pk", flat=True))
    assert len(first) == 4  # the batch being prepared is finished, no further one
    services.messages_deliver(message_ids=first)  # paused: nothing leaves
    assert smtp_sink.received == []

    services.fanout_resume(actor=None, fanout_id=fanout.pk)
    services.fanout_queue_messages(fanout_id=fanout.pk, enqueue=False)
    ids = list(Message.objects.filter(fanout=fanout).values_list("pk", flat=True))
    assert len(ids) == 5
    services.messages_deliver(message_ids=ids[:3])
    assert len(smtp_sink.received) == 3

    services.fanout_cancel(actor=None, fanout_id=fanout.pk)
    services.messages_deliver(message_ids=ids)
    assert len(smtp_sink.received) == 3
    statuses = sorted(Message.objects.filter(fanout=fanout).values_list("status", flat=True))
    assert statuses == ["cancelled", "cancelled", "sent", "sent", "sent"]
    with pytest.raises(DomainError):
        services.fanout_resume(actor=None, fanout_id=fanout.pk)


def test_queueing_again_after_a_crash_makes_no_duplicates() -> None:
    for n in range(3):
        make_resident(email=f"c{n}@example.org")
    fanout = _start()
    _run(fanout)
    # A second run of the task (e.g. the worker died after committing) adds nothing.
    FanOut.objects.filter(pk=fanout.pk).update(status=FanOutStatus.QUEUEING)
    assert services.fanout_queue_messages(fanout_id=fanout.pk, enqueue=False) == 0
    assert Message.objects.filter(fanout=fanout).count() == 3
    assert MessageStatus.QUEUED in set(Message.objects.values_list("status", flat=True))


@pytest.mark.parametrize("value", ["2100-", "65-2100", "131-", "²-", "65-²", "80-65", "1" * 50])
def test_an_age_group_out_of_range_or_not_in_ascii_digits_is_refused(value: str) -> None:
    with pytest.raises(DomainError):
        _start("age", value)
    assert not FanOut.objects.exists()


def test_ages_up_to_130_are_accepted() -> None:
    make_resident(birth_date=timezone.localdate().replace(year=timezone.localdate().year - 70))
    assert len(_run(_start("age", "0-130"))) == 1
    assert _run(_start("age", "130-")) == []


def test_a_fanout_whose_preparing_fails_is_cancelled_with_a_reason_not_left_preparing() -> None:
    make_resident(email="a@example.org")
    fanout = _start()
    # A selection that slipped past the check (e.g. stored before it existed).
    FanOut.objects.filter(pk=fanout.pk).update(selection_kind="age", selection_value="2100-")
    with pytest.raises(DomainError):
        services.fanout_queue_messages(fanout_id=fanout.pk, enqueue=False)
    fanout.refresh_from_db()
    assert fanout.status == FanOutStatus.CANCELLED
    assert fanout.finished_at is not None
    assert "preparing the messages failed" in fanout.reason
    assert "preparing the messages failed" in fanout_progress(fanout_id=fanout.pk).reason


def test_a_fanout_whose_preparing_crashes_midway_cancels_what_it_prepared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from loket.notifications import selectors

    for n in range(3):
        make_resident(email=f"p{n}@example.org")
    monkeypatch.setattr(services, "QUEUE_BATCH", 2)
    real = selectors.fanout_persons
    calls = []

    def flaky(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) > 1:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(selectors, "fanout_persons", flaky)
    fanout = _start()
    with pytest.raises(RuntimeError):
        services.fanout_queue_messages(fanout_id=fanout.pk, enqueue=False)
    fanout.refresh_from_db()
    assert fanout.status == FanOutStatus.CANCELLED
    assert "RuntimeError: database went away" in fanout.reason
    statuses = set(Message.objects.filter(fanout=fanout).values_list("status", flat=True))
    assert statuses == {MessageStatus.CANCELLED}


def test_a_form_token_starts_one_fanout_only() -> None:
    start = {"actor": None, "event": "crisis-alert", "selection_kind": "everyone"}
    first = services.fanout_start(**start, context=ALERT, form_token="t" * 32)
    with pytest.raises(services.FanOutAlreadyStarted):
        services.fanout_start(**start, context=ALERT, form_token="t" * 32)
    assert list(FanOut.objects.all()) == [first]
    services.fanout_start(**start, context=ALERT)  # callers without a form: no token
    services.fanout_start(**start, context=ALERT)
    assert FanOut.objects.count() == 3
