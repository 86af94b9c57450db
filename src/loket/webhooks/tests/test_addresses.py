"""Webhooks never reach private networks (SSRF): refused at registration and again at
each delivery, on the address the connection really uses."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from loket.core.services import DomainError
from loket.webhooks import network, services
from loket.webhooks.constants import DeliveryStatus, EventType
from loket.webhooks.models import Delivery, Subscription
from loket.webhooks.tests.test_delivery import Receiver

pytestmark = pytest.mark.django_db

NAME = "hooks.example.test"


def _subscribe(url: str) -> Subscription:
    return services.subscription_create(
        actor=None, name="Receiver", url=url, event_types=[EventType.CASE_CREATED]
    )


def _resolving(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make ``NAME`` resolve to an address the test chooses (and change it later)."""
    real = socket.getaddrinfo
    target = {"ip": "93.184.215.14"}

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == NAME:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (target["ip"], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(network.socket, "getaddrinfo", fake)
    return lambda ip: target.update(ip=ip)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",  # loopback (not allowed by this test)
        "http://localhost:8000/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",  # private
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
        "http://[fd00:ec2::254]/",  # metadata over IPv6 (unique local)
        "http://100.100.100.200/",  # shared address space (a metadata service)
        "http://0.0.0.0/hook",
        "http://[::ffff:10.0.0.1]/hook",  # IPv4-mapped
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "http://224.0.0.1/hook",  # multicast
    ],
)
def test_registration_refuses_private_addresses(settings: Any, url: str) -> None:
    settings.LOKET_WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(DomainError):
        _subscribe(url)
    assert not Subscription.objects.exists()


def test_registration_refuses_a_name_that_resolves_privately(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve_to = _resolving(monkeypatch)
    resolve_to("10.0.0.7")
    with pytest.raises(network.AddressRefused):
        _subscribe(f"https://{NAME}/hook")
    assert not Subscription.objects.exists()
    resolve_to("93.184.215.14")
    assert _subscribe(f"https://{NAME}/hook").url == f"https://{NAME}/hook"


def test_public_addresses_and_names_not_resolving_yet_are_accepted() -> None:
    assert _subscribe("https://93.184.215.14/hook").pk
    assert _subscribe("https://receiver.example.invalid/hook").pk


def test_loopback_setting_lets_only_loopback_through_and_never_in_production(
    settings: Any,
) -> None:
    assert _subscribe("http://127.0.0.1:8080/hook").pk
    with pytest.raises(DomainError):
        _subscribe("http://10.0.0.1/hook")
    settings.PRODUCTION = True
    with pytest.raises(DomainError):
        _subscribe("https://127.0.0.1/hook")


def test_delivery_refuses_a_name_that_now_resolves_privately(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LOKET_WEBHOOK_ALLOW_LOOPBACK = False
    resolve_to = _resolving(monkeypatch)
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        subscription = _subscribe(f"http://{NAME}:{port}/hook")
        receiver.secret = subscription.secret
        services.event_publish(type=EventType.CASE_CREATED, source="/t", subject="x", data={})
        resolve_to("127.0.0.1")  # DNS changed after registration (rebinding)
        delivery = Delivery.objects.get()
        assert services.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.PENDING
    assert receiver.events == []
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("Refused")
    assert delivery.last_status_code is None


def test_delivery_to_a_name_reaches_a_receiver_on_an_allowed_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolve_to = _resolving(monkeypatch)
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        resolve_to("93.184.215.14")
        subscription = _subscribe(f"http://{NAME}:{port}/hook")
        receiver.secret = subscription.secret
        services.event_publish(type=EventType.CASE_CREATED, source="/t", subject="x", data={})
        resolve_to("127.0.0.1")  # allowed in this test: loopback receivers
        delivery = Delivery.objects.get()
        assert services.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED
    assert len(receiver.events) == 1
