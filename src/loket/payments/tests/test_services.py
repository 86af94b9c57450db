"""The payments engine: orders and their amounts, structured communications, counter
and transfer payments, refunds through the provider, cancelling, payment links,
polling and reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from stdnum.be import ogm_vcs

from loket.core.models import AuditEvent
from loket.core.tests.factories import StaffFactory
from loket.notifications.models import Message
from loket.payments import selectors, services
from loket.payments.constants import OrderFlag, OrderStatus, PaymentState, RefundState
from loket.payments.models import Order, Payment, Refund
from loket.payments.providers import ProviderUnavailable
from loket.payments.services import PaymentError, order_paid, order_refunded
from loket.payments.tests.factories import (
    BankTransactionFactory,
    OrderFactory,
    PaymentFactory,
)
from loket.payments.types import OrderLineInput
from loket.people.tests.factories import AddressFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _order(**fields: Any) -> Any:
    fields.setdefault("lines", [OrderLineInput("Zaalhuur", unit_cents=2500)])
    fields.setdefault("description", "Zaalhuur De Schakel")
    return services.order_create(**fields)


def _pay_online(psp: Any, order_id: int, status: str = "paid") -> Payment:
    url = services.payment_start(order_id=order_id, return_url="http://testserver/terug/")
    payment = Payment.objects.get(checkout_url=url)
    psp.set_status(payment.provider_id, status, notify=False)
    return payment


def test_order_amounts_vat_reference_and_structured_communication(municipality: Any) -> None:
    order = _order(
        lines=[
            OrderLineInput("Zaal", unit_cents=12100, quantity=2, vat_rate="21"),
            OrderLineInput("Stoelen", unit_cents=106, quantity=3, vat_rate="6"),
            OrderLineInput("Administratieve kost", unit_cents=500),
        ],
        due_days=14,
    )
    assert order.total_cents == 24200 + 318 + 500
    # 24200 × 21/121 = 4200; 318 × 6/106 = 18; no VAT on the fee.
    assert order.vat_cents == 4200 + 18
    year, number = order.reference[1:].split("-")
    assert year == str(timezone.localdate().year)
    assert len(number) == 6
    assert _order().reference == f"B{year}-{int(number) + 1:06d}"  # numbered per year
    digits = order.communication_digits
    assert len(digits) == 12
    assert ogm_vcs.is_valid(digits)
    assert int(digits[10:]) == (int(digits[:10]) % 97 or 97)
    assert order.structured_communication == f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
    assert order.status == OrderStatus.OPEN
    assert order.organisation_id == municipality.pk
    assert order.due_date == timezone.localdate() + timedelta(days=14)
    assert selectors.order_by_communication(order.structured_communication).id == order.id
    wrong_check = digits[:10] + ("01" if digits[10:] != "01" else "02")
    assert selectors.order_by_communication(wrong_check) is None  # wrong check digits
    assert AuditEvent.objects.filter(object_type="payments.order", action="create").count() == 2


def test_order_refuses_nothing_to_pay_and_bad_lines(municipality: Any) -> None:
    with pytest.raises(PaymentError):
        _order(lines=[OrderLineInput("Gratis", unit_cents=0)])
    with pytest.raises(PaymentError):
        _order(lines=[OrderLineInput("Zaal", unit_cents=100, quantity=0)])
    with pytest.raises(PaymentError):
        _order(lines=[OrderLineInput("Zaal", unit_cents=100, vat_rate="abc")])
    assert not Order.objects.exists()


def test_orders_for_cases_in_one_query(municipality: Any, django_assert_num_queries: Any) -> None:
    first = _order(case_id=11, case_reference="2026-000011")
    _order(case_id=12)
    second = _order(case_id=11)
    with django_assert_num_queries(1):
        found = selectors.orders_for_cases(case_ids=[11, 12, 13])
    assert [o.id for o in found[11]] == [first.id, second.id]
    assert found[13] == []


def test_online_payment_paid_sends_order_paid_and_confirmation(
    psp: Any, municipality: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = PersonFactory(address=AddressFactory())
    order = _order(person_id=person.pk)
    received: list[Any] = []

    def on_paid(sender: Any, order: Any, **kw: Any) -> None:
        received.append(order)

    order_paid.connect(on_paid, weak=False)
    try:
        payment = _pay_online(psp, order.id)
        assert psp.payments[payment.provider_id]["amount_cents"] == 2500
        assert psp.payments[payment.provider_id]["metadata"]["order_reference"] == order.reference
        with django_capture_on_commit_callbacks(execute=True):
            summary = services.payment_sync(payment_id=payment.pk)
    finally:
        order_paid.disconnect(on_paid)
    assert summary.status == OrderStatus.PAID
    assert summary.paid_cents == 2500
    assert [o.reference for o in received] == [order.reference]
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert payment.paid_at is not None
    confirmation = Message.objects.get(idempotency_key=f"payments:paid:{order.id}")
    assert order.reference in confirmation.body


def test_pressing_pay_twice_reuses_the_pending_payment(psp: Any, municipality: Any) -> None:
    order = _order()
    first = services.payment_start(order_id=order.id, return_url="http://testserver/t/")
    again = services.payment_start(order_id=order.id, return_url="http://testserver/t/")
    assert first == again
    assert Payment.objects.filter(order_id=order.id).count() == 1


def test_a_double_click_while_starting_does_not_start_a_second_payment(
    psp: Any, municipality: Any
) -> None:
    order = _order()
    PaymentFactory(order=Order.objects.get(pk=order.id))  # being started, no page yet
    with pytest.raises(PaymentError, match="being started"):
        services.payment_start(order_id=order.id, return_url="http://testserver/t/")
    assert Payment.objects.filter(order_id=order.id).count() == 1


def test_provider_down_gives_a_clear_message_and_changes_nothing(
    psp: Any, municipality: Any
) -> None:
    order = _order()
    psp.mode = "down"
    with pytest.raises(ProviderUnavailable, match="cannot be reached"):
        services.payment_start(order_id=order.id, return_url="http://testserver/t/")
    assert Order.objects.get(pk=order.id).status == OrderStatus.OPEN
    assert Payment.objects.get().state == PaymentState.FAILED


def test_counter_payment_needs_the_permission(municipality: Any, finance: Any) -> None:
    order = _order()
    outsider = StaffFactory()
    with pytest.raises(PermissionDenied):
        services.payment_record_counter(order_id=order.id, actor=outsider, amount_cents=2500)
    assert Order.objects.get(pk=order.id).paid_cents == 0
    assert not Payment.objects.exists()
    with pytest.raises(PaymentError):
        services.payment_record_counter(order_id=order.id, actor=finance, amount_cents=2501)
    paid = services.payment_record_counter(order_id=order.id, actor=finance, amount_cents=2500)
    assert paid.status == OrderStatus.PAID


def test_partial_transfers_add_up_and_overpayment_is_flagged(
    municipality: Any, finance: Any
) -> None:
    order = _order()
    first = BankTransactionFactory(amount_cents=1000)
    second = BankTransactionFactory(amount_cents=2000)
    half = services.payment_record_transfer(order_id=order.id, transaction_id=first.pk)
    assert half.status == OrderStatus.OPEN
    assert half.open_cents == 1500
    done = services.payment_record_transfer(order_id=order.id, transaction_id=second.pk)
    assert done.status == OrderStatus.PAID
    assert done.paid_cents == 3000
    assert done.flag == OrderFlag.OVERPAID
    assert done.overpaid_cents == 500
    second.refresh_from_db()
    assert second.match == "matched"
    assert second.order_id == order.id
    with pytest.raises(PaymentError):  # one bank line pays once
        services.payment_record_transfer(order_id=order.id, transaction_id=second.pk)
    overpaid = Payment.objects.get(bank_transaction=second)
    back = services.refund_create(
        payment_id=overpaid.pk, amount_cents=500, reason="Te veel betaald", actor=finance
    )
    assert back.status == OrderStatus.PAID  # the overpayment went back: paid, as owed
    assert back.flag == ""


def test_refund_partial_then_rest_reaches_the_provider(
    psp: Any, municipality: Any, finance: Any, django_capture_on_commit_callbacks: Any
) -> None:
    order = _order()
    payment = _pay_online(psp, order.id)
    services.payment_sync(payment_id=payment.pk)
    refunded: list[Any] = []

    def on_refunded(sender: Any, order: Any, **kw: Any) -> None:
        refunded.append(order)

    order_refunded.connect(on_refunded, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            part = services.refund_create(
                payment_id=payment.pk, amount_cents=1000, reason="Zaal korter", actor=finance
            )
        assert part.status == OrderStatus.PARTIALLY_REFUNDED
        with pytest.raises(PaymentError):  # never more than what is left
            services.refund_create(
                payment_id=payment.pk, amount_cents=1501, reason="Te veel", actor=finance
            )
        with django_capture_on_commit_callbacks(execute=True):
            rest = services.refund_create(
                payment_id=payment.pk, amount_cents=1500, reason="Geannuleerd", actor=finance
            )
    finally:
        order_refunded.disconnect(on_refunded)
    assert rest.status == OrderStatus.REFUNDED
    assert rest.refunded_cents == 2500
    assert len(refunded) == 2
    at_provider = psp.payments[payment.provider_id]
    assert [r["amount_cents"] for r in at_provider["refunds"]] == [1000, 1500]
    assert at_provider["amount_refunded_cents"] == 2500
    assert list(Refund.objects.values_list("state", flat=True)) == [RefundState.DONE] * 2


def test_refund_of_a_transfer_waits_for_finance(municipality: Any, finance: Any) -> None:
    order = OrderFactory(organisation=municipality)
    line = BankTransactionFactory(amount_cents=order.total_cents)
    services.payment_record_transfer(order_id=order.pk, transaction_id=line.pk)
    payment = Payment.objects.get(order=order)
    handler = StaffFactory()
    with pytest.raises(PermissionDenied):
        services.refund_create(payment_id=payment.pk, amount_cents=100, reason="x", actor=handler)
    assert not Refund.objects.exists()
    summary = services.refund_create(
        payment_id=payment.pk, amount_cents=order.total_cents, reason="Dubbel", actor=finance
    )
    assert summary.status == OrderStatus.REFUNDED
    refund = Refund.objects.get()
    assert refund.state == RefundState.PENDING  # to be paid out by finance
    services.refund_mark_done(refund_id=refund.pk, actor=finance)
    refund.refresh_from_db()
    assert refund.state == RefundState.DONE
    assert refund.done_at is not None


def test_cancel_only_unpaid_orders(municipality: Any, finance: Any) -> None:
    paid = OrderFactory(organisation=municipality, paid=True)
    with pytest.raises(PaymentError):
        services.order_cancel(order_id=paid.pk, actor=finance, reason="Vergissing")
    order = _order()
    cancelled = services.order_cancel(order_id=order.id, actor=None, reason="Dossier ingetrokken")
    assert cancelled.status == OrderStatus.CANCELLED
    with pytest.raises(PaymentError):
        services.payment_record_counter(order_id=order.id, actor=finance, amount_cents=100)


def test_payment_link_token_is_stored_hashed(municipality: Any, finance: Any) -> None:
    order = _order()
    url = services.payment_link_create(order_id=order.id, actor=finance)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url.startswith("http")
    stored = Order.objects.get(pk=order.id).link_token_hash
    assert stored
    assert token not in stored
    assert selectors.order_by_link_token(token=token).id == order.id
    assert selectors.order_by_link_token(token=token + "x") is None


def test_polling_makes_a_dropped_webhook_paid_and_expires_the_silent(
    psp: Any, municipality: Any
) -> None:
    paid_order, silent_order = _order(), _order()
    paid = _pay_online(psp, paid_order.id)  # the payer paid; the webhook never came
    silent = _pay_online(psp, silent_order.id, status="open")  # the payer walked away
    later = timezone.now() + timedelta(minutes=11)
    assert services.payments_poll(now=later) == 2
    assert Order.objects.get(pk=paid_order.id).status == OrderStatus.PAID
    assert Payment.objects.get(pk=silent.pk).state == PaymentState.PENDING
    assert services.payments_poll(now=later) == 0  # asked again only after 10 minutes
    services.payments_poll(now=timezone.now() + timedelta(hours=25))
    assert Payment.objects.get(pk=silent.pk).state == PaymentState.EXPIRED
    assert Payment.objects.get(pk=paid.pk).state == PaymentState.PAID
    assert Order.objects.get(pk=silent_order.id).status == OrderStatus.OPEN


def test_reminders_at_most_two_fourteen_days_apart(
    municipality: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = PersonFactory(address=AddressFactory())
    order = _order(person_id=person.pk, due_days=0)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_reminders_send(today=tomorrow) == 1
    assert services.order_reminders_send(today=tomorrow) == 0  # not again within 14 days
    Order.objects.filter(pk=order.id).update(last_reminder_at=timezone.now() - timedelta(days=15))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_reminders_send(today=tomorrow) == 1
    Order.objects.filter(pk=order.id).update(last_reminder_at=timezone.now() - timedelta(days=15))
    assert services.order_reminders_send(today=tomorrow) == 0
    assert Order.objects.get(pk=order.id).reminders_sent == 2
    reminders = Message.objects.filter(idempotency_key__startswith="payments:reminder:")
    assert reminders.count() == 2


def test_staff_lists_follow_departments(municipality: Any, department: Any, finance: Any) -> None:
    from loket.core.services import department_add_member
    from loket.core.tests.factories import DepartmentFactory

    other = DepartmentFactory(organisation=municipality)
    mine = _order(department_id=department.pk)
    theirs = _order(department_id=other.pk)
    clerk = StaffFactory()
    department_add_member(actor=None, department=other, user=clerk, role="counter_clerk")
    seen = {o.id for o in selectors.orders_for_staff(user=clerk)}
    assert theirs.id in seen
    assert mine.id not in seen
    assert selectors.order_detail_for_staff(user=clerk, order_id=mine.id) is None
    assert {o.id for o in selectors.orders_for_staff(user=finance)} >= {mine.id, theirs.id}
    page = selectors.orders_for_staff(user=finance, limit=1)
    rest = selectors.orders_for_staff(user=finance, after_id=page[0].id)
    assert page[0].id == theirs.id
    assert rest[0].id == mine.id
    found = selectors.orders_for_staff(user=finance, query=mine.structured_communication)
    assert [o.id for o in found] == [mine.id]
    assert selectors.orders_for_staff(user=StaffFactory()) == []
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("+++010/8068/17183+++", "010806817183"),
        ("***010/8068/17183***", "010806817183"),
        ("010 8068 17183", "010806817183"),
        ("+++010/8068/17180+++", None),  # a wrong check digit
        ("010/8068/1718", None),  # too short
    ],
)
def test_structured_communications_as_typed_or_read_from_a_bank_line(
    typed: str, digits: str | None
) -> None:
    assert services.communication_clean(typed) == digits


def test_vat_part_of_an_amount_with_vat_included() -> None:
    from decimal import Decimal

    assert services.vat_included(12100, Decimal(21)) == 2100
    assert services.vat_included(1000, Decimal(21)) == 174  # 173.55… rounds up
    assert services.vat_included(106, Decimal(6)) == 6
    assert services.vat_included(999, Decimal(0)) == 0
