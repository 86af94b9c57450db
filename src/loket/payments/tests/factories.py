"""Factories of the payments module (other modules' tests import them too).

``OrderFactory`` makes an open order of one line (default €25.00, no VAT) with a valid,
unique structured communication and reference; ``OrderFactory(paid=True)`` makes it
paid by a counter payment. For orders built the way residents get them, call
``loket.payments.services.order_create``.
"""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from stdnum.be import ogm_vcs

from loket.core.tests.factories import OrganisationFactory
from loket.payments.constants import OrderStatus, PaymentMethod, PaymentState
from loket.payments.models import (
    BankAccount,
    BankStatement,
    BankTransaction,
    Order,
    OrderLine,
    Payment,
)


def communication_for(number: int) -> str:
    """12 digits: a 10-digit base and its two check digits (as stored)."""
    base = f"{900000000 + number:010d}"
    return base + ogm_vcs.calc_check_digits(base)


class BankAccountFactory(factory.django.DjangoModelFactory[BankAccount]):
    class Meta:
        model = BankAccount
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory, is_primary=True)
    holder = "Gemeente Proefdorp"
    iban = factory.Sequence(lambda n: f"BE{n:014d}")
    bic = "GKCCBEBB"


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"B2099-{n:06d}")
    structured_communication = factory.Sequence(communication_for)
    description = factory.Sequence(lambda n: f"Zaalhuur {n}")
    total_cents = 2500
    vat_cents = 0
    organisation = factory.SubFactory(OrganisationFactory)
    department = None
    person_id = None
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def lines(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        OrderLine.objects.create(
            order=self,
            position=1,
            description=self.description,
            quantity=1,
            unit_cents=self.total_cents,
            total_cents=self.total_cents,
            vat_cents=self.vat_cents,
        )

    @factory.post_generation
    def paid(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not (create and extracted):
            return
        now = timezone.now()
        Payment.objects.create(
            order=self,
            method=PaymentMethod.COUNTER,
            amount_cents=self.total_cents,
            state=PaymentState.PAID,
            created_at=now,
            updated_at=now,
            paid_at=now,
        )
        self.paid_cents = self.total_cents
        self.status = OrderStatus.PAID
        self.paid_at = now
        self.save(update_fields=["paid_cents", "status", "paid_at"])


class PaymentFactory(factory.django.DjangoModelFactory[Payment]):
    """A payment of the whole order; ``state``/``method`` as given (default: a pending
    online payment of the local provider). The order's totals are not recomputed."""

    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    method = PaymentMethod.ONLINE
    provider = factory.LazyAttribute(lambda p: "local" if p.method == PaymentMethod.ONLINE else "")
    provider_id = ""
    amount_cents = factory.LazyAttribute(lambda p: p.order.total_cents)
    state = PaymentState.PENDING
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class BankStatementFactory(factory.django.DjangoModelFactory[BankStatement]):
    class Meta:
        model = BankStatement

    format = "camt053"
    account_iban = "BE68539007547034"
    statement_id = factory.Sequence(lambda n: f"STMT-{n}")
    file_name = factory.Sequence(lambda n: f"statement-{n}.xml")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    imported_at = factory.LazyFunction(timezone.now)


class BankTransactionFactory(factory.django.DjangoModelFactory[BankTransaction]):
    class Meta:
        model = BankTransaction

    statement = factory.SubFactory(BankStatementFactory)
    position = factory.Sequence(lambda n: n)
    booking_date = factory.LazyFunction(timezone.localdate)
    amount_cents = 2500
    counterparty_name = "Jan Janssens"
    counterparty_iban = "BE71096123456769"
