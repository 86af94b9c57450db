"""The case page's baked reads (ADR 0020) give exactly what the query sets give: the
resident's case look-up for every shape of scope, the timeline, messages and data."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

from loket.cases import selectors
from loket.cases.constants import PartyKind
from loket.cases.models import Case, CaseData, CaseMessage, TimelineEvent
from loket.cases.services import case_message_send, case_submit
from loket.cases.tests.conftest import make_resident
from loket.cases.types import PartyRef, ResidentScope

pytestmark = pytest.mark.django_db


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _submit(user: Any, party: PartyRef, slug: str = "gezinssamenstelling") -> Case:
    result = case_submit(actor=user, case_type_slug=slug, data={"doel": "school"}, party=party)
    return Case.objects.get(pk=result.case_id)


def test_case_look_up_agrees_with_the_filter_for_every_scope(case_types: Any) -> None:
    anna, anna_person = make_resident()
    bert, bert_person = make_resident()
    child = make_resident()[1]
    own = PartyRef(kind=PartyKind.PERSON, id=anna_person.pk, label="Anna", person_id=anna_person.pk)
    for_child = PartyRef(kind=PartyKind.PERSON, id=child.pk, label="Kind", person_id=child.pk)
    company = PartyRef(kind=PartyKind.COMPANY, id=77, label="Bakkerij", person_id=bert_person.pk)
    bert_own = PartyRef(kind=PartyKind.PERSON, id=bert_person.pk, label="Bert", person_id=None)
    cases = [
        _submit(anna, own),
        _submit(anna, for_child),
        _submit(bert, company),
        _submit(bert, bert_own),
        _submit(bert, own),  # Bert filed for Anna (a mandate)
    ]
    people = [anna_person.pk, bert_person.pk, child.pk, 999_999]
    scopes = [ResidentScope(), ResidentScope(user_id=anna.pk)]
    for user, own_person in itertools.product((anna.pk, bert.pk, None), (*people[:2], None)):
        for persons in ((), (people[0],), (people[1], people[2]), tuple(people)):
            for companies in ((), (77,), (77, 78)):
                for services in (None, (), ("gezinssamenstelling",), ("x", "y")):
                    party_ids = {}
                    if persons:
                        party_ids[PartyKind.PERSON] = frozenset(persons)
                    if companies:
                        party_ids[PartyKind.COMPANY] = frozenset(companies)
                    scopes.append(
                        ResidentScope(
                            user_id=user,
                            own_person_id=own_person,
                            party_ids=party_ids,
                            services=services,
                        )
                    )
    seen = 0
    for scope in scopes:
        # "Mijn dossiers", page by page (two cases a page), as the query set gives it.
        after = None
        for _ in range(4):
            expected_page = selectors._page(
                Case.objects.filter(selectors._resident_filter(scope)),
                after=after,
                limit=2,
                fields=selectors._RESIDENT_ROW_FIELDS,
            )
            page = selectors.case_page_for_resident(scope=scope, after=after, limit=2)
            assert page == expected_page, scope
            after = page.next_cursor
            if after is None:
                break
        for case in cases:
            expected = (
                Case.objects.filter(selectors._resident_filter(scope), reference=case.reference)
                .select_related("case_type", "status", "department")
                .first()
            )
            got = selectors.case_get_for_resident(scope=scope, reference=case.reference)
            assert (got is None) == (expected is None), (scope, case.reference)
            if got is not None:
                seen += 1
                assert _fields(got) == _fields(expected)
                assert _fields(got.status) == _fields(expected.status)
                assert _fields(got.case_type) == _fields(expected.case_type)
                assert _fields(got.department) == _fields(expected.department)
    assert seen > 100  # the scopes above do reach cases, not only refuse them


def test_timeline_messages_and_data_equal_the_query_sets(case_types: Any) -> None:
    user, person = make_resident()
    party = PartyRef(kind=PartyKind.PERSON, id=person.pk, label="Anna", person_id=person.pk)
    case = _submit(user, party)
    scope = ResidentScope(user_id=user.pk, party_ids={PartyKind.PERSON: frozenset({person.pk})})
    case_message_send(actor=user, case_id=case.pk, body="Hallo <b>daar</b>", scope=scope)
    TimelineEvent.objects.create(
        case=case, at=timezone.now(), kind="note", public=False, text="intern", data={"a": 1}
    )
    CaseData.objects.create(
        case=case, version=2, data={"doel": "werk"}, form_version="v2", created_at=timezone.now()
    )

    public = selectors.case_timeline(case=case, public_only=True)
    everything = selectors.case_timeline(case=case, public_only=False)
    assert [_fields(e) for e in everything] == [
        _fields(e) for e in TimelineEvent.objects.filter(case=case).order_by("at", "pk")
    ]
    assert [e.pk for e in public] == [e.pk for e in everything if e.public]
    assert len(public) < len(everything)
    assert [_fields(m) for m in selectors.case_messages(case=case)] == [
        _fields(m) for m in CaseMessage.objects.filter(case=case).order_by("at", "pk")
    ]
    latest = selectors.case_data_latest(case=case)
    assert latest is not None
    assert latest.version == 2
    assert latest.data == {"doel": "werk"}
    other = _submit(user, party)
    assert [e.case_id for e in selectors.case_timeline(case=other, public_only=False)] == [
        other.pk
    ] * TimelineEvent.objects.filter(case=other).count()


def test_staff_case_reads_equal_the_query_sets(case_types: Any, handler: Any) -> None:
    from loket.cases.models import AdviceRequest, InternalNote
    from loket.cases.services import advice_answer, advice_request, case_assign, case_note_add
    from loket.cases.tests.conftest import staff_with
    from loket.payments.models import Order
    from loket.payments.selectors import orders_for_case

    user, person = make_resident()
    party = PartyRef(kind=PartyKind.PERSON, id=person.pk, label="Anna", person_id=person.pk)
    case = _submit(user, party)

    def same_case() -> None:
        got = selectors.case_get(reference=case.reference)
        expected = (
            Case.objects.select_related("case_type", "status", "department", "assignee")
            .filter(reference=case.reference)
            .first()
        )
        assert got is not None
        assert _fields(got) == _fields(expected)
        assert got.assignee == expected.assignee  # None first, then the handler
        assert _fields(got.department) == _fields(expected.department)

    same_case()
    case_assign(actor=handler, case_ids=[case.pk], assignee_id=handler.pk)
    same_case()
    assert selectors.case_get(reference="2000-999999") is None

    case_note_add(actor=handler, case_id=case.pk, text="Eerst bellen")
    assert [_fields(n) for n in selectors.case_notes(case=case)] == [
        _fields(n) for n in InternalNote.objects.filter(case=case).order_by("at", "pk")
    ]

    others = [d for slug, d in case_types.items() if d.pk != case.department_id][:2]
    asked = advice_request(
        actor=handler, case_id=case.pk, department_ids=[d.pk for d in others], question="Advies?"
    )
    advisor = staff_with(others[0], "handler")
    advice_answer(actor=advisor, advice_id=asked[0].pk, answer="Gunstig")
    got = selectors.advice_for_case(case=case)
    expected = list(
        AdviceRequest.objects.filter(case=case)
        .select_related("department__organisation", "answered_by")
        .order_by("requested_at", "pk")
    )
    assert [_fields(a) for a in got] == [_fields(a) for a in expected]
    assert [a.answered_by for a in got] == [advisor, None]
    assert [_fields(a.department.organisation) for a in got] == [
        _fields(a.department.organisation) for a in expected
    ]
    assert orders_for_case(case_id=case.pk) == [] == list(Order.objects.filter(case_id=case.pk))
