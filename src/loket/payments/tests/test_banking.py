"""Bank statements: CAMT.053 and CODA files import, match transfers to open orders by
their structured communication, and refuse a second import without changing a thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from loket.core.models import AuditEvent
from loket.core.services import department_add_member
from loket.core.tests.factories import StaffFactory
from loket.payments import services
from loket.payments.banking.parsing import StatementUnreadable, parse_statement
from loket.payments.constants import OrderStatus, TransactionMatch
from loket.payments.models import BankStatement, BankTransaction, Order, Payment
from loket.payments.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
CAMT = (FIXTURES / "camt053.xml").read_bytes()
CODA = (FIXTURES / "statement.coda").read_bytes()


def order(department: Any, communication: str, cents: int, **fields: Any) -> Any:
    return OrderFactory(
        organisation=department.organisation,
        department=department,
        structured_communication=communication,
        total_cents=cents,
        **fields,
    )


def counts() -> tuple[int, int, int, int]:
    return (
        BankStatement.objects.count(),
        BankTransaction.objects.count(),
        Payment.objects.count(),
        Order.objects.filter(status=OrderStatus.PAID).count(),
    )


def test_camt_import_pays_matches_and_leaves_the_rest_for_staff(department: Any, finance: Any):
    full = order(department, "010000000182", 2500)
    partly = order(department, "010000000283", 4000)

    result = services.statement_import(actor=finance, file_name="camt.xml", data=CAMT)

    assert (result.lines, result.matched, result.partial) == (4, 1, 1)
    assert (result.unmatched, result.outgoing) == (1, 1)
    full.refresh_from_db()
    partly.refresh_from_db()
    assert full.status == OrderStatus.PAID
    assert (partly.status, partly.paid_cents, partly.open_cents) == (OrderStatus.OPEN, 1000, 3000)
    lines = {tx.amount_cents: tx for tx in BankTransaction.objects.all()}
    assert lines[2500].match == TransactionMatch.MATCHED
    assert lines[2500].order_id == full.pk
    assert lines[1500].match == TransactionMatch.UNMATCHED  # a valid communication, no order
    assert lines[-10000].match == TransactionMatch.OUTGOING
    assert lines[1500].counterparty_name == "Marie Dubois"
    assert AuditEvent.objects.filter(object_type="payments.bankstatement").exists()


def test_the_same_file_twice_is_refused_and_nothing_changes(department: Any, finance: Any):
    order(department, "010000000182", 2500)
    services.statement_import(actor=finance, file_name="camt.xml", data=CAMT)
    before = counts()

    with pytest.raises(services.StatementRefused, match="already imported"):
        services.statement_import(actor=finance, file_name="again.xml", data=CAMT)
    # Other bytes, same statement number of the same account.
    with pytest.raises(services.StatementRefused, match="already imported"):
        services.statement_import(
            actor=finance, file_name="copy.xml", data=CAMT.replace(b"</Document>", b"</Document>\n")
        )
    assert counts() == before


def test_coda_import_and_staff_assign_the_unmatched_line(department: Any, finance: Any):
    paid = order(department, "010000000384", 3000)
    rent = order(department, "010000000586", 1250, reference="B2026-000077")

    result = services.statement_import(actor=finance, file_name="stmt.cod", data=CODA)

    assert (result.matched, result.unmatched, result.outgoing) == (1, 1, 1)
    paid.refresh_from_db()
    assert paid.status == OrderStatus.PAID
    line = BankTransaction.objects.get(match=TransactionMatch.UNMATCHED)
    assert line.free_communication == "Betaling zaalhuur oktober"

    services.transaction_assign(actor=finance, transaction_id=line.pk, order_id=rent.pk)
    line.refresh_from_db()
    rent.refresh_from_db()
    assert (line.match, line.order_id) == (TransactionMatch.MATCHED, rent.pk)
    assert rent.status == OrderStatus.PAID
    with pytest.raises(services.TransactionError):
        services.transaction_assign(actor=finance, transaction_id=line.pk, order_id=rent.pk)


def test_ignoring_a_line_needs_a_reason(department: Any, finance: Any):
    services.statement_import(actor=finance, file_name="stmt.cod", data=CODA)
    line = BankTransaction.objects.get(amount_cents=1250)
    with pytest.raises(services.TransactionError):
        services.transaction_ignore(actor=finance, transaction_id=line.pk, note="  ")
    services.transaction_ignore(actor=finance, transaction_id=line.pk, note="Gift, no order")
    line.refresh_from_db()
    assert (line.match, line.note, line.handled_by) == (
        TransactionMatch.IGNORED,
        "Gift, no order",
        finance,
    )


def test_staff_without_payments_manage_cannot_import(department: Any, municipality: Any):
    clerk = StaffFactory()
    department_add_member(actor=None, department=department, user=clerk, role="counter_clerk")
    before = counts()
    with pytest.raises(PermissionDenied):
        services.statement_import(actor=clerk, file_name="camt.xml", data=CAMT)
    assert counts() == before


def test_a_statement_of_another_account_is_refused(department: Any, finance: Any):
    other = CAMT.replace(b"BE68539007547034", b"BE71096123456769")
    with pytest.raises(services.StatementRefused, match="not an account of the municipality"):
        services.statement_import(actor=finance, file_name="other.xml", data=other)
    assert BankStatement.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>',
        b"<Document xmlns='urn:example'><x/></Document>",
        b"<Document",
        b"not a statement",
        CAMT.replace(b'<Amt Ccy="EUR">950.00</Amt>', b'<Amt Ccy="EUR">951.00</Amt>'),
        CODA[: len(CODA) // 2],
    ],
    ids=["dtd", "other-xml", "broken-xml", "text", "balance", "truncated-coda"],
)
def test_unreadable_files_are_refused_with_a_reason(data: bytes, department: Any, finance: Any):
    with pytest.raises(services.StatementRefused):
        services.statement_import(actor=finance, file_name="bad", data=data)
    assert BankStatement.objects.count() == BankTransaction.objects.count() == 0


def test_camt_053_001_02_and_a_wrong_checksum():
    document = b"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>1</MsgId></GrpHdr>
<Stmt><Id>S-7</Id><Acct><Id><IBAN>BE68 5390 0754 7034</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">12.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-11-02</Dt></BookgDt>
<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>An Peeters</Nm></Dbtr></RltdPties>
<RmtInf><Strd><CdtrRefInf><Ref>+++010/0000/00183+++</Ref></CdtrRefInf></Strd></RmtInf>
</TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""
    statement = parse_statement(document)
    assert (statement.account_iban, statement.statement_id) == ("BE68539007547034", "S-7")
    (line,) = statement.lines
    assert (line.amount_cents, line.counterparty_name) == (1250, "An Peeters")
    assert line.structured_communication == ""  # 00183: the check digits are wrong
    with pytest.raises(StatementUnreadable):
        parse_statement(document.replace(b"12.50", b"12.505"))


def test_transfers_count_on_their_booking_day_in_report_and_export(department: Any, finance: Any):
    from datetime import date

    from loket.payments import reports

    order(department, "010000000182", 2500)
    order(department, "010000000283", 4000)
    services.statement_import(actor=finance, file_name="camt.xml", data=CAMT)

    booked = date(2026, 11, 16)
    data = reports.reconciliation(user=finance, start=booked, end=booked)
    assert data.days[0].transfers == data.totals.transfers == 3500
    # 25 + 10 + 15 euro reached the account; the 15 waits for staff.
    assert (data.totals.bank_received, data.totals.bank_not_matched) == (5000, 1500)
    assert data.totals.bank_adds_up
    rows = list(reports.export_rows(user=finance, start=booked, end=booked))
    assert [row.cells()[0] for row in rows] == ["16/11/2026", "16/11/2026"]
    assert sum(row.amount_cents for row in rows) == data.totals.net
    assert rows[0].cells()[2] == "+++010/0000/00182+++"


def test_a_sample_statement_pays_an_order_and_coda_holds_one_statement(
    department: Any, finance: Any
):
    from datetime import date

    from loket.payments.banking.samples import SampleTransfer, camt053_sample

    debt = order(department, "010000000586", 1800)
    data = camt053_sample(
        account_iban="BE68539007547034",
        statement_id="DEMO-1",
        booked=date(2026, 11, 20),
        transfers=[
            SampleTransfer(1800, "Sarah Peeters", communication="010000000586"),
            SampleTransfer(-250, "Bank", text="Kosten"),
        ],
    )
    result = services.statement_import(actor=finance, file_name="demo.xml", data=data)
    debt.refresh_from_db()
    assert (result.matched, result.outgoing, debt.status) == (1, 1, OrderStatus.PAID)

    lines = CODA.split(b"\r\n")
    twice = b"\r\n".join([*lines[:2], *lines[1:]])
    with pytest.raises(StatementUnreadable, match="exactly one statement"):
        parse_statement(twice)
