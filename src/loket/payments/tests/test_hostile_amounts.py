"""Amounts nobody means (NaN, Infinity, 1E+999999, a line of a trillion euros) are
refused with a clear message, never a 500, and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.payments import services
from loket.payments.banking.parsing import StatementUnreadable, parse_statement
from loket.payments.constants import OrderStatus, TransactionMatch
from loket.payments.models import BankStatement, BankTransaction, Payment
from loket.payments.tests.factories import BankTransactionFactory, OrderFactory

pytestmark = pytest.mark.django_db

BASE = "/backoffice/betalingen/"


def camt(amount: str) -> bytes:
    return f"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>S-{amount[:20]}</Id><Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-11-20</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>""".encode()


@pytest.mark.parametrize(
    "amount", ["sNaN", "NaN", "Infinity", "-Infinity", "1E+999999", "9E+99999999", "12,50"]
)
def test_the_counter_form_refuses_hostile_amounts(
    client: Client, department: Any, finance: Any, amount: str
):
    order = OrderFactory(
        organisation=department.organisation, department=department, total_cents=2500
    )
    log_in_staff(client, finance)
    client.raise_request_exception = amount != "12,50"
    response = client.post(f"{BASE}{order.pk}/balie/", {"counter-amount": amount})
    if amount == "12,50":  # a real amount still works
        assert response.status_code == 302
        return
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter an amount in euros" in text or "This amount is too large" in text
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        ("sNaN", "is not a number"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        ("1E+999999999", "is too large"),
        ("100000000000.01", "is too large"),
        ("1E+12", "is too large"),
    ],
)
def test_a_statement_with_a_hostile_amount_is_refused(amount: str, why: str):
    with pytest.raises(StatementUnreadable, match=why):
        parse_statement(camt(amount))


def test_the_upload_of_such_a_statement_says_why_and_keeps_nothing(
    client: Client, department: Any, finance: Any
):
    log_in_staff(client, finance)
    response = client.post(
        f"{BASE}rekeninguittreksels/",
        {"file": SimpleUploadedFile("x.xml", camt("Infinity"))},
    )
    assert response.status_code == 400
    assert b"is not a number" in response.content
    assert not BankStatement.objects.exists()
    assert parse_statement(camt("99999999999.99")).lines[0].amount_cents == 9_999_999_999_999


def test_a_bank_line_too_large_for_one_payment_waits_for_finance(department: Any, finance: Any):
    order = OrderFactory(organisation=department.organisation, department=department)
    line = BankTransactionFactory(amount_cents=3_000_000_000)
    with pytest.raises(services.TransactionError):
        services.transaction_assign(actor=finance, transaction_id=line.pk, order_id=order.pk)
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.match == TransactionMatch.UNMATCHED
    assert order.status == OrderStatus.OPEN
    assert not Payment.objects.exists()
    assert BankTransaction.objects.count() == 1
