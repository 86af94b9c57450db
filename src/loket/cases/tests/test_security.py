"""Regression tests of access rules: a mandate that ended or covers other services
gives no cases; the request form refuses a service a mandate does not cover before it
shows anyone's facts; "at the counter" only for the resident being served and "by post"
only in one's own department; a typed tracking code never lands in a URL."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.accounts.constants import SESSION_ACTING, SESSION_COUNTER
from loket.accounts.models import CounterVisit, Mandate
from loket.accounts.staff.tests.helpers import log_in_staff
from loket.cases.models import Case, CaseMessage
from loket.cases.services import case_submit, case_types_link_services
from loket.cases.tests.conftest import log_in_resident, make_resident, staff_with
from loket.cases.types import PartyRef
from loket.core.models import AuditEvent
from loket.people.models import Person

pytestmark = pytest.mark.django_db

HOUSEHOLD = "gezinssamenstelling"


def _file_for(actor: Any, person: Any, *, via: str = "self", mandate: Any = None) -> Any:
    party = PartyRef(
        kind="person",
        id=person.pk,
        label=person.full_name,
        person_id=person.pk,
        via=via,
        mandate_id=mandate.pk if mandate is not None else None,
    )
    return case_submit(actor=actor, case_type_slug=HOUSEHOLD, data={"doel": "x"}, party=party)


def _mandate(grantor: Any, mandatary: Any, *, services: list[str] | None = None) -> Mandate:
    return Mandate.objects.create(
        grantor=grantor,
        mandatary=mandatary,
        all_services=services is None,
        services=services or [],
        valid_from=timezone.localdate(),
    )


def _act_for(client: Client, grantor: Any, mandate: Mandate) -> None:
    session = client.session
    session[SESSION_ACTING] = {
        "kind": "person",
        "id": grantor.pk,
        "via": "mandate",
        "mandate_id": mandate.pk,
    }
    session.save()


# --- Finding: a mandate that ended still opened the cases filed under it ---------------


def test_a_revoked_mandate_no_longer_opens_the_cases_filed_under_it(case_types: Any) -> None:
    grantor_user, grantor = make_resident()
    user, mandatary = make_resident()
    mandate = _mandate(grantor, mandatary)
    for_grantor = _file_for(user, grantor, via="mandate", mandate=mandate)
    own = _file_for(user, mandatary)
    mandate.revoked_at = timezone.now()
    mandate.save()

    client = Client()
    log_in_resident(client, user)
    listing = client.get("/mijn-dossiers/").content.decode()
    assert own.reference in listing
    assert for_grantor.reference not in listing
    assert client.get(f"/mijn-dossiers/{for_grantor.reference}/").status_code == 404
    case = Case.objects.get(reference=for_grantor.reference)
    refused = client.post(
        f"/mijn-dossiers/{for_grantor.reference}/intrekken/",
        {"version": case.version, "reason": "bye"},
    )
    assert refused.status_code == 404
    refused = client.post(f"/mijn-dossiers/{for_grantor.reference}/bericht/", {"body": "hi"})
    assert refused.status_code == 404
    case.refresh_from_db()
    assert case.is_open
    assert case.version == 1
    assert not CaseMessage.objects.filter(case=case).exists()
    # The grantor still sees it.
    grantor_client = Client()
    log_in_resident(grantor_client, grantor_user)
    assert grantor_client.get(f"/mijn-dossiers/{for_grantor.reference}/").status_code == 200


def test_an_expired_mandate_no_longer_opens_the_cases_filed_under_it(case_types: Any) -> None:
    _grantor_user, grantor = make_resident()
    user, mandatary = make_resident()
    mandate = _mandate(grantor, mandatary)
    for_grantor = _file_for(user, grantor, via="mandate", mandate=mandate)
    Mandate.objects.filter(pk=mandate.pk).update(
        valid_from=timezone.localdate() - timedelta(days=10),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    client = Client()
    log_in_resident(client, user)
    _act_for(client, grantor, mandate)  # the session still says so: it is not valid
    assert for_grantor.reference not in client.get("/mijn-dossiers/").content.decode()
    assert client.get(f"/mijn-dossiers/{for_grantor.reference}/").status_code == 404


# --- Finding: a mandate for some services opened all the grantor's cases -------------


def test_a_mandate_for_other_services_opens_none_of_the_grantors_cases(case_types: Any) -> None:
    grantor_user, grantor = make_resident()
    user, mandatary = make_resident()
    filed = _file_for(grantor_user, grantor)
    own = _file_for(user, mandatary)
    mandate = _mandate(grantor, mandatary, services=["zaalhuur"])
    client = Client()
    log_in_resident(client, user)
    _act_for(client, grantor, mandate)
    listing = client.get("/mijn-dossiers/").content.decode()
    assert filed.reference not in listing
    assert own.reference in listing
    assert client.get(f"/mijn-dossiers/{filed.reference}/").status_code == 404
    refused = client.post(f"/mijn-dossiers/{filed.reference}/bericht/", {"body": "hi"})
    assert refused.status_code == 404
    assert not CaseMessage.objects.filter(case_id=filed.case_id).exists()


def test_a_mandate_for_that_service_opens_the_grantors_case(case_types: Any) -> None:
    grantor_user, grantor = make_resident()
    user, mandatary = make_resident()
    filed = _file_for(grantor_user, grantor)
    mandate = _mandate(grantor, mandatary, services=[HOUSEHOLD])
    client = Client()
    log_in_resident(client, user)
    _act_for(client, grantor, mandate)
    assert filed.reference in client.get("/mijn-dossiers/").content.decode()
    assert client.get(f"/mijn-dossiers/{filed.reference}/").status_code == 200


@pytest.fixture
def catalogue(case_types: Any) -> Any:
    from loket.catalog.demo import seed

    seed()
    case_types_link_services()
    return case_types


def test_the_form_refuses_a_service_the_mandate_does_not_cover(catalogue: Any) -> None:
    from loket.catalog.models import FormDraft

    _grantor_user, grantor = make_resident()
    user, mandatary = make_resident()
    mandate = _mandate(grantor, mandatary, services=["zaalhuur"])
    client = Client()
    log_in_resident(client, user)
    _act_for(client, grantor, mandate)
    page = client.get(f"/aanvragen/{HOUSEHOLD}/")
    assert page.status_code == 403
    body = page.content.decode()
    assert "does not cover this request" in body
    assert "We already know this" not in body
    posted = client.post(f"/aanvragen/{HOUSEHOLD}/", {"stap": "overzicht", "actie": "indienen"})
    assert posted.status_code == 403
    assert not Case.objects.exists()
    assert not FormDraft.objects.exists()


def test_a_form_without_visible_steps_says_so(
    catalogue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loket.catalog import selectors as catalog_selectors

    monkeypatch.setattr(catalog_selectors, "form_steps_visible", lambda **kwargs: [])
    user, _person = make_resident()
    client = Client()
    log_in_resident(client, user)
    page = client.get(f"/aanvragen/{HOUSEHOLD}/")
    assert page.status_code == 503
    assert "cannot be filled in online" in page.content.decode()


# --- Finding: "at the counter" without the card check, "by post" in any department ----


def _file_post(client: Client, **fields: str) -> Any:
    data = {"case_type": HOUSEHOLD, "step": "submit", "data-doel": "x", **fields}
    return client.post("/backoffice/dossiers/registreren/", data)


def test_counter_channel_needs_an_open_visit_for_that_resident(case_types: Any) -> None:
    _u, served = make_resident()
    _u2, other = make_resident()
    clerk = staff_with(case_types["burgerzaken"], "handler", "counter_clerk")
    client = Client()
    log_in_staff(client, clerk)
    other_number = Person.objects.get(pk=other.pk).national_number

    no_visit = _file_post(client, channel="counter", national_number=other_number)
    assert no_visit.status_code == 400
    assert not Case.objects.exists()

    visit = CounterVisit.objects.create(
        clerk=clerk, person=served, purpose="attest", started_at=timezone.now()
    )
    session = client.session
    session[SESSION_COUNTER] = visit.pk
    session.save()
    someone_else = _file_post(client, channel="counter", national_number=other_number)
    assert someone_else.status_code == 400
    assert "only file a request for the resident served" in someone_else.content.decode()
    assert not Case.objects.exists()

    done = _file_post(client, channel="counter", national_number="")
    assert done.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.person_id) == ("counter", served.pk)
    audit = AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk))
    assert audit.changes["via"] == "counter"
    assert audit.changes["on_behalf_of"]["id"] == served.pk


def test_filing_by_post_needs_cases_handle_in_the_departments_of_the_type(
    case_types: Any,
) -> None:
    _u, person = make_resident()
    number = Person.objects.get(pk=person.pk).national_number
    outsider = staff_with(case_types["communicatie"], "handler")
    client = Client()
    log_in_staff(client, outsider)
    for channel in ("post", "phone", "counter"):
        refused = _file_post(client, channel=channel, national_number=number)
        assert refused.status_code == 400
    # No answer about who is in the register either.
    unknown = _file_post(client, channel="post", national_number="00000000000")
    assert "No resident with this national number" not in unknown.content.decode()
    assert not Case.objects.exists()

    insider = staff_with(case_types["burgerzaken"], "handler")
    client = Client()
    log_in_staff(client, insider)
    done = _file_post(client, channel="post", national_number=number)
    assert done.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.person_id) == ("post", person.pk)
    audit = AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk))
    assert audit.changes["via"] == "staff"
    assert audit.changes["on_behalf_of"]["id"] == person.pk


def test_the_service_refuses_a_counter_channel_without_the_counter_party(
    case_types: Any,
) -> None:
    from loket.core.services import DomainError

    _u, person = make_resident()
    clerk = staff_with(case_types["burgerzaken"], "handler", "counter_clerk")
    with pytest.raises(DomainError):
        case_submit(
            actor=clerk,
            case_type_slug=HOUSEHOLD,
            data={"doel": "x"},
            party=PartyRef(kind="person", id=person.pk, label="x", person_id=person.pk),
            channel="counter",
        )
    assert not Case.objects.exists()


# --- Finding: the typed tracking code went into the URL ------------------------------


def _report(visitor: Client) -> str:
    sent = visitor.post("/melding/", {"location": "Kerkstraat 4", "description": "Lamp stuk"})
    done = visitor.get(sent["Location"]).content.decode()
    match = re.search(r'class="tracking-code">([A-Z0-9-]+)<', done)
    assert match is not None
    return match.group(1)


def test_a_typed_tracking_code_never_lands_in_a_url(case_types: Any) -> None:
    code = _report(Client())
    visitor = Client()
    form = visitor.get("/volg/")
    assert 'method="post"' in form.content.decode()
    # The old GET form no longer redirects the code into a URL.
    old = visitor.get("/volg/", {"code": code})
    assert old.status_code == 200
    found = visitor.post("/volg/", {"code": code})
    assert found.status_code == 302
    assert found["Location"] == "/volg/dossier/"
    page = visitor.get("/volg/dossier/")
    assert page.status_code == 200
    body = page.content.decode()
    assert code not in body
    assert 'action="/volg/dossier/bericht/"' in body
    sent = visitor.post("/volg/dossier/bericht/", {"body": "Still dark"})
    assert sent.status_code == 302
    assert sent["Location"] == "/volg/dossier/"
    assert CaseMessage.objects.filter(case=Case.objects.get()).count() == 1


def test_a_wrong_tracking_code_shows_nothing(case_types: Any) -> None:
    _report(Client())
    visitor = Client()
    wrong = visitor.post("/volg/", {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 404
    assert "No report with this tracking code" in wrong.content.decode()
    assert visitor.get("/volg/dossier/")["Location"] == "/volg/"
    refused = visitor.post("/volg/dossier/bericht/", {"body": "x"})
    assert refused.status_code == 302
    assert not CaseMessage.objects.exists()
