"""The resident's side through the real views: inbox, preferences, contact details."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount
from loket.core.models import AuditEvent
from loket.core.tests.factories import UserFactory
from loket.notifications import services
from loket.notifications.constants import Channel, MessageStatus
from loket.notifications.models import (
    ContactPoint,
    InboxMessage,
    Letter,
    Message,
    Preference,
    Topic,
    TopicSubscription,
)
from loket.notifications.tests.conftest import make_resident

pytestmark = pytest.mark.django_db

CASE = {
    "case_reference": "2026-000042",
    "case_title": "Parkeerkaart",
    "status": "approved",
    "case_url": "https://loket.example/d/42",
}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def log_in(client: Client, person: Any | None, level: int = 450) -> Any:
    """A resident session as the login makes it; ``person`` None: a limited account."""
    user = UserFactory()
    ResidentAccount.objects.create(
        user=user,
        person_id=person.pk if person is not None else None,
        national_number_digest=f"digest-{user.pk}",
        dialect="fas",
    )
    client.force_login(user)
    session = client.session
    now = time.time()
    session[SESSION_LOGIN] = {
        "dialect": "fas",
        "level": level,
        "acr": "",
        "sid": "",
        "started_at": now,
        "last_seen": now,
    }
    session.save()
    client.cookies["django_language"] = "en"
    return user


def _inbox(person: Any, n: int, *, start: int = 0) -> list[InboxMessage]:
    now = timezone.now()
    return [
        InboxMessage.objects.create(
            person_id=person.pk,
            idempotency_key=f"k-{person.pk}-{i}",
            event_key="case-status-changed",
            subject=f"Subject {i}",
            body=f"Body {i}\nsecond line",
            created_at=now - timedelta(minutes=i),
        )
        for i in range(start, start + n)
    ]


# --- inbox ---------------------------------------------------------------------------------


def test_the_inbox_needs_a_resident_login(client: Client) -> None:
    response = client.get("/mijn-berichten/")
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_inbox_newest_first_with_pages_and_unread_marked(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    person = make_resident()
    _inbox(person, 25)
    other = make_resident()
    _inbox(other, 1, start=100)
    log_in(client, person)
    with django_assert_max_num_queries(8):  # first request: session write
        page = client.get("/mijn-berichten/")
    assert page.status_code == 200
    subjects = [m.subject for m in page.context["page"]]
    assert subjects == [f"Subject {i}" for i in range(20)]
    html = page.content.decode()
    assert "Subject 100" not in html  # someone else's
    assert "New" in html
    assert "25 unread messages" in html
    second = client.get("/mijn-berichten/", {"na": page.context["next_cursor"]})
    assert [m.subject for m in second.context["page"]] == [f"Subject {i}" for i in range(20, 25)]
    assert second.context["next_cursor"] is None


def test_query_count_does_not_grow_with_the_page(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    person = make_resident()
    _inbox(person, 3)
    log_in(client, person)
    client.get("/mijn-berichten/")  # warm up the session
    # The page's own queries, plus the menu's unread count (account, count).
    with django_assert_max_num_queries(8) as few:
        client.get("/mijn-berichten/")
    _inbox(person, 40, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/mijn-berichten/")


def test_empty_inbox_says_so(client: Client) -> None:
    log_in(client, make_resident())
    page = client.get("/mijn-berichten/")
    assert "You have no messages yet" in page.content.decode()


def test_opening_a_message_marks_it_read_and_others_are_404(client: Client) -> None:
    person = make_resident()
    (message,) = _inbox(person, 1)
    (foreign,) = _inbox(make_resident(), 1, start=50)
    log_in(client, person)
    page = client.get(f"/mijn-berichten/{message.pk}/")
    assert page.status_code == 200
    assert "Body 0<br>second line" in page.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert client.get(f"/mijn-berichten/{foreign.pk}/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_unread_count_tag_for_the_portal_header(client: Client, rf: Any) -> None:
    person = make_resident()
    _inbox(person, 3)
    log_in(client, person)
    request = client.get("/mijn-berichten/").wsgi_request
    tag = Template("{% load notifications_inbox %}{% inbox_unread_count as n %}[{{ n }}]")
    assert tag.render(Context({"request": request})) == "[3]"
    anonymous = rf.get("/")
    anonymous.session = {}
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    assert tag.render(Context({"request": anonymous})) == "[0]"


def test_a_limited_account_gets_an_explanation_not_an_error(client: Client) -> None:
    log_in(client, None)
    for url in ("/mijn-berichten/", "/mijn-berichten/voorkeuren/", "/mijn-berichten/contact/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "not (yet) registered as a resident" in page.content.decode()


# --- preferences -----------------------------------------------------------------------------


def _prefs(**changes: Any) -> dict[str, Any]:
    data = {
        "use_email": "on",
        "use_sms": "on",
        "paper_only": "no",
        "language": "",
        "quiet_start": "",
        "quiet_end": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_preferences_are_saved_with_an_audit_line(client: Client) -> None:
    person = make_resident(language="nl")
    Topic.objects.create(key="afval", name="Waste collection")
    user = log_in(client, person)
    page = client.get("/mijn-berichten/voorkeuren/")
    assert "As in the population register (Nederlands)" in page.content.decode()
    response = client.post(
        "/mijn-berichten/voorkeuren/",
        _prefs(
            use_sms=None,
            language="fr",
            quiet_start="22:00",
            quiet_end="07:00",
            topics=["afval"],
        ),
    )
    assert response.status_code == 302
    preference = Preference.objects.get(person_id=person.pk)
    assert (preference.use_email, preference.use_sms, preference.language) == (True, False, "fr")
    assert preference.quiet_start.hour == 22
    assert preference.quiet_end.hour == 7
    assert preference.paper_only is False
    assert list(
        TopicSubscription.objects.filter(person_id=person.pk).values_list("topic__key", flat=True)
    ) == ["afval"]
    audit = AuditEvent.objects.filter(object_type="notifications.preference").latest("id")
    assert audit.actor_id == user.pk
    assert audit.subject_person_id == person.pk
    assert "topics" in audit.changes["fields"]


def test_invalid_preferences_keep_what_was_typed(client: Client) -> None:
    person = make_resident()
    log_in(client, person)
    response = client.post(
        "/mijn-berichten/voorkeuren/", _prefs(quiet_start="22:00", language="xx")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give both the start and the end of your quiet hours" in html
    assert 'value="22:00"' in html
    assert 'aria-invalid="true"' in html
    assert not Preference.objects.filter(person_id=person.pk).exists()


def test_the_chosen_language_and_paper_are_used_for_delivery(client: Client) -> None:
    person = make_resident(email="an@example.org", language="nl")
    log_in(client, person)
    client.post("/mijn-berichten/voorkeuren/", _prefs(language="de"))
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="de"
    )
    message = Message.objects.get(pk=result.message_ids[0])
    assert (message.channel, message.language) == (Channel.EMAIL, "de")
    assert message.subject.startswith("Neues zu Ihrem Vorgang")
    client.post("/mijn-berichten/voorkeuren/", _prefs(paper_only="yes"))
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="paper"
    )
    assert Message.objects.get(pk=result.message_ids[0]).channel == Channel.LETTER


# --- contact details ------------------------------------------------------------------------


def test_add_verify_and_use_an_email_address(client: Client, smtp_sink: Any) -> None:
    person = make_resident()
    log_in(client, person)
    response = client.post(
        "/mijn-berichten/contact/", {"kind": "email", "value": "New@Example.org"}
    )
    assert response.status_code == 302
    point = ContactPoint.objects.get(person_id=person.pk)
    assert point.value == "new@example.org"
    assert point.verified_at is None
    # Not verified: never used for delivery.
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="before"
    )
    assert Message.objects.get(pk=result.message_ids[0]).channel != Channel.EMAIL
    (code_message,) = Message.objects.filter(event_key="verification-code")
    services.messages_deliver(message_ids=[code_message.pk])
    (mail,) = smtp_sink.messages()
    assert mail["To"] == "new@example.org"
    code = next(w.strip(".") for w in mail.get_content().split() if w.strip(".").isdigit())
    wrong = "000000" if code != "000000" else "111111"
    page = client.post(f"/mijn-berichten/contact/{point.pk}/bevestigen/", {"code": wrong})
    assert page.status_code == 400
    assert "This code is not right" in page.content.decode()
    page = client.post(f"/mijn-berichten/contact/{point.pk}/bevestigen/", {"code": "12ab"})
    assert "Enter the 6 digits of the code" in page.content.decode()
    ok = client.post(f"/mijn-berichten/contact/{point.pk}/bevestigen/", {"code": code})
    assert ok.status_code == 302
    point.refresh_from_db()
    assert point.verified_at is not None
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="after"
    )
    message = Message.objects.get(pk=result.message_ids[0])
    assert (message.channel, message.recipient) == (Channel.EMAIL, "new@example.org")


def test_invalid_address_or_number_gets_a_clear_message(client: Client) -> None:
    person = make_resident()
    log_in(client, person)
    page = client.post("/mijn-berichten/contact/", {"kind": "phone", "value": "12"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "This is not a valid mobile number" in html
    assert 'value="12"' in html
    page = client.post("/mijn-berichten/contact/", {"kind": "email", "value": "not-an-address"})
    assert "This is not a valid e-mail address" in page.content.decode()
    assert not ContactPoint.objects.exists()


def test_a_phone_number_gets_its_code_by_text(client: Client, gateways: Any) -> None:
    person = make_resident()
    log_in(client, person)
    client.post("/mijn-berichten/contact/", {"kind": "phone", "value": "0470 12 34 56"})
    point = ContactPoint.objects.get(person_id=person.pk)
    assert point.value == "+32470123456"
    (message,) = Message.objects.filter(event_key="verification-code")
    assert message.channel == Channel.SMS
    services.messages_deliver(message_ids=[message.pk])
    (text,) = gateways[0].messages
    assert text["to"] == "+32470123456"


def test_resend_has_a_cool_down_and_tries_are_limited(client: Client, smtp_sink: Any) -> None:
    person = make_resident()
    log_in(client, person)
    client.post("/mijn-berichten/contact/", {"kind": "email", "value": "a@example.org"})
    point = ContactPoint.objects.get(person_id=person.pk)
    page = client.post(f"/mijn-berichten/contact/{point.pk}/nieuwe-code/", follow=True)
    assert "Wait" in page.content.decode()
    assert Message.objects.filter(event_key="verification-code").count() == 1
    ContactPoint.objects.filter(pk=point.pk).update(
        code_sent_at=timezone.now() - timedelta(minutes=2)
    )
    page = client.post(f"/mijn-berichten/contact/{point.pk}/nieuwe-code/", follow=True)
    assert "We sent a new code" in page.content.decode()
    assert Message.objects.filter(event_key="verification-code").count() == 2
    for _ in range(5):
        client.post(f"/mijn-berichten/contact/{point.pk}/bevestigen/", {"code": "999999"})
    page = client.post(f"/mijn-berichten/contact/{point.pk}/bevestigen/", {"code": "999999"})
    assert "You entered a wrong code too often" in page.content.decode()
    ContactPoint.objects.filter(pk=point.pk).update(
        code_attempts=0, code_expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = client.post(f"/mijn-berichten/contact/{point.pk}/bevestigen/", {"code": "999999"})
    assert "This code has expired" in page.content.decode()


def test_remove_a_contact_and_others_contacts_are_404(client: Client) -> None:
    person = make_resident(email="mine@example.org")
    stranger = make_resident(email="theirs@example.org")
    log_in(client, person)
    theirs = ContactPoint.objects.get(person_id=stranger.pk)
    assert client.post(f"/mijn-berichten/contact/{theirs.pk}/verwijderen/").status_code == 404
    assert (
        client.post(
            f"/mijn-berichten/contact/{theirs.pk}/bevestigen/", {"code": "123456"}
        ).status_code
        == 404
    )
    mine = ContactPoint.objects.get(person_id=person.pk)
    page = client.get("/mijn-berichten/contact/")
    assert "mine@example.org" in page.content.decode().replace("<wbr>", "")
    assert client.post(f"/mijn-berichten/contact/{mine.pk}/verwijderen/").status_code == 302
    assert not ContactPoint.objects.filter(pk=mine.pk).exists()
    assert ContactPoint.objects.filter(pk=theirs.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="notifications.contactpoint", action="delete", subject_person_id=person.pk
    ).exists()


# --- the "done when" ---------------------------------------------------------------


def test_a_case_status_change_reaches_the_resident_by_email_and_inbox(
    client: Client, smtp_sink: Any
) -> None:
    person = make_resident(email="fr@example.org", language="fr", first_name="Anne")
    log_in(client, person)
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="c1"
    )
    services.messages_deliver(message_ids=list(result.message_ids))
    (mail,) = smtp_sink.messages()
    assert mail["Subject"] == "Nouvelles de votre dossier 2026-000042"
    page = client.get("/mijn-berichten/")
    assert "Nouvelles de votre dossier 2026-000042" in page.content.decode()


def test_the_paper_preferring_senior_gets_a_letter_not_an_email(smtp_sink: Any) -> None:
    person = make_resident(email="senior@example.org", prefers_paper=True, language="nl")
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="s1"
    )
    message = Message.objects.get(pk=result.message_ids[0])
    assert message.channel == Channel.LETTER
    assert message.status == MessageStatus.QUEUED
    letter = Letter.objects.get(message=message)
    assert letter.subject == "Nieuws over uw dossier 2026-000042"
    assert letter.postal_address
    services.messages_deliver(message_ids=[message.pk])
    assert smtp_sink.messages() == []
    assert InboxMessage.objects.filter(person_id=person.pk).count() == 1


def test_a_weaker_login_is_sent_to_step_up(client: Client) -> None:
    log_in(client, make_resident(), level=400)
    response = client.get("/mijn-berichten/voorkeuren/")
    assert response.status_code == 302
    assert "level=450" in response["Location"]


def test_the_error_summary_links_to_a_radio_group(client: Client) -> None:
    log_in(client, make_resident())
    response = client.post("/mijn-berichten/voorkeuren/", _prefs(paper_only="maybe"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_paper_only_0"' in html
    assert 'id="id_paper_only_0"' in html


def test_seeded_verified_contact_carries_messages(smtp_sink: Any) -> None:
    person = make_resident()
    first = services.contact_point_add_verified(
        actor=None, person_id=person.pk, kind="email", value=" Demo@Example.org", reason="demo"
    )
    again = services.contact_point_add_verified(
        actor=None, person_id=person.pk, kind="email", value="demo@example.org", reason="demo"
    )
    assert first.pk == again.pk
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="seed"
    )
    assert Message.objects.get(pk=result.message_ids[0]).recipient == "demo@example.org"


def test_header_count_follows_new_and_read_messages(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_resident()
    log_in(client, person)
    assert 'class="badge"' not in client.get("/mijn-berichten/voorkeuren/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key="h-1"
        )
    message = InboxMessage.objects.get(person_id=person.pk)
    page = client.get("/mijn-berichten/voorkeuren/").content.decode()
    assert '<span class="badge">1 new</span>' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/mijn-berichten/{message.pk}/")
    assert 'class="badge"' not in client.get("/mijn-berichten/voorkeuren/").content.decode()


def test_cached_count_is_counted_again_after_an_inbox_change(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from loket.notifications import selectors

    person = make_resident()
    assert selectors.inbox_unread_count_cached(person_id=person.pk) == 0
    _inbox(person, 2)  # written behind the services' back: the kept count stays
    assert selectors.inbox_unread_count_cached(person_id=person.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.inbox_changed()  # a fan-out: every kept count is stale
    assert selectors.inbox_unread_count_cached(person_id=person.pk) == 2
    _inbox(person, 1, start=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.inbox_changed(person_ids=[person.pk])
    assert selectors.inbox_unread_count_cached(person_id=person.pk) == 3
    assert selectors.inbox_unread_count(person_id=person.pk) == 3


def test_notify_after_commit_tries_the_next_event_and_never_raises(
    django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    person = make_resident()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_after_commit(
            person_id=person.pk,
            idempotency_key="after-commit-1",
            attempts=[("no-such-event", {}), ("case-status-changed", CASE)],
            about="test 1",
        )
    assert Message.objects.filter(idempotency_key="after-commit-1").count() == 1
    assert "test 1: no no-such-event notification" in caplog.text
    # Nothing can be sent: logged, and the caller's change is not undone.
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_after_commit(
            person_id=person.pk,
            idempotency_key="after-commit-2",
            attempts=[("no-such-event", {})],
            about="test 2",
        )
    assert not Message.objects.filter(idempotency_key="after-commit-2").exists()
