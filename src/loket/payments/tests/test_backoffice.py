"""Staff through the real back-office pages: orders, counter payment, payment link,
refund with its confirmation step, cancel; bank statement upload, unmatched lines,
the daily reconciliation and the CSV export. Refusals change nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.models import AuditEvent
from loket.core.services import department_add_member
from loket.core.tests.factories import DepartmentFactory, StaffFactory
from loket.payments import reports, services
from loket.payments.constants import OrderStatus, RefundState, TransactionMatch
from loket.payments.models import BankStatement, BankTransaction, Payment, Refund
from loket.payments.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "/backoffice/betalingen/"


def staff(department: Any, role: str) -> Any:
    user = StaffFactory()
    department_add_member(actor=None, department=department, user=user, role=role)
    return user


def order(department: Any, cents: int = 2500, **fields: Any) -> Any:
    return OrderFactory(
        organisation=department.organisation, department=department, total_cents=cents, **fields
    )


def upload(client: Client, name: str = "camt053.xml") -> Any:
    data = (FIXTURES / name).read_bytes()
    return client.post(f"{BASE}rekeninguittreksels/", {"file": SimpleUploadedFile(name, data)})


def test_finance_imports_a_statement_and_assigns_the_unmatched_line(
    client: Client, department: Any, finance: Any
):
    paid = order(department, structured_communication="010000000182")
    other = order(department, cents=1500, reference="B2026-000555")
    log_in_staff(client, finance)

    response = upload(client)
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}niet-gekoppeld/"
    paid.refresh_from_db()
    assert paid.status == OrderStatus.PAID

    again = upload(client)
    assert again.status_code == 400
    assert b"already imported" in again.content
    assert BankStatement.objects.count() == 1

    page = client.get(f"{BASE}niet-gekoppeld/")
    assert b"Marie Dubois" in page.content
    line = BankTransaction.objects.get(counterparty_name="Marie Dubois")
    wrong = client.post(f"{BASE}niet-gekoppeld/{line.pk}/koppelen/", {"order": "B2099-NOPE"})
    assert wrong.status_code == 400
    assert b"No order has this reference" in wrong.content
    assert b'value="B2099-NOPE"' in wrong.content  # what was typed stays
    done = client.post(f"{BASE}niet-gekoppeld/{line.pk}/koppelen/", {"order": "b2026-000555"})
    assert done.status_code == 302
    other.refresh_from_db()
    line.refresh_from_db()
    assert (other.status, line.match) == (OrderStatus.PAID, TransactionMatch.MATCHED)

    vlieger = BankTransaction.objects.get(counterparty_name__startswith="Vereniging")
    client.post(f"{BASE}niet-gekoppeld/{vlieger.pk}/negeren/", {"note": "Sent back"})
    vlieger.refresh_from_db()
    assert vlieger.match == TransactionMatch.IGNORED


def test_an_oversized_or_unreadable_upload_is_refused_and_nothing_is_kept(
    client: Client, department: Any, finance: Any
):
    log_in_staff(client, finance)
    response = client.post(
        f"{BASE}rekeninguittreksels/",
        {"file": SimpleUploadedFile("x.xml", b"<Document><broken")},
    )
    assert response.status_code == 400
    assert b"could not be read as a bank statement" in response.content
    assert BankStatement.objects.count() == BankTransaction.objects.count() == 0


def test_counter_payment_link_refund_with_confirmation_and_cancel(
    client: Client, department: Any, finance: Any
):
    rent = order(department, cents=4000)
    log_in_staff(client, finance)
    page = client.get(f"{BASE}{rent.pk}/")
    assert page.status_code == 200
    assert rent.reference.encode() in page.content

    bad = client.post(f"{BASE}{rent.pk}/balie/", {"counter-amount": "abc"})
    assert bad.status_code == 400
    assert Payment.objects.filter(order=rent).count() == 0
    assert client.post(f"{BASE}{rent.pk}/balie/", {"counter-amount": "40,00"}).status_code == 302
    rent.refresh_from_db()
    assert rent.status == OrderStatus.PAID
    payment = Payment.objects.get(order=rent)

    step = client.post(
        f"{BASE}{rent.pk}/terugbetalen/",
        {"payment": payment.pk, "amount": "15,00", "reason": "Room smaller than booked"},
    )
    assert step.status_code == 200
    assert b"Check before refunding" in step.content
    assert Refund.objects.count() == 0  # nothing before the confirmation
    too_much = client.post(
        f"{BASE}{rent.pk}/terugbetalen/",
        {"payment": payment.pk, "amount": "45", "reason": "x", "confirmed": "1"},
    )
    assert too_much.status_code == 400
    assert Refund.objects.count() == 0
    client.post(
        f"{BASE}{rent.pk}/terugbetalen/",
        {
            "payment": payment.pk,
            "amount": "15,00",
            "reason": "Room smaller than booked",
            "confirmed": "1",
        },
    )
    refund = Refund.objects.get()
    assert (refund.amount_cents, refund.state) == (1500, RefundState.PENDING)
    client.post(f"{BASE}{rent.pk}/terugbetalingen/{refund.pk}/uitbetaald/")
    refund.refresh_from_db()
    assert refund.state == RefundState.DONE

    debt = order(department, cents=900)
    link = client.post(f"{BASE}{debt.pk}/betaallink/")
    assert link.status_code == 200
    assert b"/betalen/" in link.content
    debt.refresh_from_db()
    assert debt.link_token_hash
    refused = client.post(f"{BASE}{debt.pk}/annuleren/", {"reason": ""})
    assert refused.status_code == 400
    client.post(f"{BASE}{debt.pk}/annuleren/", {"reason": "Booking withdrawn"})
    debt.refresh_from_db()
    assert debt.status == OrderStatus.CANCELLED


def test_refusals_change_nothing_and_other_departments_are_404(
    client: Client, department: Any, municipality: Any
):
    elsewhere = DepartmentFactory(organisation=municipality)
    mine = order(department)
    theirs = order(elsewhere)
    clerk = staff(department, "counter_clerk")  # payments.view and payments.record
    log_in_staff(client, clerk)

    assert client.get(f"{BASE}{mine.pk}/").status_code == 200
    assert client.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert client.post(f"{BASE}{theirs.pk}/balie/", {"counter-amount": "25"}).status_code == 404
    assert client.post(f"{BASE}{mine.pk}/annuleren/", {"reason": "x"}).status_code == 403
    assert upload(client).status_code == 403
    assert client.get(f"{BASE}export/?start=2026-01-01&end=2026-01-31").status_code == 403
    assert client.get(f"{BASE}niet-gekoppeld/").status_code == 403
    listing = client.get(BASE)
    assert mine.reference.encode() in listing.content
    assert theirs.reference.encode() not in listing.content
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == theirs.status == OrderStatus.OPEN
    assert BankStatement.objects.count() == Payment.objects.count() == 0
    assert not AuditEvent.objects.filter(action="export").exists()

    handler = staff(department, "communication")  # no payments permission at all
    log_in_staff(client, handler)
    assert client.get(BASE).status_code == 403
    assert client.post(f"{BASE}{mine.pk}/balie/", {"counter-amount": "25"}).status_code == 403
    assert Payment.objects.count() == 0


def test_reconciliation_and_csv_export_add_up(client: Client, department: Any, finance: Any):
    a = order(department, cents=12150, vat_cents=2109, description="Zaal; groot =SUM(A1)")
    b = order(department, cents=3000)
    services.payment_record_counter(order_id=a.pk, actor=finance, amount_cents=12150)
    services.payment_record_counter(order_id=b.pk, actor=finance, amount_cents=1000)
    payment = Payment.objects.get(order=a)
    services.refund_create(payment_id=payment.pk, amount_cents=150, reason="Te veel", actor=finance)
    refund = Refund.objects.get()
    services.refund_mark_done(refund_id=refund.pk, actor=finance)
    today = timezone.localdate()

    data = reports.reconciliation(user=finance, start=today - timedelta(days=2), end=today)
    assert data.totals.counter == sum(row.counter for row in data.days) == 13150
    assert data.totals.refunds == 150
    assert data.totals.net == data.totals.received - data.totals.refunds == 13000
    assert (data.open_orders, data.open_cents) == (1, 2000)

    log_in_staff(client, finance)
    page = client.get(f"{BASE}dagrapport/")
    assert page.status_code == 200
    assert "€\u00a0130,00".encode() in page.content

    response = client.get(f"{BASE}export/?start={today - timedelta(days=2)}&end={today}")
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert len(rows[0]) == 10
    assert len(rows) == 1 + 3  # two payments, one refund
    amounts = [int(row[7].replace(",", "")) for row in rows[1:]]
    assert sum(amounts) == data.totals.net
    first = next(row for row in rows[1:] if row[1] == a.reference)
    assert (first[7], first[8]) == ("121,50", "21,09")
    assert first[3].startswith("Zaal; groot")  # the ; is quoted, not a new cell
    refund_row = next(row for row in rows[1:] if row[7].startswith("-"))
    assert refund_row[7] == "-1,50"
    assert AuditEvent.objects.filter(action="export", actor=finance).exists()

    invalid = client.get(f"{BASE}export/?start={today}&end={today - timedelta(days=5)}")
    assert invalid.status_code == 400


def test_lists_take_a_fixed_number_of_queries(
    client: Client, department: Any, finance: Any, django_assert_max_num_queries: Any
):
    log_in_staff(client, finance)
    for _ in range(3):
        order(department)
    client.get(BASE)  # warm the session and permission caches
    with django_assert_max_num_queries(12) as few:
        client.get(BASE)
    for _ in range(20):
        order(department)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BASE)
    assert response.status_code == 200

    upload(client)
    client.get(f"{BASE}niet-gekoppeld/")
    with django_assert_max_num_queries(12):
        assert client.get(f"{BASE}niet-gekoppeld/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"{BASE}dagrapport/").status_code == 200
