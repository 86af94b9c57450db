"""The object-level access matrix: one resident's dossier, document, inbox message,
mandate and order, asked for by everyone who might try.

Actors: the owner; another resident; a mandate holder acting under a mandate that
covers the dossier's service and documents; one acting under a mandate for another
service; one whose mandate was revoked while acting; a handler of the dossier's
department; a handler of another department; a council member. Each URL says who may
open it. Everyone else is refused (403, 404 or the login page), the refusal shows
neither the owner's name nor the dossier's reference, and the database is the same
after every refused GET and POST as before."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from loket.accounts.services import mandate_grant, mandate_revoke
from loket.accounts.staff.tests.helpers import log_in_staff
from loket.accounts.tests.acting_helpers import log_in_resident
from loket.core.models import Department
from loket.core.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
)
from loket.people.tests.factories import AddressFactory, PersonFactory

pytestmark = pytest.mark.django_db

OWNER = "owner"
OTHER = "another resident"
MANDATE = "mandate holder (right scope)"
MANDATE_OTHER = "mandate holder (other service)"
REVOKED = "mandate holder (revoked)"
STAFF = "handler of the department"
STAFF_OTHER = "handler of another department"
COUNCIL = "council member"
ACTORS = (OWNER, OTHER, MANDATE, MANDATE_OTHER, REVOKED, STAFF, STAFF_OTHER, COUNCIL)
LOGIN_PATHS = ("/aanmelden/", "/backoffice/aanmelden/")
SERVICE = "gezinssamenstelling"
OTHER_SERVICE = "evenementenvergunning"
# Rows that change nothing when read, or that are only read here.
VOLATILE = {"sessions.session", "accounts.loginsession"}
# What only the objects themselves show: the dossier's answer, the document's title, the
# message's subject, the order's description.
MARKERS = ("Zwemschool-Q7", "Besluit-Q7DOC", "Onderwerp-Q7MSG", "Bestelling-Q7ORD")
# Acting for the owner shows her name in the banner: for them, her name is no secret.
ACTING_FOR_OWNER = {MANDATE, MANDATE_OTHER}


@dataclass(frozen=True)
class Row:
    url: Callable[[dict[str, Any]], str]
    allowed: frozenset[str]
    post: bool = False  # refused actors also POST it
    shows: str = ""  # a key of the world whose value an allowed actor's page shows


ROWS: dict[str, Row] = {
    "dossier (portal)": Row(
        lambda w: f"/mijn-dossiers/{w['reference']}/",
        frozenset({OWNER, MANDATE}),
        shows="reference",
    ),
    "dossier action (portal)": Row(
        lambda w: f"/mijn-dossiers/{w['reference']}/intrekken/",
        frozenset({OWNER, MANDATE}),
        post=True,
    ),
    "dossier (back office)": Row(
        lambda w: f"/backoffice/dossiers/{w['reference']}/",
        frozenset({STAFF, COUNCIL}),
        shows="owner",
    ),
    "dossier step (back office)": Row(
        lambda w: f"/backoffice/dossiers/{w['reference']}/afsluiten/",
        frozenset({STAFF}),
        post=True,
    ),
    "document (portal)": Row(
        lambda w: f"/mijn-documenten/{w['code']}/", frozenset({OWNER, MANDATE})
    ),
    "document (back office)": Row(
        lambda w: f"/backoffice/documenten/{w['document_id']}/", frozenset({STAFF}), shows="title"
    ),
    "document revoke (back office)": Row(
        lambda w: f"/backoffice/documenten/{w['document_id']}/intrekken/",
        frozenset({STAFF}),
        post=True,
    ),
    "inbox message": Row(
        lambda w: f"/mijn-berichten/{w['message_id']}/", frozenset({OWNER}), shows="subject"
    ),
    "mandate (revoke page)": Row(
        lambda w: f"/volmachten/{w['mandate_id']}/intrekken/",
        frozenset({OWNER, MANDATE}),
        post=True,
    ),
    "order (portal)": Row(
        lambda w: f"/betalen/bestelling/{w['order']}/", frozenset({OWNER, MANDATE}), shows="order"
    ),
    "order pay (portal)": Row(
        lambda w: f"/betalen/bestelling/{w['order']}/betalen/",
        frozenset({OWNER, MANDATE}),
        post=True,
    ),
}


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE or model._meta.proxy or not model._meta.managed:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        for row in model._base_manager.order_by("pk").values_list(*fields):
            digest.update(label.encode())
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _act_under(client: Client, grantor: Any, mandate_id: int) -> None:
    response = client.post("/namens/", {"party": f"mandate:person:{grantor.pk}:{mandate_id}"})
    assert response.status_code == 302, response.status_code


def _mandate(owner: Any, holder: Any, services: list[str] | None) -> Any:
    return mandate_grant(
        actor=None,
        grantor_id=owner.pk,
        mandatary_national_number=holder.national_number,
        mandatary_last_name=holder.last_name,
        valid_from=date.today(),  # noqa: DTZ011 (a calendar day)
        all_services=services is None,
        services=services or (),
    )


def _document(owner: Any, case: Any) -> Any:
    from loket.documents.constants import DocumentKind
    from loket.documents.models import Document

    code = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(12))
    document = Document(
        code=code,
        template_key="decision-letter",
        template_version=1,
        kind=DocumentKind.LETTER,
        language="en",
        title=MARKERS[1],
        person=owner,
        case_id=case.pk,
        department=case.department,
        sha256=secrets.token_hex(32),
        size=9,
        pages=1,
        issued_at=timezone.now(),
        issuer_name="Stad",
        sealed_by="test",
    )
    document.file.save(f"{code}.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    document.save()
    return document


def _order(owner: Any, case: Any) -> str | None:
    try:
        from loket.payments.services import order_create
        from loket.payments.types import OrderLineInput

        order = order_create(
            lines=[OrderLineInput(description=MARKERS[3], unit_cents=500)],
            description=MARKERS[3],
            organisation_id=case.department.organisation_id,
            department_id=case.department_id,
            person_id=owner.pk,
            case_id=case.pk,
            case_reference=case.reference,
            service_slug=SERVICE,
        )
    except Exception:  # the payments module changed: its own tests say how
        return None
    return str(order.reference)


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    from loket.cases.constants import PartyKind
    from loket.cases.models import Case
    from loket.cases.services import case_submit, case_types_link_services, case_types_seed_demo
    from loket.cases.types import PartyRef
    from loket.catalog.demo import seed
    from loket.notifications.models import InboxMessage

    organisation = OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    seed()
    case_types_link_services()
    burgerzaken = Department.objects.get(slug="burgerzaken")
    elsewhere = DepartmentFactory(organisation=organisation, name="Sport", slug="sport-x")
    owner = PersonFactory(first_name="Griet", last_name="Vanderplancke", address=AddressFactory())
    result = case_submit(
        actor=None,
        case_type_slug=SERVICE,
        data={"doel": MARKERS[0]},
        party=PartyRef(kind=PartyKind.PERSON, id=owner.pk, label=str(owner), person_id=owner.pk),
    )
    case = Case.objects.get(pk=result.case_id)
    document = _document(owner, case)
    message = InboxMessage.objects.create(
        person=owner,
        idempotency_key=f"matrix-{owner.pk}",
        event_key="case-message",
        subject=MARKERS[2],
        body=f"Over dossier {case.reference}",
        created_at=timezone.now(),
    )
    holders = {
        actor: PersonFactory(address=AddressFactory())
        for actor in (MANDATE, MANDATE_OTHER, REVOKED)
    }
    right = _mandate(owner, holders[MANDATE], [SERVICE, "documenten"])
    other_scope = _mandate(owner, holders[MANDATE_OTHER], [OTHER_SERVICE])
    revoked = _mandate(owner, holders[REVOKED], None)
    clients = {actor: Client() for actor in ACTORS}
    log_in_resident(clients[OWNER], owner)
    log_in_resident(clients[OTHER], PersonFactory(address=AddressFactory()))
    for actor, mandate in ((MANDATE, right), (MANDATE_OTHER, other_scope), (REVOKED, revoked)):
        log_in_resident(clients[actor], holders[actor])
        _act_under(clients[actor], owner, mandate.id)
    mandate_revoke(actor=None, person_id=owner.pk, mandate_id=revoked.id)
    clients[REVOKED].get("/")  # the session learns the mandate ended (an audit line)
    for actor, department, role in (
        (STAFF, burgerzaken, "handler"),
        (STAFF_OTHER, elsewhere, "handler"),
        (COUNCIL, elsewhere, "council_member"),
    ):
        user = StaffFactory()
        MembershipFactory(user=user, department=department, role=role)
        log_in_staff(clients[actor], user)
    return {
        "clients": clients,
        "owner": owner.last_name,
        "reference": case.reference,
        "mandatary": holders[MANDATE].last_name,
        "code": document.code,
        "title": MARKERS[1],
        "subject": MARKERS[2],
        "document_id": document.pk,
        "message_id": message.pk,
        "mandate_id": right.id,
        "order": _order(owner, case),
    }


def _refused(response: Any, method: str) -> bool:
    if response.status_code in (403, 404) or (method == "get" and response.status_code == 405):
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and location.startswith(LOGIN_PATHS)


def test_the_world_has_every_object(world: dict[str, Any]) -> None:
    assert world["order"] is not None, "no order could be made: check the payments module"


def test_object_access_matrix(world: dict[str, Any]) -> None:
    problems: list[str] = []
    rows = {n: r for n, r in ROWS.items() if world["order"] is not None or "order" not in n}
    # Allowed reads first: they may write (an audit line for a staff read, "read").
    for name, row in rows.items():
        url = row.url(world)
        for actor in sorted(row.allowed):
            response = world["clients"][actor].get(url)
            if response.status_code != 200 and not row.post:
                problems.append(f"{name}: {actor} should open {url}, got {response.status_code}")
            elif row.shows and str(world[row.shows]) not in response.content.decode():
                problems.append(f"{name}: {actor} opens {url} but it does not show {row.shows}")
            elif response.status_code >= 400 and row.post and response.status_code != 405:
                problems.append(f"{name}: {actor} should reach {url}, got {response.status_code}")
    before = _fingerprint()
    for name, row in rows.items():
        url = row.url(world)
        for actor in ACTORS:
            if actor in row.allowed:
                continue
            client = world["clients"][actor]
            for method in ("get", "post") if row.post else ("get",):
                response = getattr(client, method)(url, {"reden": "x", "reason": "x"})
                if not _refused(response, method):
                    problems.append(
                        f"{name}: {actor} {method.upper()} {url} should be refused, "
                        f"got {response.status_code} {response.get('Location', '')}"
                    )
                    continue
                # The reference is in the URL, which an error page may repeat.
                body = response.content.decode(errors="replace").replace(url, "")
                secrets_ = [*MARKERS, world["reference"], world["mandatary"]]
                if actor not in ACTING_FOR_OWNER:
                    secrets_.append(world["owner"])
                leaked = [s for s in secrets_ if s in body]
                if leaked:
                    problems.append(f"{name}: {actor} {method.upper()} refused but shows {leaked}")
    if _fingerprint() != before:
        problems.append("a refused request changed the database")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
