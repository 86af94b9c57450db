"""The events the cases module sends: each exists with texts in nl/fr/en/de on every
channel, uses only its declared placeholders and reads easily."""

from __future__ import annotations

from typing import Any

import pytest

from loket.notifications import services
from loket.notifications.clarity import clarity_check
from loket.notifications.constants import LANGUAGES, Channel
from loket.notifications.models import Message, MessageTemplate, NotificationEvent
from loket.notifications.rendering import template_problems
from loket.notifications.routing import PERSONAL_PLACEHOLDERS
from loket.notifications.tests.conftest import make_resident

pytestmark = pytest.mark.django_db

CASE_EVENTS = {
    "case-status-changed": {"case_reference", "case_title", "status", "case_url"},
    "case-message": {"case_reference", "case_title", "case_url"},
    "case-info-requested": {"case_reference", "case_title", "case_url", "due_date"},
    "case-reminder": {"case_reference", "case_title", "case_url", "still_expected", "due_date"},
    "case-submitted": {"case_reference", "case_title", "case_url", "expected_date"},
}


@pytest.mark.parametrize("key", sorted(CASE_EVENTS))
def test_case_event_has_every_text_and_they_read_easily(key: str) -> None:
    event = NotificationEvent.objects.get(key=key)
    assert set(event.placeholders) == CASE_EVENTS[key]
    assert set(event.sample_context) == CASE_EVENTS[key]
    allowed = (*event.placeholders, *PERSONAL_PLACEHOLDERS)
    templates = MessageTemplate.objects.filter(event=event)
    have = {(t.channel, t.language) for t in templates}
    assert have == {(c, lang) for c in Channel.values for lang in LANGUAGES}
    for template in templates:
        assert template_problems(template.subject, allowed=allowed) == []
        assert template_problems(template.body, allowed=allowed) == []
        if template.channel == Channel.SMS:
            assert len(template.body) <= 160
            continue
        report = clarity_check(template.body, language=template.language)
        assert report.jargon == (), (key, template.language, report)
        assert report.average_sentence_length <= 15, (key, template.language, report)
        if template.language == "nl":  # Flesch-Douma
            assert report.easy, (key, report)


@pytest.mark.parametrize("key", sorted(CASE_EVENTS))
def test_case_event_renders_with_its_sample_values(key: str, smtp_sink: Any) -> None:
    event = NotificationEvent.objects.get(key=key)
    person = make_resident(email="x@example.org", language="en")
    result = services.notify(
        event=key, person_id=person.pk, context=event.sample_context, idempotency_key=key
    )
    message = Message.objects.get(pk=result.message_ids[0])
    assert message.status == "queued", message.reason
    assert "{{" not in message.body
    assert event.sample_context["case_reference"] in message.subject
