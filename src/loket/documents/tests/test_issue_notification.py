"""A resident hears that a document was issued to them: a message on their channel and
in their portal inbox, with the link to "Mijn documenten"; nothing when the document
could not be made."""

from __future__ import annotations

from typing import Any

import pytest

from loket.documents import services
from loket.documents.constants import TEMPLATE_RESIDENCE
from loket.documents.providers import SealUnavailable, sealer_forget
from loket.notifications.clarity import clarity_check
from loket.notifications.constants import LANGUAGES, Channel
from loket.notifications.models import InboxMessage, Message, MessageTemplate, NotificationEvent
from loket.notifications.rendering import template_problems
from loket.notifications.routing import PERSONAL_PLACEHOLDERS
from loket.notifications.tests.conftest import make_resident

pytestmark = pytest.mark.django_db

EVENT = services.EVENT_DOCUMENT_ISSUED


def _issue(person: Any, capture: Any) -> Any:
    with capture(execute=True):
        return services.document_issue(
            actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
        )


def test_the_resident_is_told_the_document_is_ready(
    sealing: Any, municipality: Any, django_capture_on_commit_callbacks: Any
):
    person = make_resident(email="maria@example.org", language="nl", first_name="Maria")
    summary = _issue(person, django_capture_on_commit_callbacks)

    message = Message.objects.get(person_id=person.pk, event_key=EVENT)
    assert message.channel == Channel.EMAIL
    assert message.recipient == "maria@example.org"
    assert message.subject == "Uw document Bewijs van woonst staat klaar"
    assert "http://testserver/mijn-documenten/" in message.body
    assert summary.display_code in message.body
    inbox = InboxMessage.objects.get(person_id=person.pk, event_key=EVENT)
    assert "Bewijs van woonst" in inbox.subject
    assert "/mijn-documenten/" in inbox.body


def test_a_resident_who_prefers_paper_gets_a_letter(
    sealing: Any, municipality: Any, django_capture_on_commit_callbacks: Any
):
    person = make_resident(email="jozef@example.org", language="nl", prefers_paper=True)
    _issue(person, django_capture_on_commit_callbacks)
    message = Message.objects.get(person_id=person.pk, event_key=EVENT)
    assert message.channel == Channel.LETTER
    assert "loket" in message.body  # where to ask for it on paper


def test_reissuing_tells_again_with_the_new_code(
    sealing: Any, municipality: Any, django_capture_on_commit_callbacks: Any
):
    person = make_resident(email="an@example.org", language="en")
    first = _issue(person, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.document_reissue(actor=None, document_id=first.id, reason="Moved")
    bodies = list(
        Message.objects.filter(person_id=person.pk, event_key=EVENT).values_list("body", flat=True)
    )
    assert len(bodies) == 2
    assert any(second.display_code in body for body in bodies)


def test_nothing_is_sent_when_the_seal_fails(
    sealing: Any, municipality: Any, settings: Any, django_capture_on_commit_callbacks: Any
):
    settings.LOKET_TSA_URL = "http://127.0.0.1:9/tsa"  # nothing listens there
    sealer_forget()
    person = make_resident(email="x@example.org")
    with pytest.raises(SealUnavailable), django_capture_on_commit_callbacks(execute=True):
        services.document_issue(actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk)
    assert not Message.objects.filter(event_key=EVENT).exists()
    assert not InboxMessage.objects.filter(event_key=EVENT).exists()


def test_the_event_has_every_text_and_they_read_easily() -> None:
    event = NotificationEvent.objects.get(key=EVENT)
    assert set(event.placeholders) == {"document_title", "document_code", "documents_url"}
    allowed = (*event.placeholders, *PERSONAL_PLACEHOLDERS)
    templates = MessageTemplate.objects.filter(event=event)
    assert {(t.channel, t.language) for t in templates} == {
        (c, lang) for c in Channel.values for lang in LANGUAGES
    }
    for template in templates:
        assert template_problems(template.subject, allowed=allowed) == []
        assert template_problems(template.body, allowed=allowed) == []
        if template.channel == Channel.SMS:
            assert len(template.body) <= 160
            continue
        report = clarity_check(template.body, language=template.language)
        assert report.jargon == (), (template.language, report)
        assert report.average_sentence_length <= 15, (template.language, report)
        if template.language == "nl":
            assert report.easy, report
