"""The municipality's own systems hear of payments through webhooks: one CloudEvent when
an order becomes fully paid (however often the provider reports it), one per refund,
without personal data, and only for subscriptions that chose that type."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.payments import services
from loket.payments.constants import OrderStatus
from loket.payments.models import Payment
from loket.payments.tests.conftest import deliver
from loket.payments.types import OrderLineInput
from loket.people.tests.factories import AddressFactory, PersonFactory
from loket.webhooks import services as webhooks
from loket.webhooks.constants import EventType
from loket.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def _subscribe(settings: Any, *types: str) -> Any:
    settings.LOKET_WEBHOOK_ALLOW_LOOPBACK = True
    return webhooks.subscription_create(
        actor=None, name="Bookkeeping", url="http://127.0.0.1:9/hook", event_types=types
    )


def _events(subscription: Any) -> list[dict[str, Any]]:
    return [d.payload for d in Delivery.objects.filter(subscription=subscription).order_by("pk")]


def _order(department: Any, person: Any) -> Any:
    return services.order_create(
        lines=[OrderLineInput("Zaalhuur", unit_cents=2500)],
        description=f"Zaalhuur voor {person.first_name} {person.last_name}",
        department_id=department.pk,
        person_id=person.pk,
        payer_name=f"{person.first_name} {person.last_name}",
        payer_email="payer@example.org",
        case_reference="2026-000042",
        service_slug="zaalhuur",
    )


def _no_personal_data(event: dict[str, Any], person: Any) -> None:
    text = str(event)
    for value in (person.national_number, person.first_name, person.last_name, "payer@"):
        assert value not in text
    assert "person" not in event["data"]


def test_a_payment_reported_twice_publishes_paid_once(
    psp: Any, municipality: Any, department: Any, client: Client, settings: Any
) -> None:
    paid = _subscribe(settings, EventType.PAYMENT_RECEIVED)
    refunds_only = _subscribe(settings, EventType.PAYMENT_REFUNDED)
    person = PersonFactory(first_name="Griet", last_name="Vermeulen", address=AddressFactory())
    order = _order(department, person)
    url = services.payment_start(order_id=order.id, return_url="http://testserver/terug/")
    payment = Payment.objects.get(checkout_url=url)
    psp.set_status(payment.provider_id, "paid")
    (call,) = psp.webhooks
    assert deliver(client, call).status_code == 200
    assert deliver(client, call).status_code == 200  # the same webhook again
    assert deliver(client, psp.webhook_for(payment.provider_id)).status_code == 200  # a new one
    services.payment_sync(payment_id=payment.pk)  # and the poll finds it paid too

    [event] = _events(paid)
    assert event["type"] == "be.loket.payment.received"
    assert event["source"] == "/api/v1/orders"
    assert event["subject"] == order.reference
    assert event["data"] == {
        "id": order.id,
        "reference": order.reference,
        "status": "paid",
        "currency": "EUR",
        "total_cents": 2500,
        "paid_cents": 2500,
        "refunded_cents": 0,
        "department": department.pk,
        "case_reference": "2026-000042",
        "service": "zaalhuur",
        "version": event["data"]["version"],
    }
    _no_personal_data(event, person)
    assert _events(refunds_only) == []  # it chose another type


def test_each_refund_publishes_once_and_paid_is_not_sent_again(
    municipality: Any, department: Any, finance: Any, settings: Any
) -> None:
    both = _subscribe(settings, EventType.PAYMENT_RECEIVED, EventType.PAYMENT_REFUNDED)
    documents_only = _subscribe(settings, EventType.DOCUMENT_ISSUED)
    person = PersonFactory(first_name="Griet", last_name="Vermeulen", address=AddressFactory())
    order = _order(department, person)
    services.payment_record_counter(order_id=order.id, actor=finance, amount_cents=2500)
    payment = Payment.objects.get(order_id=order.id)
    for cents in (1000, 1500):
        services.refund_create(
            payment_id=payment.pk, amount_cents=cents, reason="Kort", actor=finance
        )

    events = _events(both)
    assert [(e["type"], e["data"]["status"], e["data"]["refunded_cents"]) for e in events] == [
        ("be.loket.payment.received", OrderStatus.PAID, 0),
        ("be.loket.payment.refunded", OrderStatus.PARTIALLY_REFUNDED, 1000),
        ("be.loket.payment.refunded", OrderStatus.REFUNDED, 2500),
    ]
    for event in events:
        _no_personal_data(event, person)
    assert _events(documents_only) == []
