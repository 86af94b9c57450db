"""A head of department manages the payments of their own department only: another
department's orders answer 404 and stay as they are; the municipality's bank lines,
statements and export are for ``payments.all_departments`` (finance) alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.constants import SYSTEM_ROLE_PERMISSIONS, Permission, RoleSlug
from loket.core.models import Role
from loket.core.services import department_add_member
from loket.core.tests.factories import DepartmentFactory, StaffFactory
from loket.payments import services
from loket.payments.constants import OrderStatus, TransactionMatch
from loket.payments.models import BankStatement, BankTransaction, Order, Refund
from loket.payments.tests.factories import BankTransactionFactory, OrderFactory

pytestmark = pytest.mark.django_db

BASE = "/backoffice/betalingen/"
CAMT = (Path(__file__).parent / "fixtures" / "camt053.xml").read_bytes()


@pytest.fixture
def sport(municipality: Any) -> Any:
    return DepartmentFactory(organisation=municipality, name="Sport", slug="sport")


@pytest.fixture
def head(sport: Any) -> Any:
    user = StaffFactory(first_name="Hilde")
    department_add_member(actor=None, department=sport, user=user, role="head")
    return user


def test_only_finance_and_the_administrator_handle_every_department():
    assert {
        slug
        for slug, granted in SYSTEM_ROLE_PERMISSIONS.items()
        if Permission.PAYMENTS_ALL_DEPARTMENTS in granted
    } == {RoleSlug.FINANCE, RoleSlug.ADMINISTRATOR}
    seeded = {
        role.slug
        for role in Role.objects.all()
        if Permission.PAYMENTS_ALL_DEPARTMENTS in role.permissions
    }
    assert seeded == {RoleSlug.FINANCE, RoleSlug.ADMINISTRATOR}


def test_a_head_does_not_reach_another_departments_orders(
    client: Client, department: Any, sport: Any, head: Any
):
    theirs: Any = OrderFactory(
        organisation=department.organisation, department=department, description="Rijbewijs X"
    )
    paid: Any = OrderFactory(organisation=department.organisation, department=department, paid=True)
    own: Any = OrderFactory(
        organisation=department.organisation, department=sport, description="Zwembad Y"
    )
    log_in_staff(client, head)

    listing = client.get(BASE).content.decode()
    assert own.reference in listing
    assert theirs.reference not in listing
    assert paid.reference not in listing
    assert client.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert client.get(f"{BASE}{own.pk}/").status_code == 200

    cancel = client.post(f"{BASE}{theirs.pk}/annuleren/", {"reason": "not mine"})
    payment = paid.payments.get()
    refund = client.post(
        f"{BASE}{paid.pk}/terugbetalen/",
        {"payment": payment.pk, "amount": "25,00", "reason": "not mine", "confirm": "1"},
    )
    assert cancel.status_code == 404
    assert refund.status_code == 404
    theirs.refresh_from_db()
    paid.refresh_from_db()
    assert (theirs.status, paid.status) == (OrderStatus.OPEN, OrderStatus.PAID)
    assert not Refund.objects.exists()
    with pytest.raises(PermissionDenied):
        services.order_cancel(order_id=theirs.pk, reason="not mine", actor=head)
    assert Order.objects.get(pk=theirs.pk).status == OrderStatus.OPEN


def test_a_head_cannot_import_statements_handle_bank_lines_or_export(
    client: Client, department: Any, head: Any
):
    line = BankTransactionFactory()
    order = OrderFactory(organisation=department.organisation, department=None)
    log_in_staff(client, head)
    for url in (f"{BASE}rekeninguittreksels/", f"{BASE}niet-gekoppeld/", f"{BASE}export/"):
        assert client.get(url).status_code == 403, url
    assert "rekeninguittreksels" not in client.get(BASE).content.decode()
    assign = client.post(f"{BASE}niet-gekoppeld/{line.pk}/koppelen/", {"order": order.reference})
    ignore = client.post(f"{BASE}niet-gekoppeld/{line.pk}/negeren/", {"note": "mine now"})
    assert (assign.status_code, ignore.status_code) == (403, 403)
    with pytest.raises(PermissionDenied):
        services.statement_import(actor=head, file_name="camt.xml", data=CAMT)
    with pytest.raises(PermissionDenied):
        services.transaction_ignore(actor=head, transaction_id=line.pk, note="mine now")
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.match == TransactionMatch.UNMATCHED
    assert order.status == OrderStatus.OPEN
    assert BankStatement.objects.count() == 1
    assert BankTransaction.objects.count() == 1


def test_finance_still_reaches_every_department(
    client: Client, department: Any, sport: Any, finance: Any
):
    elsewhere = OrderFactory(organisation=department.organisation, department=sport)
    log_in_staff(client, finance)
    assert client.get(f"{BASE}{elsewhere.pk}/").status_code == 200
    assert client.get(f"{BASE}niet-gekoppeld/").status_code == 200
    assert client.get(f"{BASE}rekeninguittreksels/").status_code == 200
