"""Fixtures of the cases tests: the demo case types in a small municipality, staff
with roles, and residents with an account."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount
from loket.cases.services import case_types_seed_demo
from loket.core.selectors import department_list
from loket.core.services import department_add_member
from loket.core.tests.factories import OrganisationFactory, StaffFactory, UserFactory
from loket.people.tests.factories import AddressFactory, PersonFactory


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """These tests read the English msgids."""
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def case_types(db: Any) -> dict[str, Any]:
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    return {d.slug: d for d in department_list()}


def staff_with(department: Any, *roles: str, **fields: Any) -> Any:
    user = StaffFactory(**fields)
    for role in roles:
        department_add_member(actor=None, department=department, user=user, role=role)
    return user


@pytest.fixture
def departments(case_types: dict[str, Any]) -> dict[str, Any]:
    return case_types


@pytest.fixture
def handler(departments: dict[str, Any]) -> Any:
    return staff_with(departments["burgerzaken"], "handler", first_name="Hanne")


@pytest.fixture
def coordinator(departments: dict[str, Any]) -> Any:
    return staff_with(departments["burgerzaken"], "coordinator", first_name="Koen")


def make_resident(
    *, prefers_paper: bool = False, language: str = "nl", **fields: Any
) -> tuple[Any, Any]:
    """(user, person): a resident with an account linked to the register."""
    person = PersonFactory(
        address=AddressFactory(), prefers_paper=prefers_paper, language=language, **fields
    )
    user = UserFactory(first_name=person.first_name, last_name=person.last_name)
    ResidentAccount.objects.create(
        user=user, person_id=person.pk, national_number_digest=f"digest-{person.pk}", dialect="fas"
    )
    return user, person


def log_in_resident(client: Any, user: Any, level: int = 450) -> None:
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


__all__ = ["log_in_resident", "make_resident", "settings", "staff_with"]
