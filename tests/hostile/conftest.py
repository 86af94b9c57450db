"""Fixtures of the hostile-input tests: a resident logged in, and a service whose
catalogue form asks one question of every kind, filled in through the real request
wizard (``/aanvragen/<slug>/``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from loket.accounts.tests.acting_helpers import log_in_resident
from loket.core.tests.factories import OrganisationFactory
from loket.people.tests.factories import AddressFactory, PersonFactory

SLUG = "vijandige-aanvraag"
FIELDS_STEP = "gegevens"
FILE_STEP = "bijlage"

# One question of every kind the engine validates from typed input.
HOSTILE_FORM: dict[str, Any] = {
    "steps": [
        {
            "key": FIELDS_STEP,
            "title": "Gegevens",
            "fields": [
                {"key": "name", "type": "text", "label": "Name", "required": True},
                {"key": "story", "type": "textarea", "label": "Story", "required": False},
                {
                    "key": "visitors",
                    "type": "number",
                    "label": "Visitors",
                    "required": True,
                    "min": 1,
                    "max": 5000,
                },
                {"key": "count", "type": "number", "label": "Count", "required": False},
                {"key": "day", "type": "date", "label": "Day", "required": True},
                {"key": "mail", "type": "email", "label": "E-mail", "required": True},
                {"key": "phone", "type": "phone", "label": "Phone", "required": False},
                {"key": "where", "type": "address", "label": "Address", "required": False},
                {
                    "key": "co",
                    "type": "person",
                    "label": "Co-applicant",
                    "required": False,
                    "max_items": 1,
                },
            ],
        },
        {
            "key": FILE_STEP,
            "title": "Bijlage",
            "fields": [
                {
                    "key": "plan",
                    "type": "file",
                    "label": "Plan",
                    "required": True,
                    "max_size": 64 * 1024,
                    "allowed_types": [
                        "application/pdf",
                        "image/png",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    ],
                }
            ],
        },
    ]
}


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
def hostile_service(db: Any) -> Any:
    """A published service with ``HOSTILE_FORM``, linked to a demo case type."""
    from loket.cases.models import CaseType
    from loket.cases.services import case_types_seed_demo
    from loket.catalog.models import FormDefinition
    from loket.catalog.tests.conftest import make_service
    from loket.core.models import Department

    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    department = Department.objects.get(slug="burgerzaken")
    service = make_service(department, slug=SLUG, login_level=400)
    FormDefinition.objects.filter(service=service).delete()
    FormDefinition.objects.create(
        service=service, version=1, definition=HOSTILE_FORM, published_at=timezone.now()
    )
    case_type = CaseType.objects.get(slug="gezinssamenstelling")
    case_type.service = service
    case_type.save(update_fields=["service"])
    return service


@pytest.fixture
def resident(db: Any) -> Any:
    return PersonFactory(first_name="Sarah", last_name="Peeters", address=AddressFactory())


@pytest.fixture
def resident_client(resident: Any) -> Client:
    client = Client()
    log_in_resident(client, resident)
    return client


def wizard_url() -> str:
    return f"/aanvragen/{SLUG}/"


def form_version(client: Client, step: str = FIELDS_STEP) -> str:
    page = client.get(f"{wizard_url()}?stap={step}")
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="form_version" value="(\d+)"', page.content.decode())
    assert found is not None
    return found.group(1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    """Uploaded files go to a folder of this test only."""
    settings.MEDIA_ROOT = tmp_path / "media"
