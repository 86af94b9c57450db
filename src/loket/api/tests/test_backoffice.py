"""Back-office pages: create a client (secret shown once), revoke it, see its calls;
webhook subscriptions and the delivery log with "send again"."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.api.models import ApiClient, ApiCredential
from loket.api.services import hash_secret
from loket.api.tests.helpers import bearer
from loket.core.tests.factories import OrganisationFactory, StaffFactory
from loket.webhooks import services as webhook_services
from loket.webhooks.constants import DeliveryStatus, EventType
from loket.webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client: Client, settings) -> Client:
    settings.LANGUAGE_CODE = "en"
    log_in_staff(client, StaffFactory(is_superuser=True))
    return client


def test_staff_without_staff_manage_get_404(client: Client) -> None:
    log_in_staff(client, StaffFactory())
    assert client.get("/backoffice/koppelingen/").status_code == 404
    assert client.get("/backoffice/koppelingen/webhooks/leveringen/").status_code == 404


def test_anonymous_are_sent_to_the_login(client: Client) -> None:
    response = client.get("/backoffice/koppelingen/")
    assert response.status_code == 302
    assert "/backoffice/" in response["Location"]


def test_create_client_shows_the_secret_once(manager: Client) -> None:
    organisation = OrganisationFactory()
    response = manager.post(
        "/backoffice/koppelingen/",
        {
            "name": "Document management",
            "organisation": organisation.pk,
            "scopes": ["people:read"],
            "max_confidentiality": "sensitive",
            "rate_limit_per_minute": "60",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    secret = re.search(r"<code>(lks_[^<]+)</code>", page)
    assert secret is not None
    credential = ApiCredential.objects.get()
    assert credential.secret_hash == hash_secret(secret.group(1))
    assert secret.group(1) not in manager.get("/backoffice/koppelingen/").content.decode()
    client = ApiClient.objects.get()
    assert client.scopes == ["people:read"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_invalid_form_keeps_input(manager: Client) -> None:
    OrganisationFactory()
    response = manager.post(
        "/backoffice/koppelingen/", {"name": "Kept name", "rate_limit_per_minute": "0"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Kept name"' in page
    assert "aria-invalid" in page
    assert not ApiClient.objects.exists()


def test_revoke_and_call_log(manager: Client) -> None:
    api_client, headers = bearer()
    Client().get("/api/v1/organisations/", **headers)
    detail = manager.get(f"/backoffice/koppelingen/{api_client.pk}/").content.decode()
    assert "GET /api/v1/organisations/" in detail
    manager.post(f"/backoffice/koppelingen/{api_client.pk}/intrekken/")
    api_client.refresh_from_db()
    assert not api_client.active
    assert Client().get("/api/v1/organisations/", **headers).status_code == 401


def test_subscription_and_send_again(manager: Client) -> None:
    response = manager.post(
        "/backoffice/koppelingen/webhooks/",
        {
            "name": "Zaaksysteem",
            "url": "https://example.invalid/hook",
            "event_types": [EventType.CASE_STATUS_CHANGED],
        },
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.secret in response.content.decode()
    webhook_services.event_publish(
        type=EventType.CASE_STATUS_CHANGED, source="/t", subject="2026-1", data={}
    )
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=12)
    log = manager.get("/backoffice/koppelingen/webhooks/leveringen/").content.decode()
    assert "be.loket.case.status_changed" in log
    assert "Send again" in log
    manager.post(f"/backoffice/koppelingen/webhooks/leveringen/{delivery.pk}/opnieuw/")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 0
    assert (
        manager.post("/backoffice/koppelingen/webhooks/leveringen/999/opnieuw/").status_code == 404
    )


def test_a_private_webhook_address_is_refused_and_the_input_kept(manager: Client, settings) -> None:
    settings.LOKET_WEBHOOK_ALLOW_LOOPBACK = False
    response = manager.post(
        "/backoffice/koppelingen/webhooks/",
        {
            "name": "Metadata",
            "url": "http://169.254.169.254/latest/meta-data/",
            "event_types": [EventType.CASE_CREATED],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "public addresses only" in page
    assert 'value="Metadata"' in page
    assert not Subscription.objects.exists()
