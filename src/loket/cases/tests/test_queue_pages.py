"""The work queues (a baked read, ADR 0020) show exactly the cases the rules allow:
checked against the rules written out in Python, for staff with every kind of reach,
every queue, the filters and the search, page by page."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from loket.cases.constants import Channel, Confidentiality, PartyKind, Queue, WaitsFor
from loket.cases.models import AdviceRequest, Case
from loket.cases.selectors import case_queue_page
from loket.cases.services import case_submit
from loket.cases.tests.conftest import make_resident, staff_with
from loket.cases.types import PartyRef
from loket.core.selectors import staff_department_ids, staff_has_permission
from loket.core.services import department_add_member
from loket.core.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PERM_VIEW, PERM_HANDLE = "cases.view", "cases.handle"
PERM_VIEW_ALL, PERM_SOCIAL = "cases.view_all", "people.view_social_file"


def _world(departments: dict[str, Any]) -> list[Case]:
    """Twenty-four cases spread over three departments, open and closed, assigned or
    not, some social, some overdue, some waiting, some with advice asked."""
    chosen = [departments[slug] for slug in ("burgerzaken", "vrije-tijd", "communicatie")]
    staff = [StaffFactory(first_name=f"S{i}") for i in range(2)]
    _user, person = make_resident()
    party = PartyRef(kind=PartyKind.PERSON, id=person.pk, label="Anna", person_id=person.pk)
    today = timezone.localdate()
    shuffle = random.Random(7)
    cases = []
    for i in range(24):
        result = case_submit(
            actor=None,
            case_type_slug="gezinssamenstelling",
            data={"doel": f"woord{i}"},
            party=party,
        )
        Case.objects.filter(pk=result.case_id).update(
            department=chosen[i % 3],
            is_open=i % 4 != 3,
            assignee=staff[i % 2] if i % 5 < 2 else None,
            confidentiality=Confidentiality.SOCIAL if i % 7 == 0 else Confidentiality.NORMAL,
            deadline=today + timedelta(days=shuffle.choice((-3, -1, 0, 2, 9))),
            waiting_for=WaitsFor.RESIDENT if i % 3 == 1 else WaitsFor.MUNICIPALITY,
            channel=Channel.COUNTER if i % 2 else Channel.ONLINE,
            search_text=f"woord{i} {'gemeenschappelijk' if i % 2 else 'apart'}",
        )
        if i % 6 == 2:
            AdviceRequest.objects.create(
                case_id=result.case_id,
                department=chosen[(i + 1) % 3],
                question="Wat denkt u?",
                status="open" if i % 12 == 2 else "answered",
                requested_at=timezone.now(),
            )
        cases.append(Case.objects.select_related("status", "case_type").get(pk=result.case_id))
    return cases


def _expected(user: Any, queue: str, filters: dict[str, Any], search: str, cases: list[Case]):
    """The rules, in Python."""
    handled = staff_department_ids(user=user, permission=PERM_HANDLE)
    viewed = set(staff_department_ids(user=user, permission=PERM_VIEW)) | set(handled)
    social = staff_department_ids(user=user, permission=PERM_SOCIAL)
    view_all = staff_has_permission(user=user, permission=PERM_VIEW_ALL)
    advice = list(AdviceRequest.objects.values_list("case_id", "department_id", "status"))
    advised = {case for case, department, _status in advice if department in handled}
    open_advice = {
        case for case, department, status in advice if department in handled and status == "open"
    }
    today = timezone.localdate()
    queues: dict[str, Any] = {
        Queue.MINE: lambda c: c.assignee_id == user.pk and c.is_open,
        Queue.UNASSIGNED: lambda c: (
            c.assignee_id is None and c.is_open and c.department_id in handled
        ),
        Queue.DEPARTMENTS: lambda c: c.is_open and c.department_id in viewed,
        Queue.OVERDUE: lambda c: c.is_open and c.deadline is not None and c.deadline < today,
        Queue.WAITING: lambda c: c.is_open and c.waiting_for == WaitsFor.RESIDENT,
        Queue.ADVICE: lambda c: c.pk in open_advice,
        Queue.ALL: lambda c: True,
    }
    found = []
    for case in sorted(cases, key=lambda c: -c.pk):  # newest first, as the queues
        visible = view_all or case.department_id in viewed or case.pk in advised
        if case.confidentiality == Confidentiality.SOCIAL and case.department_id not in social:
            visible = False
        if not visible or not queues[queue](case):
            continue
        if filters.get("status") and case.status.key != filters["status"]:
            continue
        if filters.get("department") and case.department_id != filters["department"]:
            continue
        if filters.get("channel") and case.channel != filters["channel"]:
            continue
        if filters.get("case_type") and case.case_type.slug != filters["case_type"]:
            continue
        if filters.get("deadline_before") and not (
            case.deadline is not None and case.deadline <= filters["deadline_before"]
        ):
            continue
        if search and search not in case.search_text.split() and search != case.reference:
            continue
        found.append(case.reference)
    return found


def _all_pages(user: Any, queue: str, filters: dict[str, Any], search: str) -> list[str]:
    references: list[str] = []
    after = None
    for _ in range(30):
        page = case_queue_page(
            user=user, queue=queue, filters=filters, search=search, after=after, limit=4
        )
        references += [row.reference for row in page.items]
        after = page.next_cursor
        if after is None:
            return references
    raise AssertionError("the pages never ended")


def test_every_queue_shows_what_the_rules_allow(departments: Any) -> None:
    cases = _world(departments)
    burgerzaken, vrije_tijd = departments["burgerzaken"], departments["vrije-tijd"]
    users = {
        "handler": staff_with(burgerzaken, "handler"),
        "two departments": staff_with(burgerzaken, "handler"),
        "social worker": staff_with(vrije_tijd, "social_worker"),
        "coordinator": staff_with(vrije_tijd, "coordinator"),
        "council": staff_with(departments["communicatie"], "council_member"),
        "superuser": StaffFactory(is_superuser=True),
    }
    department_add_member(
        actor=None, department=vrije_tijd, user=users["two departments"], role="handler"
    )
    Case.objects.filter(pk__in=[c.pk for c in cases[:6]]).update(assignee=users["handler"])
    cases = [Case.objects.select_related("status", "case_type").get(pk=c.pk) for c in cases]
    filter_sets: list[dict[str, Any]] = [
        {},
        {"department": vrije_tijd.pk},
        {"channel": Channel.COUNTER, "status": cases[0].status.key},
        {"case_type": "gezinssamenstelling"},
        {"deadline_before": timezone.localdate()},
    ]
    searches = ["", "gemeenschappelijk", "woord5", cases[4].reference]
    checked = 0
    for (name, user), queue, filters in itertools.product(users.items(), Queue, filter_sets):
        for search in searches if queue == Queue.ALL else [""]:
            expected = _expected(user, queue, filters, search, cases)
            got = _all_pages(user, queue, filters, search)
            assert got == expected, (name, queue, filters, search)
            checked += bool(expected)
    assert checked > 60  # most combinations show some cases
