"""Payments in cases: asking for the fee makes one order, a paid order moves the case
on by itself, the guard asks the payments module, a case that ends cancels its open
order; the resident's and the handler's case pages and the "to pay" badges."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from loket.cases.constants import PartyKind, PaymentStatus, TimelineKind
from loket.cases.models import Case, CaseType, TimelineEvent
from loket.cases.services import (
    case_assign,
    case_payment_received,
    case_submit,
    case_transition,
    case_withdraw,
)
from loket.cases.tests.conftest import log_in_resident, make_resident, staff_with
from loket.cases.types import PartyRef, ResidentScope
from loket.catalog.models import Fee, Service
from loket.core.services import DomainError
from loket.payments.constants import OrderStatus
from loket.payments.selectors import orders_for_case
from loket.payments.services import order_create, payment_record_counter
from loket.payments.types import OrderLineInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(departments: dict[str, Any]) -> Service:
    """The room rental's service with a fee per hour (less for residents and
    associations), linked to the demo case type "zaalhuur"."""
    service = Service.objects.create(
        slug="zaalhuur",
        identifier="urn:loket:service:zaalhuur",
        title="Een zaal huren",
        summary="Huur een zaal.",
        department=departments["vrije-tijd"],
        is_published=True,
    )
    Fee.objects.create(
        service=service,
        label="Huur zaal",
        amount_cents=2000,
        quantity_field="uren",
        unit="uur",
        resident_cents=1500,
        association_cents=0,
    )
    CaseType.objects.filter(slug="zaalhuur").update(service=service)
    return service


@pytest.fixture
def handler(departments: dict[str, Any]) -> Any:
    return staff_with(departments["vrije-tijd"], "handler", first_name="Hanne")


def _party(person: Any, kind: str = PartyKind.PERSON) -> PartyRef:
    return PartyRef(kind=kind, id=person.pk, label=str(person), person_id=person.pk)


def _start(handler: Any, case_id: int) -> Case:
    return case_transition(actor=handler, case_id=case_id, transition="start", expected_version=1)


def _awaiting_payment(handler: Any, person: Any, user: Any, *, hours: str = "3") -> Case:
    """A room rental, taken in hand and assigned; then the handler asks for the payment."""
    result = case_submit(
        actor=user,
        case_type_slug="zaalhuur",
        data={"room": "Kouter", "date": "2026-05-01", "purpose": "Feest", "uren": hours},
        party=_party(person),
        checked_by_form_engine=True,  # as the catalogue's form would: "uren" included
    )
    case = case_transition(
        actor=handler, case_id=result.case_id, transition="start", expected_version=1
    )
    case_assign(actor=handler, case_ids=[case.pk], assignee_id=handler.pk)
    case.refresh_from_db()
    return case_transition(
        actor=handler, case_id=case.pk, transition="ask-payment", expected_version=case.version
    )


def _pay(order_id: int, handler: Any, amount: int, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_counter(order_id=order_id, actor=handler, amount_cents=amount)


def test_asking_for_the_payment_makes_one_order_with_the_fee(hall: Any, handler: Any) -> None:
    user, person = make_resident()
    case = _awaiting_payment(handler, person, user)
    assert case.status.key == "awaiting-payment"
    assert case.payment_status == PaymentStatus.REQUESTED
    (order,) = orders_for_case(case_id=case.pk)
    # A resident of the municipality (address in the register): 3 hours at € 15.
    assert (order.total_cents, order.status, order.case_reference) == (4500, "open", case.reference)
    assert order.person_id == person.pk
    line = TimelineEvent.objects.filter(case=case, kind=TimelineKind.PAYMENT).get()
    assert line.public
    assert "€ 45,00" in line.text
    assert order.structured_communication in line.text


def test_a_second_request_reuses_the_open_order(hall: Any, handler: Any) -> None:
    user, person = make_resident()
    result = case_submit(
        actor=user,
        case_type_slug="zaalhuur",
        data={"room": "Kouter", "date": "2026-05-01", "purpose": "Feest", "uren": "2"},
        party=_party(person),
        checked_by_form_engine=True,  # as the catalogue's form would: "uren" included
    )
    # An order made for the case before (a retry after a failure half-way).
    order_create(
        lines=[OrderLineInput(description="Huur zaal", unit_cents=1500, quantity=2)],
        description="Zaal",
        case_id=result.case_id,
        person_id=person.pk,
    )
    case = case_transition(
        actor=handler, case_id=result.case_id, transition="start", expected_version=1
    )
    case = case_transition(
        actor=handler, case_id=case.pk, transition="ask-payment", expected_version=case.version
    )
    assert len(orders_for_case(case_id=case.pk)) == 1
    assert case.payment_status == PaymentStatus.REQUESTED


def test_a_paid_order_moves_the_case_on_by_itself_once(
    hall: Any, handler: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user, person = make_resident()
    case = _awaiting_payment(handler, person, user)
    (order,) = orders_for_case(case_id=case.pk)
    _pay(order.id, handler, 4500, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status.key == "in-progress"
    assert case.payment_status == PaymentStatus.RECEIVED
    received = TimelineEvent.objects.filter(case=case, data__paid_order=order.reference)
    assert received.count() == 1
    assert "€ 45,00" in received.get().text
    # The signal coming again (a replayed webhook) changes nothing.
    version = case.version
    case_payment_received(order_id=order.id)
    case.refresh_from_db()
    assert case.version == version
    assert received.count() == 1
    # Now the case can be approved.
    case = case_transition(
        actor=handler, case_id=case.pk, transition="approve", expected_version=case.version
    )
    assert case.status.key == "approved"


def test_a_partial_payment_does_not_move_the_case(
    hall: Any, handler: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user, person = make_resident()
    case = _awaiting_payment(handler, person, user)
    (order,) = orders_for_case(case_id=case.pk)
    _pay(order.id, handler, 1000, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status.key == "awaiting-payment"
    assert case.payment_status == PaymentStatus.REQUESTED


def test_the_guard_asks_the_payments_module_not_only_the_flag(hall: Any, handler: Any) -> None:
    user, person = make_resident()
    case = _awaiting_payment(handler, person, user)
    # The flag says paid, the order is still open: neither the automatic step nor the
    # approval passes, and marking it received by hand is refused.
    Case.objects.filter(pk=case.pk).update(payment_status=PaymentStatus.RECEIVED)
    case.refresh_from_db()
    with pytest.raises(DomainError, match="not paid yet"):
        case_transition(
            actor=handler,
            case_id=case.pk,
            transition="payment-received",
            expected_version=case.version,
        )
    with pytest.raises(DomainError):
        case_transition(
            actor=None,
            case_id=case.pk,
            transition="payment-received",
            expected_version=case.version,
        )
    case.refresh_from_db()
    assert case.status.key == "awaiting-payment"


def test_withdrawing_cancels_the_open_order(hall: Any, handler: Any) -> None:
    user, person = make_resident()
    case = _awaiting_payment(handler, person, user)
    scope = ResidentScope(user_id=user.pk, party_ids={"person": frozenset({person.pk})})
    case_withdraw(actor=user, case_id=case.pk, expected_version=case.version, scope=scope)
    (order,) = orders_for_case(case_id=case.pk)
    assert order.status == OrderStatus.CANCELLED
    assert TimelineEvent.objects.filter(case=case, data__cancelled=True).exists()


def test_nothing_due_moves_on_without_an_order(
    hall: Any, handler: Any, departments: dict[str, Any]
) -> None:
    """An association pays € 0 for the hall: no order, the case goes on by itself."""
    user, person = make_resident()
    result = case_submit(
        actor=user,
        case_type_slug="zaalhuur",
        data={"room": "Kouter", "date": "2026-05-01", "purpose": "Feest", "uren": "3"},
        party=PartyRef(
            kind=PartyKind.ASSOCIATION, id=77, label="Harmonie", person_id=person.pk, via="self"
        ),
        checked_by_form_engine=True,
    )
    case = case_transition(
        actor=handler, case_id=result.case_id, transition="start", expected_version=1
    )
    case = case_transition(
        actor=handler, case_id=case.pk, transition="ask-payment", expected_version=case.version
    )
    assert case.status.key == "in-progress"
    assert case.payment_status == PaymentStatus.RECEIVED
    assert orders_for_case(case_id=case.pk) == []
    assert TimelineEvent.objects.filter(case=case, text="No payment is due for this request.")


def test_a_missing_quantity_refuses_the_request_for_payment(hall: Any, handler: Any) -> None:
    user, person = make_resident()
    with pytest.raises(DomainError, match="number of uur"):
        _awaiting_payment(handler, person, user, hours="")
    case = Case.objects.get()
    assert case.status.key == "in-progress"
    assert orders_for_case(case_id=case.pk) == []


def test_without_a_fee_in_the_catalogue_staff_mark_the_payment_by_hand(
    departments: dict[str, Any], handler: Any
) -> None:
    user, person = make_resident()
    case = _awaiting_payment(handler, person, user)
    assert case.payment_status == PaymentStatus.REQUESTED
    assert orders_for_case(case_id=case.pk) == []
    case = case_transition(
        actor=handler, case_id=case.pk, transition="payment-received", expected_version=case.version
    )
    assert case.status.key == "in-progress"
    assert case.payment_status == PaymentStatus.RECEIVED


def test_the_case_pages_show_the_payment(
    hall: Any, handler: Any, client: Client, settings: Any
) -> None:
    user, person = make_resident()
    case = _awaiting_payment(handler, person, user)
    (order,) = orders_for_case(case_id=case.pk)
    log_in_resident(client, user)
    page = client.get(f"/mijn-dossiers/{case.reference}/").content.decode()
    assert "Still to pay: €\u00a045,00" in page
    assert f'href="/betalen/bestelling/{order.reference}/"' in page
    assert order.structured_communication in page
    listing = client.get("/mijn-dossiers/").content.decode()
    assert "To pay: €\u00a045,00" in listing

    from loket.accounts.staff.tests.helpers import log_in_staff

    staff = Client()
    log_in_staff(staff, handler)
    staff_page = staff.get(f"/backoffice/dossiers/{case.reference}/").content.decode()
    assert order.reference in staff_page
    assert f"/backoffice/betalingen/{order.id}/" in staff_page


def test_my_cases_badges_cost_one_query_for_the_whole_page(
    hall: Any, handler: Any, client: Client
) -> None:
    user, person = make_resident()
    for _n in range(3):
        _awaiting_payment(handler, person, user)
    log_in_resident(client, user)
    client.get("/mijn-dossiers/")  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/mijn-dossiers/").status_code == 200
    _awaiting_payment(handler, person, user)
    _awaiting_payment(handler, person, user)
    with CaptureQueriesContext(connection) as more:
        page = client.get("/mijn-dossiers/").content.decode()
    assert page.count("To pay:") == 5
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_case_reminder_leaves_an_open_order_to_the_payments_module(
    hall: Any, handler: Any, departments: dict[str, Any]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from loket.cases.services import case_reminders_send

    user, person = make_resident()
    with_order = _awaiting_payment(handler, person, user)
    other_user, other = make_resident()
    CaseType.objects.filter(slug="zaalhuur").update(service=None)  # no fee: no order
    by_hand = _awaiting_payment(handler, other, other_user)
    long_ago = timezone.now() - timedelta(days=10)
    Case.objects.filter(pk__in=[with_order.pk, by_hand.pk]).update(waiting_since=long_ago)
    # Only the case without an order is reminded here (deadline flags aside).
    reminded = case_reminders_send(after_days=7)
    deadline_flags = TimelineEvent.objects.filter(data__has_key="marker").count()
    assert reminded - deadline_flags == 1
