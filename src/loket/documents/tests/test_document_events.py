"""The municipality's own systems hear of documents through webhooks: one CloudEvent
when a document is issued, one when it is revoked (both when it is issued again),
without personal data, and only for subscriptions that chose that type."""

from __future__ import annotations

from typing import Any

import pytest

from loket.documents import services
from loket.documents.constants import TEMPLATE_RESIDENCE
from loket.documents.tests.conftest import resident
from loket.webhooks import services as webhooks
from loket.webhooks.constants import EventType
from loket.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def _subscribe(settings: Any, *types: str) -> Any:
    settings.LOKET_WEBHOOK_ALLOW_LOOPBACK = True
    return webhooks.subscription_create(
        actor=None, name="Records system", url="http://127.0.0.1:9/hook", event_types=types
    )


def _events(subscription: Any) -> list[dict[str, Any]]:
    return [d.payload for d in Delivery.objects.filter(subscription=subscription).order_by("pk")]


def _no_personal_data(event: dict[str, Any], person: Any) -> None:
    text = str(event)
    for value in (person.national_number, person.first_name, person.last_name):
        assert value not in text
    assert "code" not in event["data"]  # the verification code opens the public page


def test_issue_and_reissue_publish_one_event_each_without_personal_data(
    sealing: Any, municipality: Any, department: Any, settings: Any
) -> None:
    both = _subscribe(settings, EventType.DOCUMENT_ISSUED, EventType.DOCUMENT_REVOKED)
    person = resident(first_name="Griet", last_name="Vermeulen")
    first = services.document_issue(
        actor=None,
        template_key=TEMPLATE_RESIDENCE,
        person_id=person.pk,
        department_id=department.pk,
    )
    [issued] = _events(both)
    assert issued["type"] == "be.loket.document.issued"
    assert issued["source"] == "/api/v1/documents"
    assert issued["subject"] == str(first.id)
    assert issued["data"] == {
        "id": first.id,
        "template": TEMPLATE_RESIDENCE,
        "kind": "certificate",
        "status": "issued",
        "department": department.pk,
        "case": None,
        "replaces": None,
    }
    _no_personal_data(issued, person)

    second = services.document_reissue(actor=None, document_id=first.id, reason="Moved")
    events = _events(both)[1:]
    assert [(e["type"], e["data"]["id"], e["data"]["status"]) for e in events] == [
        ("be.loket.document.revoked", first.id, "revoked"),
        ("be.loket.document.issued", second.id, "issued"),
    ]
    assert events[1]["data"]["replaces"] == first.id
    for event in events:
        _no_personal_data(event, person)


def test_revoking_publishes_once_and_other_subscriptions_hear_nothing(
    sealing: Any, municipality: Any, settings: Any
) -> None:
    revoked_only = _subscribe(settings, EventType.DOCUMENT_REVOKED)
    cases_only = _subscribe(settings, EventType.CASE_CREATED, EventType.PAYMENT_RECEIVED)
    person = resident(first_name="Griet", last_name="Vermeulen")
    document = services.document_issue(
        actor=None, template_key=TEMPLATE_RESIDENCE, person_id=person.pk
    )
    assert _events(revoked_only) == []  # it did not choose "issued"
    services.document_revoke(actor=None, document_id=document.id, reason="Wrong address")
    with pytest.raises(services.DocumentRefused):  # revoking again changes nothing
        services.document_revoke(actor=None, document_id=document.id, reason="Again")
    [event] = _events(revoked_only)
    assert event["type"] == "be.loket.document.revoked"
    assert event["data"]["id"] == document.id
    assert event["data"]["department"] is None
    _no_personal_data(event, person)
    assert _events(cases_only) == []


def test_no_event_when_the_document_could_not_be_made(
    sealing: Any, municipality: Any, settings: Any
) -> None:
    subscription = _subscribe(settings, EventType.DOCUMENT_ISSUED)
    with pytest.raises(services.DocumentNotIssued):
        services.document_issue(
            actor=None, template_key="no-such-template", person_id=resident().pk
        )
    assert _events(subscription) == []
