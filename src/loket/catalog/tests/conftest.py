"""Fixtures of the catalogue tests: a department with a catalogue editor, services with
forms, and files whose content says what they are."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.catalog.constants import Channel, LoginLevel
from loket.catalog.models import FormDefinition, LifeEvent, Service, TargetGroup
from loket.core.tests.factories import DepartmentFactory, MembershipFactory

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b" " * 64
NOT_AN_IMAGE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64  # a Windows program

EVENT_FORM: dict[str, Any] = {
    "steps": [
        {
            "key": "event",
            "title": "Het evenement",
            "fields": [
                {
                    "key": "name",
                    "type": "text",
                    "label": "Naam",
                    "required": True,
                    "max_length": 50,
                },
                {
                    "key": "day",
                    "type": "date",
                    "label": "Datum",
                    "required": True,
                    "min": "today+1",
                },
                {
                    "key": "visitors",
                    "type": "number",
                    "label": "Bezoekers",
                    "required": True,
                    "min": 1,
                    "max": 5000,
                },
                {"key": "sound", "type": "yesno", "label": "Muziek?", "required": True},
                {
                    "key": "level",
                    "type": "choice",
                    "label": "Hoe luid?",
                    "required": True,
                    "show_if": {"sound": "yes"},
                    "options": [
                        {"value": "85", "label": "85 dB"},
                        {"value": "95", "label": "95 dB"},
                    ],
                },
                {"key": "closure", "type": "yesno", "label": "Straat dicht?", "required": True},
            ],
        },
        {
            "key": "traffic",
            "title": "Verkeer",
            "show_if": {"closure": "yes"},
            "fields": [
                {"key": "streets", "type": "textarea", "label": "Welke straten?", "required": True}
            ],
        },
        {
            "key": "plan",
            "title": "Plan",
            "fields": [
                {
                    "key": "site_plan",
                    "type": "file",
                    "label": "Inplantingsplan",
                    "required": True,
                    "max_size": 1024,
                    "allowed_types": ["application/pdf", "image/png"],
                },
                {
                    "key": "email",
                    "type": "email",
                    "label": "E-mail",
                    "required": True,
                    "prefill": "person.email",
                },
                {"key": "who", "type": "known", "label": "Naam", "prefill": "person.full_name"},
            ],
        },
    ]
}


def upload(
    content: bytes, name: str = "plan.png", content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def department(db: Any) -> Any:
    return DepartmentFactory(slug="vrije-tijd", name="Vrije tijd")


@pytest.fixture
def editor(department: Any) -> Any:
    """A functional administrator of the department: may edit its catalogue."""
    return MembershipFactory(department=department, role="administrator").user


@pytest.fixture
def handler(department: Any) -> Any:
    """A case handler of the same department: may not edit the catalogue."""
    return MembershipFactory(department=department, role="handler").user


@pytest.fixture
def editor_client(client: Client, editor: Any) -> Client:
    log_in_staff(client, editor)
    return client


def make_service(
    department: Any, *, slug: str = "evenementenvergunning", form: Any = None, **fields: Any
) -> Service:
    defaults: dict[str, Any] = {
        "identifier": f"urn:loket:service:{slug}",
        "title": "Evenementenvergunning",
        "summary": "Toestemming voor een evenement.",
        "description": "Organiseer je een fuif of markt? Vraag een vergunning.",
        "channels": [Channel.ONLINE, Channel.COUNTER],
        "login_level": LoginLevel.SUBSTANTIAL,
        "is_published": True,
    }
    defaults.update(fields)
    service = Service.objects.create(slug=slug, department=department, **defaults)
    if form is not None:
        FormDefinition.objects.create(
            service=service, version=1, definition=form, published_at=timezone.now()
        )
    return service


@pytest.fixture
def event_service(department: Any) -> Service:
    service = make_service(department, form=EVENT_FORM)
    event = LifeEvent.objects.create(
        slug="een-evenement-organiseren", name="Een evenement organiseren"
    )
    group = TargetGroup.objects.create(slug="verenigingen", name="Verenigingen")
    service.life_events.add(event)
    service.target_groups.add(group)
    return service
