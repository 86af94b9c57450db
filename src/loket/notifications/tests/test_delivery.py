"""notify() end to end over every channel, against the local SMTP sink and SMS gateways."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from loket.core.services import DomainError
from loket.notifications import services
from loket.notifications.constants import Channel, LetterStatus, MessageStatus
from loket.notifications.models import InboxMessage, Letter, Message, MessageTemplate
from loket.notifications.selectors import inbox_list_for_person, message_log
from loket.notifications.tests.conftest import make_resident

pytestmark = pytest.mark.django_db

CASE = {
    "case_reference": "2026-000042",
    "case_title": "Parkeerkaart",
    "status": "goedgekeurd",
    "case_url": "https://loket.example/d/42",
}


def _notify(person: Any, key: str = "case-42-approved", **kwargs: Any) -> Message:
    result = services.notify(
        event="case-status-changed",
        person_id=person.pk,
        context=kwargs.pop("context", CASE),
        idempotency_key=key,
        **kwargs,
    )
    return Message.objects.get(pk=result.message_ids[0])


def _deliver(message: Message, **kwargs: Any) -> Message:
    services.messages_deliver(message_ids=[message.pk], **kwargs)
    message.refresh_from_db()
    return message


def test_email_reaches_the_smtp_sink_in_the_residents_language(smtp_sink: Any) -> None:
    person = make_resident(email="an@example.org", language="fr", first_name="Anne")
    message = _deliver(_notify(person))

    assert message.status == MessageStatus.SENT
    assert message.channel == Channel.EMAIL
    (mail,) = smtp_sink.messages()
    assert mail["To"] == "an@example.org"
    assert mail["Subject"] == "Nouvelles de votre dossier 2026-000042"
    assert "Bonjour Anne" in mail.get_content()
    assert mail["Message-ID"] == message.provider_message_id
    assert [e[1] for e in message_log(message_id=message.pk)] == ["sent"]
    # The portal inbox always gets it too, in the same language.
    (inbox,) = inbox_list_for_person(person_id=person.pk)
    assert inbox.subject.startswith("Nouvelles")


def test_each_resident_gets_their_own_language(smtp_sink: Any) -> None:
    people = {
        lang: make_resident(email=f"{lang}@example.org", language=lang)
        for lang in ["nl", "en", "de"]
    }
    for lang, person in people.items():
        _deliver(_notify(person, key=f"k-{lang}"))
    subjects = {m["To"].split("@")[0]: m["Subject"] for m in smtp_sink.messages()}
    assert subjects == {
        "nl": "Nieuws over uw dossier 2026-000042",
        "en": "News about your case 2026-000042",
        "de": "Neues zu Ihrem Vorgang 2026-000042",
    }


def test_missing_language_falls_back_to_dutch(smtp_sink: Any) -> None:
    MessageTemplate.objects.filter(event__key="case-status-changed", language="de").delete()
    person = make_resident(email="d@example.org", language="de")
    message = _deliver(_notify(person))
    assert message.language == "nl"
    assert smtp_sink.messages()[0]["Subject"].startswith("Nieuws")


def test_paper_preferring_senior_gets_a_letter_instead_of_an_email(smtp_sink: Any) -> None:
    senior = make_resident(email="opa@example.org", prefers_paper=True, first_name="Jozef")
    message = _notify(senior)

    assert message.channel == Channel.LETTER
    letter = Letter.objects.get(message=message)
    assert letter.status == LetterStatus.PENDING
    assert letter.postal_address == senior.address.to_summary().label
    assert "Beste Jozef" in letter.body
    _deliver(message)  # letters are not for the e-mail provider
    assert smtp_sink.messages() == []

    batch = services.letter_batch_claim(batch_reference="print-1")
    assert [item.message_id for item in batch] == [message.pk]
    assert services.letter_batch_claim(batch_reference="print-1") == batch  # repeatable
    assert services.letter_batch_mark_printed(batch_reference="print-1") == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_unverified_email_is_not_used(smtp_sink: Any) -> None:
    person = make_resident(email="new@example.org", verified=False)
    message = _notify(person)
    assert message.channel == Channel.LETTER  # no usable digital channel
    assert smtp_sink.messages() == []


def test_unknown_placeholder_parks_the_message_with_a_clear_reason(
    smtp_sink: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # the reason is translated
    MessageTemplate.objects.filter(event__key="case-status-changed").update(
        body="Beste {{ first_name }}, zie {{ dossier_link }}."
    )
    person = make_resident(email="x@example.org")
    message = _deliver(_notify(person))
    assert message.status == MessageStatus.PARKED
    assert "Unknown placeholder {{ dossier_link }}" in message.reason
    assert smtp_sink.messages() == []
    assert not InboxMessage.objects.filter(person_id=person.pk).exists()


def test_missing_value_parks_the_message(smtp_sink: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    person = make_resident(email="x@example.org")
    message = _notify(person, context={"case_reference": "1"})
    assert message.status == MessageStatus.PARKED
    assert "No value for" in message.reason


def test_template_with_an_unknown_placeholder_is_refused_at_save(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    template = MessageTemplate.objects.filter(event__key="case-status-changed").first()
    assert template is not None
    with pytest.raises(DomainError, match=r"Unknown placeholder \{\{ foo \}\}"):
        services.template_save(
            actor=None,
            event=template.event,
            channel=template.channel,
            language=template.language,
            subject="x",
            body="Hallo {{ foo }}",
            template=template,
        )
    with pytest.raises(DomainError, match="no filters"):
        services.template_save(
            actor=None,
            event=template.event,
            channel=template.channel,
            language=template.language,
            subject="x",
            body="Hallo {{ first_name|upper }}",
            template=template,
        )


def test_invalid_email_address_fails_with_a_reason(smtp_sink: Any) -> None:
    person = make_resident(email="not-an-address")
    message = _deliver(_notify(person))
    assert message.status == MessageStatus.FAILED
    assert message.reason == "not a valid e-mail address"


def test_refused_mailbox_fails_without_retry(smtp_sink: Any) -> None:
    person = make_resident(email="nobody@refused.invalid")
    message = _deliver(_notify(person))
    assert message.status == MessageStatus.FAILED
    assert "550" in message.reason


def test_same_idempotency_key_sends_once(smtp_sink: Any) -> None:
    person = make_resident(email="once@example.org")
    first = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="k1"
    )
    second = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="k1"
    )
    assert first.created
    assert not second.created
    assert first.message_ids == second.message_ids
    services.messages_deliver(message_ids=[*first.message_ids, *second.message_ids])
    services.messages_deliver(message_ids=list(first.message_ids))  # a repeated task
    assert len(smtp_sink.received) == 1
    assert InboxMessage.objects.filter(person_id=person.pk).count() == 1


def test_notify_queues_delivery_when_the_transaction_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    person = make_resident(email="q@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    task = DBTaskResult.objects.get(task_path="loket.notifications.tasks.deliver_messages")
    assert task.args_kwargs["args"][0] == list(Message.objects.values_list("pk", flat=True))


def test_smtp_down_is_retried_with_backoff_then_delivered(smtp_sink: Any, settings: Any) -> None:
    person = make_resident(email="r@example.org")
    message = _notify(person)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    now = timezone.now()
    message = _deliver(message, now=now)
    assert message.status == MessageStatus.WAITING
    assert message.next_attempt_at == now + timedelta(seconds=30)
    # Not due yet: the sweep leaves it alone.
    assert services.messages_sweep(now=now + timedelta(seconds=10)) == 0
    assert services.messages_sweep(now=now + timedelta(seconds=31)) == 1
    message = _deliver(message, now=now + timedelta(seconds=31))
    assert message.status == MessageStatus.WAITING
    assert message.next_attempt_at == now + timedelta(seconds=31 + 60)
    settings.EMAIL_PORT = port  # the server is back
    services.messages_sweep(now=now + timedelta(seconds=95))
    message = _deliver(message, now=now + timedelta(seconds=95))
    assert message.status == MessageStatus.SENT
    assert message.attempts == 3
    assert [e[1] for e in message_log(message_id=message.pk)] == ["waiting", "waiting", "sent"]
    assert len(smtp_sink.received) == 1


def test_after_four_hours_of_failures_the_message_fails(settings: Any) -> None:
    person = make_resident(email="late@example.org")
    message = _notify(person)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    moment = timezone.now()
    attempts = 0
    while True:
        services.messages_sweep(now=moment)
        message = _deliver(message, now=moment)
        attempts += 1
        if message.status != MessageStatus.WAITING:
            break
        assert message.next_attempt_at is not None
        moment = message.next_attempt_at
    assert message.status == MessageStatus.FAILED
    assert moment - message.ready_at >= timedelta(hours=4)
    assert message.reason.startswith(f"gave up after {attempts} attempts")
    assert attempts >= 8


def test_quiet_hours_hold_non_urgent_messages(smtp_sink: Any) -> None:
    import datetime as dt

    person = make_resident(email="sleep@example.org")
    now = timezone.localtime()
    services.preference_set(
        person_id=person.pk,
        quiet_start=(now - dt.timedelta(hours=1)).time(),
        quiet_end=(now + dt.timedelta(hours=1)).time(),
    )
    held = _deliver(_notify(person, key="a"))
    assert held.status == MessageStatus.WAITING
    assert held.ready_at > timezone.now()
    urgent = _deliver(_notify(person, key="b", urgent=True))
    assert urgent.status == MessageStatus.SENT


def test_verification_code_goes_to_the_unverified_address(smtp_sink: Any) -> None:
    person = make_resident()
    contact, code = services.contact_point_add(
        person_id=person.pk, kind="email", value="New@Example.org"
    )
    result = services.contact_point_send_code(contact_point_id=contact.pk, code=code)
    services.messages_deliver(message_ids=list(result.message_ids))
    (mail,) = smtp_sink.messages()
    assert mail["To"] == "new@example.org"
    assert code in mail.get_content()
    assert services.contact_point_verify(contact_point_id=contact.pk, code="000000") is (
        code == "000000"
    )
    assert services.contact_point_verify(contact_point_id=contact.pk, code=code)
    # Now verified, it carries the resident's notifications.
    message = _notify(person)
    assert message.channel == Channel.EMAIL
    assert message.recipient == "new@example.org"


def test_nothing_is_sent_to_a_deceased_person(smtp_sink: Any) -> None:
    import datetime as dt

    person = make_resident(email="gone@example.org", date_of_death=dt.date(2025, 1, 1))
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="d"
    )
    assert result.message_ids == ()
    assert not Message.objects.exists()
