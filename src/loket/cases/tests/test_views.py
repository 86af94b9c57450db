"""Portal and back-office pages: the household-composition request end to end, the
anonymous report followed with its code, queues without N+1, stale forms, and the
resident hearing about a status change (e-mail/inbox, or a letter)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.cases.models import AdviceRequest, Case, CaseMessage, InternalNote, TimelineEvent
from loket.cases.tests.conftest import log_in_resident, make_resident, staff_with
from loket.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _staff_client(user: Any) -> Client:
    client = Client()
    log_in_staff(client, user)
    return client


def _resident_client(user: Any) -> Client:
    client = Client()
    log_in_resident(client, user)
    return client


def _request_household(client: Client) -> Case:
    page = client.get("/aanvragen/gezinssamenstelling/")
    assert page.status_code == 200
    assert "You ask this for" in page.content.decode()
    summary = client.post("/aanvragen/gezinssamenstelling/", {"step": "summary", "doel": "school"})
    assert summary.status_code == 200
    assert "Check your request" in summary.content.decode()
    done = client.post("/aanvragen/gezinssamenstelling/", {"step": "submit", "doel": "school"})
    assert done.status_code == 302
    case = Case.objects.get()
    assert done["Location"] == f"/aanvragen/ingediend/{case.reference}/"
    assert case.reference in client.get(done["Location"]).content.decode()
    return case


def test_resident_requests_handler_processes_resident_follows(
    case_types: Any, handler: Any
) -> None:
    user, person = make_resident()
    resident = _resident_client(user)
    case = _request_household(resident)
    assert case.person_id == person.pk
    assert case.channel == "online"

    staff = _staff_client(handler)
    page = staff.get(f"/backoffice/dossiers/{case.reference}/")
    assert page.status_code == 200
    assert 'value="start"' in page.content.decode()
    assert AuditEvent.objects.filter(subject_person_id=person.pk, action="view").count() == 1
    staff.get(f"/backoffice/dossiers/{case.reference}/")
    assert AuditEvent.objects.filter(subject_person_id=person.pk, action="view").count() == 1

    response = staff.post(
        f"/backoffice/dossiers/{case.reference}/stap/",
        {"transition": "start", "version": 1, "note": ""},
    )
    assert response.status_code == 302
    staff.post(
        f"/backoffice/dossiers/{case.reference}/toewijzen/", {"assignee": handler.pk, "version": 2}
    )
    staff.post(f"/backoffice/dossiers/{case.reference}/notitie/", {"text": "Checked the register."})
    staff.post(f"/backoffice/dossiers/{case.reference}/bericht/", {"body": "We are on it."})

    mine = resident.get(f"/mijn-dossiers/{case.reference}/").content.decode()
    assert "In behandeling" in mine
    assert "We are on it." in mine
    assert "Checked the register." not in mine  # internal notes stay internal
    assert "Assigned to" not in mine

    resident.post(f"/mijn-dossiers/{case.reference}/bericht/", {"body": "Thank you!"})
    assert CaseMessage.objects.filter(case=case, from_resident=True).count() == 1
    case.refresh_from_db()
    response = staff.post(
        f"/backoffice/dossiers/{case.reference}/stap/",
        {"transition": "approve", "version": case.version, "note": ""},
    )
    assert response.status_code == 302
    listing = resident.get("/mijn-dossiers/").content.decode()
    assert "Goedgekeurd" in listing
    assert case.reference in listing


def test_a_stale_form_keeps_the_case_and_says_so(
    case_types: Any, handler: Any, departments: Any
) -> None:
    colleague = staff_with(departments["burgerzaken"], "handler")
    user, _person = make_resident()
    case = _request_household(_resident_client(user))
    first, second = _staff_client(handler), _staff_client(colleague)
    assert (
        first.post(
            f"/backoffice/dossiers/{case.reference}/stap/", {"transition": "start", "version": 1}
        ).status_code
        == 302
    )
    late = second.post(
        f"/backoffice/dossiers/{case.reference}/stap/",
        {"transition": "start", "version": 1, "note": "my explanation"},
    )
    assert late.status_code == 409
    body = late.content.decode()
    assert "changed in the meantime" in body
    assert "my explanation" in body  # what was typed is kept
    case.refresh_from_db()
    assert case.version == 2


def test_other_departments_and_residents_get_404(case_types: Any, departments: Any) -> None:
    user, _person = make_resident()
    case = _request_household(_resident_client(user))
    outsider = staff_with(departments["vrije-tijd"], "handler")
    assert _staff_client(outsider).get(f"/backoffice/dossiers/{case.reference}/").status_code == 404
    stranger, _ = make_resident()
    assert _resident_client(stranger).get(f"/mijn-dossiers/{case.reference}/").status_code == 404
    council = staff_with(
        departments["secretariaat"]
        if "secretariaat" in departments
        else departments["communicatie"],
        "council_member",
    )
    page = _staff_client(council).get(f"/backoffice/dossiers/{case.reference}/")
    assert page.status_code == 200
    assert "you cannot change it" in page.content.decode()


def test_anonymous_report_is_followed_with_its_code(case_types: Any, departments: Any) -> None:
    visitor = Client()
    page = visitor.get("/melding/")
    assert page.status_code == 200
    missing = visitor.post("/melding/", {"location": "", "description": ""})
    assert missing.status_code == 400
    sent = visitor.post("/melding/", {"location": "Kerkstraat 4", "description": "Lamp stuk"})
    assert sent.status_code == 302
    done = visitor.get(sent["Location"]).content.decode()
    match = re.search(r'class="tracking-code">([A-Z0-9-]+)<', done)
    assert match is not None
    code = match.group(1)
    case = Case.objects.get()
    assert case.party_kind == "anonymous"
    assert case.tracking_code_hash
    follow = Client().get(f"/volg/{code}/")
    assert follow.status_code == 200
    assert "Ontvangen" in follow.content.decode()
    assert Client().get("/volg/AAAA-BBBB-CCCC/").status_code == 404

    handler = staff_with(departments["technische-dienst"], "handler")
    _staff_client(handler).post(
        f"/backoffice/dossiers/{case.reference}/stap/", {"transition": "solve", "version": 1}
    )
    reopened = Client().post(f"/volg/{code}/heropenen/", {"version": 2, "reason": "Still broken"})
    assert reopened.status_code == 302
    case.refresh_from_db()
    assert case.is_open
    assert case.status.key == "submitted"


def test_anonymous_reports_are_rate_limited(case_types: Any) -> None:
    visitor = Client()
    for _ in range(5):
        assert visitor.post("/melding/", {"location": "x", "description": "y"}).status_code == 302
    assert visitor.post("/melding/", {"location": "x", "description": "y"}).status_code == 429
    assert Case.objects.count() == 5


def test_queues_do_not_grow_queries_with_cases(
    case_types: Any, coordinator: Any, django_assert_max_num_queries: Any
) -> None:
    user, _person = make_resident()
    resident = _resident_client(user)
    for _ in range(3):
        _request_household(resident) if not Case.objects.exists() else resident.post(
            "/aanvragen/gezinssamenstelling/", {"step": "submit", "doel": "x"}
        )
    staff = _staff_client(coordinator)
    staff.get("/backoffice/dossiers/")
    with django_assert_max_num_queries(14):
        page = staff.get("/backoffice/dossiers/?wachtrij=unassigned")
    assert page.status_code == 200
    assert page.content.decode().count('name="case"') == 3
    for _ in range(10):
        resident.post("/aanvragen/gezinssamenstelling/", {"step": "submit", "doel": "x"})
    with django_assert_max_num_queries(14):
        staff.get("/backoffice/dossiers/?wachtrij=unassigned")
    with django_assert_max_num_queries(12):
        listing = resident.get("/mijn-dossiers/")
    assert listing.content.decode().count("/mijn-dossiers/20") == 13
    assert case_types  # fixture used


def test_queue_search_filters_and_bulk_assign(
    case_types: Any, coordinator: Any, handler: Any
) -> None:
    user, _person = make_resident()
    resident = _resident_client(user)
    for _ in range(3):
        resident.post("/aanvragen/gezinssamenstelling/", {"step": "submit", "doel": "x"})
    cases = list(Case.objects.order_by("pk"))
    staff = _staff_client(coordinator)
    found = staff.get(
        "/backoffice/dossiers/", {"q": cases[1].reference, "wachtrij": "all"}
    ).content.decode()
    assert cases[1].reference in found
    assert cases[0].reference not in found
    other = staff.get(
        "/backoffice/dossiers/", {"department": case_types["vrije-tijd"].pk, "wachtrij": "all"}
    )
    assert cases[0].reference not in other.content.decode()
    same = staff.get(
        "/backoffice/dossiers/",
        {
            "department": cases[0].department_id,
            "type": "gezinssamenstelling",
            "channel": "online",
            "wachtrij": "all",
        },
    ).content.decode()
    assert all(c.reference in same for c in cases)
    response = staff.post(
        "/backoffice/dossiers/toewijzen/",
        {"case": [c.pk for c in cases[:2]], "assignee": handler.pk},
    )
    assert response.status_code == 302
    assert Case.objects.filter(assignee=handler).count() == 2
    mine = _staff_client(handler).get("/backoffice/dossiers/?wachtrij=mine").content.decode()
    assert cases[0].reference in mine
    assert cases[2].reference not in mine


def test_advice_is_asked_and_answered_in_the_back_office(case_types: Any, departments: Any) -> None:
    handler = staff_with(departments["vrije-tijd"], "handler")
    user, _person = make_resident()
    resident = _resident_client(user)
    resident.post(
        "/aanvragen/evenementenvergunning/",
        {
            "step": "submit",
            "naam_evenement": "Feest",
            "datum": "2026-07-11",
            "plaats": "Markt",
            "bezoekers": "300",
        },
    )
    case = Case.objects.get()
    staff = _staff_client(handler)
    staff.post(
        f"/backoffice/dossiers/{case.reference}/stap/", {"transition": "start", "version": 1}
    )
    staff.post(
        f"/backoffice/dossiers/{case.reference}/stap/", {"transition": "ask-advice", "version": 2}
    )
    police = staff_with(departments["politie"], "handler")
    police_client = _staff_client(police)
    queue = police_client.get("/backoffice/dossiers/?wachtrij=advice").content.decode()
    assert case.reference in queue
    page = police_client.get(f"/backoffice/dossiers/{case.reference}/")
    assert page.status_code == 200
    advice = AdviceRequest.objects.get(case=case, department=departments["politie"])
    police_client.post(
        f"/backoffice/dossiers/advies/{advice.pk}/", {"answer": "OK", "dossier": case.reference}
    )
    advice.refresh_from_db()
    assert advice.status == "answered"
    police_client.post(f"/backoffice/dossiers/{case.reference}/notitie/", {"text": "Two patrols."})
    assert InternalNote.objects.filter(case=case).count() == 1


def test_staff_records_a_paper_request(case_types: Any, handler: Any) -> None:
    from loket.people.models import Person

    _user, person = make_resident()
    number = Person.objects.get(pk=person.pk).national_number
    staff = _staff_client(handler)
    assert (
        staff.get("/backoffice/dossiers/registreren/?soort=gezinssamenstelling").status_code == 200
    )
    response = staff.post(
        "/backoffice/dossiers/registreren/",
        {
            "case_type": "gezinssamenstelling",
            "step": "submit",
            "channel": "post",
            "national_number": number,
            "data-doel": "pension",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.channel == "post"
    assert case.person_id == person.pk


def test_status_change_reaches_the_resident(
    case_types: Any, handler: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from loket.notifications.models import InboxMessage, Message

    user, person = make_resident()
    paper_user, paper_person = make_resident(prefers_paper=True)
    staff = _staff_client(handler)
    for who in (user, paper_user):
        _resident_client(who).post(
            "/aanvragen/gezinssamenstelling/", {"step": "submit", "doel": "x"}
        )
    for case in Case.objects.all():
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(
                f"/backoffice/dossiers/{case.reference}/stap/",
                {"transition": "start", "version": 1},
            )
    sent = Message.objects.filter(event_key="case-status-changed")
    assert sent.filter(person_id=person.pk).exists()
    assert (
        InboxMessage.objects.filter(person_id=person.pk).exists()
        or sent.filter(person_id=person.pk, channel="inbox").exists()
    )
    assert sent.filter(person_id=paper_person.pk, channel="letter").exists()
    assert not sent.filter(status="parked").exists()
    for case in Case.objects.all():
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(
                f"/backoffice/dossiers/{case.reference}/stap/",
                {"transition": "ask-info", "version": 2},
            )
            staff.post(f"/backoffice/dossiers/{case.reference}/bericht/", {"body": "Which school?"})
    for event in ("case-info-requested", "case-message"):
        assert (
            Message.objects.filter(event_key=event, person_id=person.pk)
            .exclude(status="parked")
            .exists()
        ), event
    assert TimelineEvent.objects.filter(kind="status").count() == 4


def test_counter_clerk_files_for_the_resident_being_served(
    case_types: Any, departments: Any
) -> None:
    from django.utils import timezone

    from loket.accounts.constants import SESSION_COUNTER
    from loket.accounts.models import CounterVisit

    clerk = staff_with(departments["burgerzaken"], "counter_clerk")
    _user, person = make_resident()
    visit = CounterVisit.objects.create(
        clerk=clerk,
        person_id=person.pk,
        department_name="Burgerzaken",
        purpose="attest",
        started_at=timezone.now(),
    )
    client = _staff_client(clerk)
    session = client.session
    session[SESSION_COUNTER] = visit.pk
    session.save()
    page = client.get("/backoffice/dossiers/registreren/?soort=gezinssamenstelling")
    assert page.status_code == 200
    assert "You are serving" in page.content.decode()
    response = client.post(
        "/backoffice/dossiers/registreren/",
        {
            "case_type": "gezinssamenstelling",
            "step": "submit",
            "channel": "counter",
            "national_number": "",
            "data-doel": "school",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "counter"
    assert case.person_id == person.pk
    assert case.initiator_id == clerk.pk
    line = AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk), action="create")
    assert line.changes["via"] == "counter"


def test_my_cases_need_a_resident_login(case_types: Any) -> None:
    response = Client().get("/mijn-dossiers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/aanmelden/")
    user, _person = make_resident()
    low = Client()
    log_in_resident(low, user, level=400)
    step_up = low.get("/mijn-dossiers/")
    assert step_up.status_code == 302
    assert "level=450" in step_up["Location"]
