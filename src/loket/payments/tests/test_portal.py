"""The resident's payment pages: an order with its lines, VAT and the transfer details
(structured communication, EPC QR code); paying online through the local provider's
hosted page and coming back; a payment link without login; "My payments"; the
receipt. Another resident gets 404 and changes nothing."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.core.cache import cache
from django.test import Client

from loket.documents.tests.conftest import demo_pki, sealing, tsa
from loket.payments import services
from loket.payments.constants import OrderStatus, PaymentState
from loket.payments.models import Order, Payment
from loket.payments.tests.conftest import deliver, log_in_resident, make_resident
from loket.payments.types import OrderLineInput

pytestmark = pytest.mark.django_db

__all__ = ["demo_pki", "sealing", "tsa"]


def _resident() -> tuple[Client, Any]:
    user, person = make_resident()
    client = Client()
    log_in_resident(client, user)
    return client, person


def _order_for(person: Any, **fields: Any) -> Any:
    return services.order_create(
        lines=[
            OrderLineInput("Zaalhuur De Schakel", unit_cents=12100, vat_rate="21"),
            OrderLineInput("Administratieve kost", unit_cents=500),
        ],
        description="Zaalhuur De Schakel",
        person_id=person.pk,
        payer_name=f"{person.first_name} {person.last_name}",
        **fields,
    )


def _pay_on_hosted_page(psp: Any, checkout: str, choice: str) -> str:
    """The payer's browser on the provider's page: choose, follow the redirect back."""
    page = requests.get(checkout, timeout=5)
    assert 'value="paid"' in page.text
    answer = requests.post(checkout, data={"choice": choice}, allow_redirects=False, timeout=5)
    assert answer.status_code == 303
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}" if back.query else back.path


def test_resident_sees_the_order_and_pays_online(
    psp: Any, municipality: Any, client: Client
) -> None:
    resident, person = _resident()
    order = _order_for(person)
    page = resident.get(f"/betalen/bestelling/{order.reference}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zaalhuur De Schakel" in html
    assert "€\xa0126,00" in html  # total
    assert "€\xa021,00" in html  # VAT part of the room
    assert order.structured_communication in html
    assert "BE68539007547034" in html
    assert re.search(r'<svg role="img"[^>]*>\s*<title>QR code', html)

    started = resident.post(f"/betalen/bestelling/{order.reference}/betalen/")
    assert started.status_code == 302
    checkout = started["Location"]
    assert checkout.startswith(psp.url + "/checkout/")
    back = _pay_on_hosted_page(psp, checkout, "paid")
    assert deliver(client, psp.webhooks[-1]).status_code == 200

    done = resident.get(back)
    assert done.status_code == 200
    text = done.content.decode()
    assert "Thank you for your payment" in text
    assert order.reference in text  # this browser started the payment
    assert Order.objects.get(pk=order.id).status == OrderStatus.PAID
    assert (
        "Download the receipt"
        in resident.get(f"/betalen/bestelling/{order.reference}/").content.decode()
    )


def test_return_page_polls_when_the_webhook_is_late_and_offers_a_retry_on_failure(
    psp: Any, municipality: Any
) -> None:
    resident, person = _resident()
    order = _order_for(person)
    checkout = resident.post(f"/betalen/bestelling/{order.reference}/betalen/")["Location"]
    payment = Payment.objects.get(checkout_url=checkout)
    signature = services.payment_return_signature(payment_id=payment.pk)
    waiting = resident.get(f"/betalen/terug/{payment.pk}/?s={signature}")
    assert waiting["Refresh"] == "5"
    assert "being processed" in waiting.content.decode()

    back = _pay_on_hosted_page(psp, checkout, "failed")  # its webhook is never delivered
    assert back.endswith(f"/betalen/terug/{payment.pk}/?s={signature}")
    cache.clear()  # the next automatic refresh, five seconds later
    failed = resident.get(back)
    assert "did not go through" in failed.content.decode()
    assert f'href="/betalen/bestelling/{order.reference}/"' in failed.content.decode()
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.FAILED
    assert Order.objects.get(pk=order.id).status == OrderStatus.OPEN
    again = resident.post(f"/betalen/bestelling/{order.reference}/betalen/")
    assert again["Location"] != checkout  # a new attempt


def test_another_resident_gets_404_and_nothing_changes(psp: Any, municipality: Any) -> None:
    _, owner = _resident()
    order = _order_for(owner)
    stranger, _ = _resident()
    base = f"/betalen/bestelling/{order.reference}/"
    assert stranger.get(base).status_code == 404
    assert stranger.post(base + "betalen/").status_code == 404
    assert stranger.get(base + "ontvangstbewijs.pdf").status_code == 404
    assert order.reference not in stranger.get("/betalen/mijn-betalingen/").content.decode()
    assert not Payment.objects.exists()
    assert Order.objects.get(pk=order.id).status == OrderStatus.OPEN
    anonymous = Client().get(base)
    assert anonymous.status_code == 302  # to the login


def test_payment_link_without_login(psp: Any, municipality: Any, finance: Any) -> None:
    _, person = _resident()
    order = _order_for(person)
    link = services.payment_link_create(order_id=order.id, actor=finance)
    path = urlsplit(link).path
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert order.reference in html
    assert "Zaalhuur De Schakel" in html
    assert person.national_number not in html
    assert page["Referrer-Policy"] == "no-referrer"
    # Another token: its last character changed (to one it is not already).
    other = "y" if path[-2] == "x" else "x"
    assert visitor.get(path[:-2] + other + "/").status_code == 404
    started = visitor.post(path + "betalen/")
    assert started["Location"].startswith(psp.url + "/checkout/")
    back = _pay_on_hosted_page(psp, started["Location"], "paid")
    assert "Thank you" in visitor.get(back).content.decode()
    assert Order.objects.get(pk=order.id).status == OrderStatus.PAID
    assert "has been paid" in visitor.get(path).content.decode()


def _form_action(response: Any) -> str:
    policy = response["Content-Security-Policy"]
    return next(part for part in policy.split("; ") if part.startswith("form-action "))


def test_the_pay_forms_may_end_at_the_provider_and_other_pages_stay_closed(
    psp: Any, municipality: Any, finance: Any, settings: Any
) -> None:
    """Browsers apply CSP ``form-action`` to the redirect after "Pay online" too."""
    resident, person = _resident()
    order = _order_for(person)
    page = resident.get(f"/betalen/bestelling/{order.reference}/")
    token_url = services.payment_link_create(order_id=order.id, actor=finance)
    link = Client().get(urlsplit(token_url).path)
    mine = resident.get("/betalen/mijn-betalingen/")
    assert psp.url in _form_action(page).split()
    assert psp.url in _form_action(link).split()
    assert psp.url not in mine["Content-Security-Policy"]
    # Only form-action differs from the site's policy.
    assert (
        page["Content-Security-Policy"].replace(f" {psp.url}", "")
        == (mine["Content-Security-Policy"])
    )
    # The redirect the form gets goes to an origin the page allowed.
    started = resident.post(f"/betalen/bestelling/{order.reference}/betalen/")
    assert started["Location"].startswith(psp.url + "/")

    settings.LOKET_PAYMENT_PROVIDER = "stripe"
    page = resident.get(f"/betalen/bestelling/{order.reference}/")
    assert "https://checkout.stripe.com" in _form_action(page).split()
    assert psp.url not in page["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("provider", "checkout", "allowed"),
    [
        ("mollie", "https://www.mollie.com/checkout/select-method/7UhSN1zuXS", True),
        ("stripe", "https://checkout.stripe.com/c/pay/cs_test_a1B2c3", True),
        ("worldline", "https://payment.pay1.preprod.direct.worldline-solutions.com/x", True),
        ("worldline", "https://payment.direct.worldline-solutions.com/hostedcheckout/x", True),
        ("worldline", "https://direct.worldline-solutions.com.example.org/x", False),
        ("stripe", "https://www.mollie.com/checkout/x", False),
        ("mollie", "http://www.mollie.com/checkout/x", False),
    ],
)
def test_a_checkout_address_is_allowed_only_on_its_providers_origin(
    settings: Any, provider: str, checkout: str, allowed: bool
) -> None:
    from loket.payments.selectors import checkout_allowed

    settings.LOKET_PAYMENT_PROVIDER = provider
    assert checkout_allowed(checkout_url=checkout) is allowed


def test_my_payments_lists_open_and_paid(psp: Any, municipality: Any, finance: Any) -> None:
    resident, person = _resident()
    open_order = _order_for(person)
    paid_order = _order_for(person)
    services.payment_record_counter(order_id=paid_order.id, actor=finance, amount_cents=12600)
    html = resident.get("/betalen/mijn-betalingen/").content.decode()
    to_pay, _, done = html.partition("Paid and other orders")
    assert open_order.reference in to_pay
    assert paid_order.reference in done


def test_receipt_shows_payments_and_refunds(
    psp: Any, municipality: Any, finance: Any, sealing: Any
) -> None:
    resident, person = _resident()
    order = _order_for(person)
    payment = services.payment_record_counter(order_id=order.id, actor=finance, amount_cents=12600)
    assert payment.status == OrderStatus.PAID
    pdf = resident.get(f"/betalen/bestelling/{order.reference}/ontvangstbewijs.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    first = Order.objects.get(pk=order.id).receipt_code
    assert first
    again = resident.get(f"/betalen/bestelling/{order.reference}/ontvangstbewijs.pdf")
    assert again.content == pdf.content  # nothing changed: the same receipt
    counter = Payment.objects.get(order_id=order.id)
    services.refund_create(payment_id=counter.pk, amount_cents=500, reason="Kost", actor=finance)
    resident.get(f"/betalen/bestelling/{order.reference}/ontvangstbewijs.pdf")
    assert Order.objects.get(pk=order.id).receipt_code != first  # a new one shows the refund


def _act_under(client: Client, grantor: Any, services: list[str] | None) -> None:
    from django.utils import timezone

    from loket.accounts.constants import SESSION_ACTING
    from loket.accounts.models import Mandate, ResidentAccount

    helper = ResidentAccount.objects.get(user_id=int(client.session["_auth_user_id"]))
    mandate = Mandate.objects.create(
        grantor_id=grantor.pk,
        mandatary_id=helper.person_id,
        all_services=services is None,
        services=services or [],
        valid_from=timezone.localdate(),
    )
    session = client.session
    session[SESSION_ACTING] = {
        "kind": "person",
        "id": grantor.pk,
        "via": "mandate",
        "mandate_id": mandate.pk,
    }
    session.save()


def test_a_mandate_holder_pays_for_the_grantor_within_the_mandate(
    psp: Any, municipality: Any
) -> None:
    _, grantor = _resident()
    hall = _order_for(grantor, service_slug="zaalhuur")
    permit = _order_for(grantor, service_slug="parkeerkaart")
    helper, _ = _resident()
    _act_under(helper, grantor, ["zaalhuur"])
    assert helper.get(f"/betalen/bestelling/{hall.reference}/").status_code == 200
    assert helper.get(f"/betalen/bestelling/{permit.reference}/").status_code == 404
    assert helper.post(f"/betalen/bestelling/{permit.reference}/betalen/").status_code == 404
    listed = helper.get("/betalen/mijn-betalingen/").content.decode()
    assert hall.reference in listed
    assert permit.reference not in listed
    assert not Payment.objects.filter(order_id=permit.id).exists()
    started = helper.post(f"/betalen/bestelling/{hall.reference}/betalen/")
    assert started["Location"].startswith(psp.url + "/checkout/")
