"""Small refusals of the public payment pages: a webhook with a nonsense
Content-Length is a 400 (not a 500), and a payment link of an order that is paid or
cancelled says so and offers no payment."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from loket.payments import services
from loket.payments.constants import OrderStatus
from loket.payments.models import Order, Payment, ProviderEvent
from loket.payments.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("length", ["abc", "1e3", "-5"])
def test_a_webhook_with_a_nonsense_content_length_is_refused(
    psp: Any, municipality: Any, length: str
):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/betalen/webhook/local/",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=length,
    )
    assert response.status_code == 400
    assert not ProviderEvent.objects.exists()


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (OrderStatus.PAID, "This has been paid. Thank you."),
        (OrderStatus.CANCELLED, "This order was cancelled: there is nothing to pay."),
    ],
)
def test_a_link_of_a_closed_order_says_so_and_offers_no_payment(
    psp: Any, municipality: Any, finance: Any, status: str, says: str
):
    order = OrderFactory(organisation=municipality, total_cents=2500)
    path = urlsplit(services.payment_link_create(order_id=order.pk, actor=finance)).path
    Order.objects.filter(pk=order.pk).update(
        status=status, paid_cents=2500 if status == OrderStatus.PAID else 0
    )
    visitor = Client()
    page = visitor.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert says in html
    assert "betalen/" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "Pay online" not in html
    tried = visitor.post(path + "betalen/")
    assert tried.status_code == 302
    assert not tried["Location"].startswith(psp.url)
    assert not Payment.objects.exists()
