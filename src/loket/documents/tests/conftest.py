"""Fixtures of the documents tests: the demo PKI and the local timestamp authority
(made once per test session), storage in a temporary folder, templates, staff."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
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
from loket.documents.pki import DemoPki, demo_pki_create
from loket.documents.providers import sealer_forget
from loket.documents.services import templates_seed_defaults
from loket.people.tests.factories import AddressFactory, PersonFactory
from loket.simulators.tsa import TimestampAuthority


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return demo_pki_create(tmp_path_factory.mktemp("pki"), organisation="Stad Mandelmunster")


@pytest.fixture(scope="session")
def tsa(demo_pki: DemoPki) -> Iterator[TimestampAuthority]:
    with TimestampAuthority(demo_pki.tsa_cert, demo_pki.tsa_key) as running:
        yield running


@pytest.fixture
def sealing(settings: Any, demo_pki: DemoPki, tsa: TimestampAuthority, tmp_path: Path) -> Any:
    """Seal with the demo certificate and timestamp at the local TSA; files in tmp."""
    settings.LOKET_DOCUMENTS_PKI_DIR = demo_pki.folder
    settings.LOKET_SEAL_PROVIDER = "pkcs12"
    settings.LOKET_SEAL_PKCS12_FILE = demo_pki.seal
    settings.LOKET_SEAL_PKCS12_PASSWORD = ""  # the demo seal's own password
    settings.LOKET_SEAL_TRUST_ROOTS = demo_pki.ca
    settings.LOKET_TSA_URL = tsa.url
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LOKET_BASE_URL = "http://testserver"
    sealer_forget()
    yield demo_pki
    sealer_forget()


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def municipality(db: Any) -> Any:
    organisation = OrganisationFactory(is_primary=True, name="Stad Mandelmunster")
    templates_seed_defaults()
    return organisation


@pytest.fixture
def department(municipality: Any) -> Any:
    return DepartmentFactory(organisation=municipality)


def staff_with(department: Any, *roles: str, **fields: Any) -> Any:
    user = StaffFactory(**fields)
    for role in roles:
        department_add_member(actor=None, department=department, user=user, role=role)
    return user


def resident(**fields: Any) -> Any:
    fields.setdefault("address", AddressFactory())
    return PersonFactory(**fields)


def log_in_resident(client: Any, person: Any | None, level: int = 450) -> Any:
    user = UserFactory()
    ResidentAccount.objects.create(
        user=user,
        person_id=person.pk if person is not None else None,
        national_number_digest=f"digest-{user.pk}",
        dialect="fas",
    )
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
    client.cookies["django_language"] = "en"
    return user


def log_in_staff(client: Any, user: Any) -> None:
    """A complete staff session (the second factor passed)."""
    from loket.accounts.staff.tests.helpers import log_in_staff as staff_login

    staff_login(client, user)
