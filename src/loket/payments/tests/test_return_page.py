"""The public return page after an online payment: only the address Loket gave the
provider (signed payment id) opens it, a guessed id answers 404 without asking the
provider, and the provider is asked at most once every few seconds per payment."""

from __future__ import annotations

from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
import requests
from django.core.cache import cache
from django.test import Client

from loket.payments import services
from loket.payments.constants import PaymentState
from loket.payments.models import Payment
from loket.payments.tests.conftest import log_in_resident, make_resident
from loket.payments.tests.factories import OrderFactory, PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(municipality: Any) -> Any:
    _, person = make_resident()
    order = OrderFactory(organisation=municipality, person_id=person.pk, total_cents=12600)
    return PaymentFactory(
        order=order, state=PaymentState.PAID, method="counter", provider="", amount_cents=12600
    )


def test_a_guessed_or_forged_address_is_404_and_asks_nobody(paid: Any):
    anonymous = Client()
    other = services.payment_return_signature(payment_id=paid.pk + 1)
    with mock.patch.object(services, "payment_sync") as sync:
        for url in (
            f"/betalen/terug/{paid.pk}/",
            f"/betalen/terug/{paid.pk}/?s=",
            f"/betalen/terug/{paid.pk}/?s={other}",
            f"/betalen/terug/{paid.pk}/?s=not-a-signature",
        ):
            page = anonymous.get(url)
            assert page.status_code == 404, url
            assert "126,00" not in page.content.decode()
            assert "Thank you for your payment" not in page.content.decode()
    sync.assert_not_called()
    assert Payment.objects.get(pk=paid.pk).state == PaymentState.PAID


def test_the_signed_address_shows_the_outcome(paid: Any):
    signature = services.payment_return_signature(payment_id=paid.pk)
    page = Client().get(f"/betalen/terug/{paid.pk}/?s={signature}")
    assert page.status_code == 200
    assert "Thank you for your payment" in page.content.decode()


def test_the_provider_is_asked_at_most_once_every_few_seconds(paid: Any):
    url = f"/betalen/terug/{paid.pk}/?s={services.payment_return_signature(payment_id=paid.pk)}"
    visitor = Client()
    with mock.patch.object(services, "payment_sync", wraps=services.payment_sync) as sync:
        for _ in range(3):
            assert visitor.get(url).status_code == 200
        assert sync.call_count == 1
        cache.clear()  # a few seconds later
        assert visitor.get(url).status_code == 200
        assert sync.call_count == 2


def test_the_provider_sends_the_payer_back_to_the_signed_address(psp: Any, municipality: Any):
    user, person = make_resident()
    resident = Client()
    log_in_resident(resident, user)
    order = OrderFactory(organisation=municipality, person_id=person.pk)
    checkout = resident.post(f"/betalen/bestelling/{order.reference}/betalen/")["Location"]
    payment = Payment.objects.get(order=order)
    answer = requests.post(checkout, data={"choice": "paid"}, allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    signature = services.payment_return_signature(payment_id=payment.pk)
    assert (back.path, back.query) == (f"/betalen/terug/{payment.pk}/", f"s={signature}")
    page = resident.get(f"{back.path}?{back.query}")
    assert "Thank you for your payment" in page.content.decode()
