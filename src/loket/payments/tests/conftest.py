"""Fixtures of the payments tests: the local payment provider on loopback (one per
session; its webhooks are collected for the test to deliver, repeat, reorder or drop),
a municipality with a bank account, residents and finance staff."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount
from loket.core.services import department_add_member
from loket.core.tests.factories import (
    DepartmentFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from loket.payments.tests.factories import BankAccountFactory
from loket.people.tests.factories import AddressFactory, PersonFactory
from loket.simulators.payment_provider import PaymentProvider
from loket.simulators.payment_provider.app import path_of

API_KEY = "test_key_payments"
WEBHOOK_SECRET = "whsec_dGVzdC13ZWJob29rLXNlY3JldC1mb3ItbG9rZXQ="


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """These tests read the English msgids."""
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture(scope="session")
def _provider_server() -> Iterator[PaymentProvider]:
    with PaymentProvider(
        api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, webhook_sender=None
    ) as running:
        yield running


@pytest.fixture
def psp(_provider_server: PaymentProvider, settings: Any) -> Iterator[PaymentProvider]:
    """The local payment provider, Loket configured to use it."""
    settings.LOKET_PAYMENT_PROVIDER = "local"
    settings.LOKET_PAYMENT_LOCAL_URL = _provider_server.url
    settings.LOKET_PAYMENT_API_KEY = API_KEY
    settings.LOKET_PAYMENT_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.LOKET_BASE_URL = "http://testserver"
    _provider_server.mode = "ok"
    _provider_server.webhooks.clear()
    yield _provider_server
    _provider_server.mode = "ok"


@pytest.fixture
def municipality(db: Any) -> Any:
    organisation = OrganisationFactory(is_primary=True, name="Gemeente Proefdorp")
    BankAccountFactory(organisation=organisation, iban="BE68539007547034", holder="Proefdorp")
    return organisation


@pytest.fixture
def department(municipality: Any) -> Any:
    return DepartmentFactory(organisation=municipality, name="Vrije tijd", slug="vrije-tijd")


@pytest.fixture
def finance(department: Any) -> Any:
    user = StaffFactory(first_name="Fien")
    department_add_member(actor=None, department=department, user=user, role="finance")
    return user


def deliver(client: Client, call: tuple[str, bytes, dict[str, str]]) -> Any:
    """Post one of the provider's webhook calls to Loket, as the provider would."""
    url, body, headers = call
    extra = {key: value for key, value in headers.items() if key != "Content-Type"}
    return client.post(path_of(url), data=body, content_type="application/json", headers=extra)


def make_resident(**fields: Any) -> tuple[Any, Any]:
    """(user, person): a resident with an account linked to the register."""
    person = PersonFactory(address=AddressFactory(), **fields)
    user = UserFactory(first_name=person.first_name, last_name=person.last_name)
    ResidentAccount.objects.create(
        user=user, person_id=person.pk, national_number_digest=f"digest-{person.pk}", dialect="fas"
    )
    return user, person


def log_in_resident(client: Client, user: Any, level: int = 450) -> None:
    """An itsme-level resident login in ``client``'s session."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session[SESSION_LOGIN] = {
        "dialect": "fas",
        "level": level,
        "acr": "",
        "sid": "",
        "started_at": now,
        "last_seen": now,
    }
    session.save()
