"""Every list page of cases answers in a fixed number of queries, however many cases it
shows: "Mijn dossiers" (first and next page), every back-office queue, the search, and
the resident's case page however long its timeline. An N+1 (a query per row) fails
here, long before it shows at the scale of a city."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.cases.constants import PartyKind, Queue
from loket.cases.models import Case
from loket.cases.services import case_assign, case_message_send, case_submit, case_transition
from loket.cases.tests.conftest import log_in_resident, make_resident, staff_with
from loket.cases.types import PartyRef

pytestmark = pytest.mark.django_db

KINDS = ("gezinssamenstelling", "bewonerskaart-parkeren", "zaalhuur", "evenementenvergunning")


def _file(person: Any, count: int, *, first: int = 0) -> list[Case]:
    cases = []
    for n in range(first, first + count):
        result = case_submit(
            actor=None,
            case_type_slug=KINDS[n % len(KINDS)],
            data={},
            party=PartyRef(
                kind=PartyKind.PERSON, id=person.pk, label=person.full_name, person_id=person.pk
            ),
            checked_by_form_engine=True,
        )
        cases.append(Case.objects.get(pk=result.case_id))
    return cases


def _queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response.content.decode()


STAFF_URLS = [f"/backoffice/dossiers/?wachtrij={queue}" for queue in Queue.values]


def test_list_pages_use_as_many_queries_for_twelve_cases_as_for_two(
    case_types: Any, departments: Any
) -> None:
    coordinator = staff_with(departments["burgerzaken"], "coordinator", first_name="Koen")
    leisure = staff_with(departments["vrije-tijd"], "coordinator", "handler", first_name="Olga")
    handlers = [
        staff_with(departments["burgerzaken"], "handler", first_name=name)
        for name in ("Hanne", "Bert")
    ]
    user, person = make_resident(last_name="Queryteller")
    resident = Client()
    log_in_resident(resident, user)
    staff = Client()
    log_in_staff(staff, coordinator)
    search = f"/backoffice/dossiers/?wachtrij=all&q={person.last_name}"
    urls = [*STAFF_URLS, search]
    _file(person, 2)
    for url in urls:  # warm the per-process caches (permissions, types) first
        staff.get(url)
    resident.get("/mijn-dossiers/")
    before = {url: _queries(staff, url)[0] for url in urls}
    resident_before, _page = _queries(resident, "/mijn-dossiers/")

    # Ten more: other types and departments, other assignees, other statuses.
    more = _file(person, 10, first=2)
    for n, case in enumerate(more):
        if case.department_id == departments["burgerzaken"].pk:
            case_assign(
                actor=coordinator,
                case_ids=[case.pk],
                assignee_id=handlers[n % 2].pk,
            )
            if n % 3 == 0:
                case_transition(
                    actor=handlers[n % 2], case_id=case.pk, transition="start",
                    expected_version=Case.objects.get(pk=case.pk).version,
                )  # fmt: skip
        elif case.department_id == departments["vrije-tijd"].pk:
            case_assign(actor=leisure, case_ids=[case.pk], assignee_id=leisure.pk)

    for url in urls:
        count, _body = _queries(staff, url)
        assert count <= before[url], f"{url}: {before[url]} queries for 2 cases, {count} for 12"
    count, body = _queries(resident, "/mijn-dossiers/")
    assert count <= resident_before
    assert body.count("/mijn-dossiers/20") >= 12
    _count, found = _queries(staff, search)
    assert found.count('name="case"') == Case.objects.filter(department__in=[
        departments["burgerzaken"]]).count()  # fmt: skip


def test_next_pages_cost_what_the_first_costs(case_types: Any, departments: Any) -> None:
    from loket.cases.constants import PAGE_SIZE, RESIDENT_PAGE_SIZE

    coordinator = staff_with(departments["burgerzaken"], "coordinator")
    user, person = make_resident()
    resident = Client()
    log_in_resident(resident, user)
    staff = Client()
    log_in_staff(staff, coordinator)
    # Enough for two resident pages; the staff page size is shrunk by the URL of page 2.
    _file(person, RESIDENT_PAGE_SIZE + 2)
    first_count, first = _queries(resident, "/mijn-dossiers/")
    assert "?na=" in first
    cursor = first.split("?na=", 1)[1].split('"', 1)[0].split("&", 1)[0]
    next_count, following = _queries(resident, f"/mijn-dossiers/?na={cursor}")
    assert next_count <= first_count
    assert following.count("/mijn-dossiers/20") >= 2
    assert PAGE_SIZE >= 1
    newest = Case.objects.order_by("-pk").first()
    assert newest is not None
    staff_first, _body = _queries(staff, "/backoffice/dossiers/?wachtrij=all")
    staff_next, _body = _queries(staff, f"/backoffice/dossiers/?wachtrij=all&na={newest.pk}")
    assert staff_next <= staff_first


def test_the_residents_case_page_does_not_grow_with_its_timeline(
    case_types: Any, departments: Any
) -> None:
    handler = staff_with(departments["burgerzaken"], "handler")
    user, person = make_resident()
    resident = Client()
    log_in_resident(resident, user)
    (case,) = _file(person, 1)
    url = f"/mijn-dossiers/{case.reference}/"
    resident.get(url)
    before, _body = _queries(resident, url)
    for n in range(8):
        case_message_send(actor=handler, case_id=case.pk, body=f"bericht {n}")
    after, body = _queries(resident, url)
    assert after <= before
    assert "bericht 7" in body
