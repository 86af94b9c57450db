"""The object-level access matrix: one resident's dossier (with its internal notes and
the advice asked of two other departments), document, inbox message, mandate, order,
the print batch her letter sits in and her file in the back office, asked for by
everyone who might try.

Actors: the owner; another resident; a mandate holder acting under a mandate that
covers the dossier's service and documents; one acting under a mandate for another
service; one whose mandate was revoked while acting; a handler of the dossier's
department; a handler of another department; a council member; handlers of the two
departments asked for advice; a social worker; an administrator of the dossier's
department; the mail room (communication cell); finance; a head of another
department. Each URL says who may open it. Everyone else is refused (403, 404 or the
login page), the refusal shows neither the owner's name nor the dossier's reference,
and the database is the same after every refused GET and POST as before."""

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
ADVISOR = "handler of the department asked for advice"
ADVISOR_2 = "handler of a second department asked for advice"
SOCIAL = "social worker"
ADMIN = "administrator of the department"
MAILROOM = "mail room (communication)"
FINANCE = "finance"
HEAD_OTHER = "head of another department"
ACTORS = (
    OWNER,
    OTHER,
    MANDATE,
    MANDATE_OTHER,
    REVOKED,
    STAFF,
    STAFF_OTHER,
    COUNCIL,
    ADVISOR,
    ADVISOR_2,
    SOCIAL,
    ADMIN,
    MAILROOM,
    FINANCE,
    HEAD_OTHER,
)
RESIDENTS = (OWNER, OTHER, MANDATE, MANDATE_OTHER, REVOKED)
LOGIN_PATHS = ("/aanmelden/", "/backoffice/aanmelden/")
SERVICE = "gezinssamenstelling"
OTHER_SERVICE = "evenementenvergunning"
# Rows that change nothing when read, or that are only read here.
VOLATILE = {"sessions.session", "accounts.loginsession"}
# What only the objects themselves show: the dossier's answer, the document's title, the
# message's subject, the order's description, the internal note, the two advice
# questions and the second department's answer, the print batch's reference.
MARKERS = (
    "Zwemschool-Q7",
    "Besluit-Q7DOC",
    "Onderwerp-Q7MSG",
    "Bestelling-Q7ORD",
    "Notitie-Q7NOTE",
    "Vraag-Q7ADVA",
    "Vraag-Q7ADVB",
    "Antwoord-Q7ADVB",
    "Drukwerk-Q7PB",
)
NOTE, QUESTION, QUESTION_2, ANSWER_2, BATCH = MARKERS[4:]
# Acting for the owner shows her name in the banner: for them, her name is no secret.
ACTING_FOR_OWNER = {MANDATE, MANDATE_OTHER}


@dataclass(frozen=True)
class Row:
    url: Callable[[dict[str, Any]], str]
    allowed: frozenset[str]
    post: bool = False  # refused actors also POST it
    shows: str = ""  # a key of the world whose value an allowed actor's page shows
    data: tuple[tuple[str, str], ...] = ()  # a POST that would pass the form
    # Actors who may read the page the action sits on but may not act: their POST is
    # also refused with one of ``refused_with`` (that page with a form error, or a
    # redirect back to it with a message); it may show what they may read anyway.
    readers: frozenset[str] = frozenset()
    refused_with: tuple[int, ...] = (400,)


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
        frozenset({STAFF, COUNCIL, ADVISOR, ADVISOR_2, ADMIN}),
        shows="owner",
    ),
    "dossier step (back office)": Row(
        lambda w: f"/backoffice/dossiers/{w['reference']}/afsluiten/",
        frozenset({STAFF, ADMIN}),
        post=True,
    ),
    "internal note (back office)": Row(
        lambda w: f"/backoffice/dossiers/{w['reference']}/notitie/",
        frozenset({STAFF, ADMIN, ADVISOR, ADVISOR_2}),
        post=True,
        data=(("text", "x"),),
        readers=frozenset({COUNCIL}),
    ),
    "advice answer (back office)": Row(
        lambda w: f"/backoffice/dossiers/advies/{w['advice_id']}/",
        frozenset({ADVISOR}),
        post=True,
        data=(("answer", "x"),),
        refused_with=(302,),
        # Staff who may enter the cases section are sent back with a message instead of
        # a 404 (test_advice_answer_of_another_department_is_a_404 pins the hole); the
        # advice stays open, which the fingerprint checks.
        readers=frozenset(ACTORS) - {*RESIDENTS, MAILROOM, FINANCE},
    ),
    "document (portal)": Row(
        lambda w: f"/mijn-documenten/{w['code']}/", frozenset({OWNER, MANDATE})
    ),
    "document (back office)": Row(
        lambda w: f"/backoffice/documenten/{w['document_id']}/",
        frozenset({STAFF, ADMIN}),
        shows="title",
    ),
    "document revoke (back office)": Row(
        lambda w: f"/backoffice/documenten/{w['document_id']}/intrekken/",
        frozenset({STAFF, ADMIN}),
        post=True,
    ),
    "print batch (back office)": Row(
        lambda w: f"/backoffice/documenten/drukwerk/{w['batch_id']}/",
        frozenset({ADMIN, MAILROOM}),
        shows="batch",
    ),
    "print batch PDF (back office)": Row(
        lambda w: f"/backoffice/documenten/drukwerk/{w['batch_id']}/pdf/",
        frozenset({ADMIN, MAILROOM}),
    ),
    "print batch step (back office)": Row(
        lambda w: f"/backoffice/documenten/drukwerk/{w['batch_id']}/printed/",
        frozenset({ADMIN, MAILROOM}),
        post=True,
    ),
    "resident file (back office)": Row(
        lambda w: f"/backoffice/inwoners/{w['person_id']}/",
        # people.view in any department, with a purpose the resident reads.
        frozenset({STAFF, STAFF_OTHER, ADVISOR, ADVISOR_2, SOCIAL, ADMIN, HEAD_OTHER}),
        post=True,
        shows="owner",
        data=(("purpose", "case"),),
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
    # payments.view of the department; finance (payments.all_departments) everywhere.
    "order (back office)": Row(
        lambda w: f"/backoffice/betalingen/{w['order_id']}/",
        frozenset({STAFF, ADMIN, FINANCE}),
        shows="order",
    ),
    "order payment link (back office)": Row(
        lambda w: f"/backoffice/betalingen/{w['order_id']}/betaallink/",
        frozenset({STAFF, ADMIN, FINANCE}),
        post=True,
    ),
    "order refund (back office)": Row(
        lambda w: f"/backoffice/betalingen/{w['order_id']}/terugbetalen/",
        frozenset({ADMIN, FINANCE}),
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


def _order(owner: Any, case: Any) -> Any:
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
    return order


def _print_batch(owner: Any) -> Any:
    """The print run her letter sits in: its cover list names her."""
    from loket.documents.models import PrintBatch, PrintedLetter

    batch = PrintBatch(reference=BATCH, created_at=timezone.now(), letter_count=1, page_count=1)
    batch.file.save("batch.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    batch.save()
    PrintedLetter.objects.create(
        batch=batch,
        letter_id=1,
        message_id=1,
        position=1,
        recipient_name=f"{owner.first_name} {owner.last_name}",
        postcode="9000",
        first_page=1,
        pages=1,
    )
    return batch


def _advice_and_note(case: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The handler writes an internal note and asks two departments for advice (one
    question each); the second department answers."""
    from loket.cases.services import advice_answer, advice_request, case_note_add

    case_note_add(actor=users[STAFF], case_id=case.pk, text=NOTE)
    asked = {}
    for actor, question in ((ADVISOR, QUESTION), (ADVISOR_2, QUESTION_2)):
        department = users[actor].memberships.get().department_id
        (asked[actor],) = advice_request(
            actor=users[STAFF], case_id=case.pk, department_ids=[department], question=question
        )
    advice_answer(actor=users[ADVISOR_2], advice_id=asked[ADVISOR_2].pk, answer=ANSWER_2)
    return {"advice_id": asked[ADVISOR].pk, "advice_2_id": asked[ADVISOR_2].pk}


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
    advising, advising_2, social, finance, mail_room = (
        DepartmentFactory(organisation=organisation, name=name, slug=f"{slug}-x")
        for name, slug in (
            ("Welzijn", "welzijn"),
            ("Jeugd", "jeugd"),
            ("Sociale dienst", "sociale-dienst"),
            ("Financiën", "financien"),
            ("Communicatie", "communicatie"),
        )
    )
    users: dict[str, Any] = {}
    for actor, department, role in (
        (STAFF, burgerzaken, "handler"),
        (STAFF_OTHER, elsewhere, "handler"),
        (COUNCIL, elsewhere, "council_member"),
        (ADVISOR, advising, "handler"),
        (ADVISOR_2, advising_2, "handler"),
        (SOCIAL, social, "social_worker"),
        (ADMIN, burgerzaken, "administrator"),
        (MAILROOM, mail_room, "communication"),
        (FINANCE, finance, "finance"),
        (HEAD_OTHER, elsewhere, "head"),
    ):
        users[actor] = StaffFactory()
        MembershipFactory(user=users[actor], department=department, role=role)
        log_in_staff(clients[actor], users[actor])
    order = _order(owner, case)
    return {
        "clients": clients,
        "users": users,
        "case_id": case.pk,
        "person_id": owner.pk,
        "order_id": order.id if order is not None else None,
        "batch_id": _print_batch(owner).pk,
        "batch": BATCH,
        **_advice_and_note(case, users),
        "owner": owner.last_name,
        "reference": case.reference,
        "mandatary": holders[MANDATE].last_name,
        "code": document.code,
        "title": MARKERS[1],
        "subject": MARKERS[2],
        "document_id": document.pk,
        "message_id": message.pk,
        "mandate_id": right.id,
        "order": str(order.reference) if order is not None else None,
    }


def _refused(response: Any, method: str) -> bool:
    if response.status_code in (403, 404) or (method == "get" and response.status_code == 405):
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and location.startswith(LOGIN_PATHS)


def test_the_world_has_every_object(world: dict[str, Any]) -> None:
    assert world["order"] is not None, "no order could be made: check the payments module"


def _check(world: dict[str, Any], rows: dict[str, Row]) -> list[str]:
    """Every allowed actor opens each row; every other actor is refused, sees none of
    the owner's secrets, and the database is the same afterwards."""
    problems: list[str] = []
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
                data = {"reden": "x", "reason": "x"}
                if method == "post" and row.data:  # a form that would pass
                    data |= {**dict(row.data), "dossier": world["reference"]}
                response = getattr(client, method)(url, data)
                reader = actor in row.readers and method == "post"
                if reader and response.status_code in row.refused_with:
                    continue  # the page they may read, or a redirect back to it
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
    return problems


def test_object_access_matrix(world: dict[str, Any]) -> None:
    rows = {n: r for n, r in ROWS.items() if world["order"] is not None or "order" not in n}
    problems = _check(world, rows)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_internal_notes_and_advice_stay_off_every_resident_page(world: dict[str, Any]) -> None:
    """The owner and a mandate holder see the dossier, but never its internal note nor
    the advice asked and given (there is no printable view of a dossier)."""
    reference = world["reference"]
    pages = [
        "/mijn-dossiers/",
        f"/mijn-dossiers/{reference}/",
        f"/aanvragen/ingediend/{reference}/",
        "/mijn-berichten/",
        f"/mijn-berichten/{world['message_id']}/",
        "/mijn-documenten/",
        "/mijn-gegevens/wie-bekeek/",
        f"/betalen/bestelling/{world['order']}/",
    ]
    internal = (NOTE, QUESTION, QUESTION_2, ANSWER_2, BATCH)
    problems = []
    for actor in (OWNER, MANDATE):
        opened = 0
        for url in pages:
            response = world["clients"][actor].get(url, follow=True)
            body = response.content.decode(errors="replace")
            opened += reference in body
            problems += [f"{actor} {url} shows {s}" for s in internal if s in body]
        assert opened >= 2, f"{actor} does not reach the dossier's pages"
    assert not problems, problems


def test_an_advising_department_reads_only_its_own_request(world: dict[str, Any]) -> None:
    """The handling department sees both questions and the answer; a department asked
    for advice sees its own question and the form to answer it; a department not
    asked gets a 404 that names nothing."""
    clients, url = world["clients"], f"/backoffice/dossiers/{world['reference']}/"
    handling = clients[STAFF].get(url).content.decode()
    assert all(s in handling for s in (NOTE, QUESTION, QUESTION_2, ANSWER_2))
    advising = clients[ADVISOR].get(url).content.decode()
    assert QUESTION in advising
    assert f"/backoffice/dossiers/advies/{world['advice_id']}/" in advising
    assert f"/backoffice/dossiers/advies/{world['advice_2_id']}/" not in advising
    for actor in (STAFF_OTHER, HEAD_OTHER, SOCIAL, MAILROOM, FINANCE):
        response = clients[actor].get(url)
        assert response.status_code == 404, (actor, response.status_code)
        body = response.content.decode()
        assert not [s for s in (NOTE, QUESTION, ANSWER_2, world["owner"]) if s in body]


def test_an_advising_department_does_not_read_another_departments_advice(
    world: dict[str, Any],
) -> None:
    advising = world["clients"][ADVISOR].get(f"/backoffice/dossiers/{world['reference']}/")
    body = advising.content.decode()
    assert QUESTION in body
    assert QUESTION_2 not in body
    assert ANSWER_2 not in body


def test_advice_answer_of_another_department_is_a_404(world: dict[str, Any]) -> None:
    url = f"/backoffice/dossiers/advies/{world['advice_id']}/"
    before = _fingerprint()
    statuses = {
        actor: world["clients"][actor]
        .post(url, {"answer": "x", "dossier": world["reference"]})
        .status_code
        for actor in (ADVISOR_2, STAFF_OTHER, STAFF)
    }
    assert _fingerprint() == before
    assert statuses == dict.fromkeys(statuses, 404), statuses


def test_only_a_social_worker_sees_the_social_file(world: dict[str, Any]) -> None:
    url = f"/backoffice/inwoners/{world['person_id']}/"
    for actor, sees in ((SOCIAL, True), (ADMIN, False), (STAFF, False), (HEAD_OTHER, False)):
        response = world["clients"][actor].post(url, {"purpose": "case"})
        body = response.content.decode()
        assert response.status_code == 200, (actor, response.status_code)
        assert world["owner"] in body
        assert ('id="social-title"' in body) is sees, actor


def test_a_payment_link_opens_its_own_order_only(world: dict[str, Any]) -> None:
    """A link token shows its order and nothing of another; an unknown token and a
    token replaced by a newer link are a 404 that names nothing."""
    from loket.payments.services import order_create, payment_link_create
    from loket.payments.types import OrderLineInput

    if world["order_id"] is None:
        pytest.skip("no order could be made: test_the_world_has_every_object says why")
    stranger = PersonFactory(address=AddressFactory())
    other = order_create(
        lines=[OrderLineInput(description="Andere-Q7", unit_cents=700)],
        description="Andere-Q7",
        organisation_id=Department.objects.get(slug="burgerzaken").organisation_id,
        department_id=Department.objects.get(slug="burgerzaken").pk,
        person_id=stranger.pk,
    )
    staff = world["users"][STAFF]
    old = payment_link_create(order_id=world["order_id"], actor=staff).split("/betalen/", 1)[1]
    payment_link_create(order_id=world["order_id"], actor=staff)  # replaces the old link
    theirs = payment_link_create(order_id=other.id, actor=staff).split("/betalen/", 1)[1]
    anonymous = Client()
    page = anonymous.get(f"/betalen/{theirs}").content.decode()
    assert "Andere-Q7" in page
    assert MARKERS[3] not in page
    assert world["owner"] not in page
    assert world["order"] not in page
    before = _fingerprint()
    for token in (old, f"{theirs[:-2]}xx/", "x" * 43 + "/"):
        for response in (
            anonymous.get(f"/betalen/{token}"),
            anonymous.post(f"/betalen/{token}betalen/"),
            world["clients"][OWNER].get(f"/betalen/{token}"),
        ):
            assert response.status_code == 404, (token, response.status_code)
            body = response.content.decode()
            assert not [s for s in (MARKERS[3], "Andere-Q7", world["owner"]) if s in body]
    assert _fingerprint() == before


def test_the_advice_queue_lists_the_dossier_for_the_asked_departments_only(
    world: dict[str, Any],
) -> None:
    """Open advice only: the second department has answered already."""
    reference, clients = world["reference"], world["clients"]
    for actor, listed in (
        (ADVISOR, True),
        (ADVISOR_2, False),
        (STAFF_OTHER, False),
        (HEAD_OTHER, False),
        (SOCIAL, False),
    ):
        response = clients[actor].get("/backoffice/dossiers/", {"wachtrij": "advice"})
        assert response.status_code == 200, (actor, response.status_code)
        body = response.content.decode()
        assert (reference in body) is listed, actor
        if not listed:
            assert not [s for s in (world["owner"], NOTE, QUESTION, QUESTION_2) if s in body]
