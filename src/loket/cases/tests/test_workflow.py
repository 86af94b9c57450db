"""The workflow table: allowed and refused transitions, guards, actions, versions,
reference numbering, deadlines and notifications on a status change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from loket.cases import workflow
from loket.cases.constants import AdviceStatus, Channel, PartyKind, PaymentStatus, WaitsFor
from loket.cases.deadlines import add_working_days, deadline_for, is_working_day
from loket.cases.models import AdviceRequest, Case, CaseCounter, CaseData, TimelineEvent
from loket.cases.services import (
    CaseChanged,
    advice_answer,
    case_assign,
    case_info_provide,
    case_reopen,
    case_submit,
    case_transition,
    case_withdraw,
)
from loket.cases.tests.conftest import make_resident, staff_with
from loket.cases.types import PartyRef, ResidentScope
from loket.core.models import AuditEvent
from loket.core.services import DomainError

pytestmark = pytest.mark.django_db


def _party(person: Any) -> PartyRef:
    return PartyRef(kind=PartyKind.PERSON, id=person.pk, label=str(person), person_id=person.pk)


def _submit(user: Any, person: Any, slug: str = "gezinssamenstelling", **data: Any) -> Case:
    data = data or {"doel": "school"}
    result = case_submit(actor=user, case_type_slug=slug, data=data, party=_party(person))
    return Case.objects.get(pk=result.case_id)


def _scope(user: Any, person: Any) -> ResidentScope:
    return ResidentScope(user_id=user.pk, party_ids={"person": frozenset({person.pk})})


def test_household_composition_is_handled_step_by_step(case_types: Any, handler: Any) -> None:
    user, person = make_resident()
    case = _submit(user, person)
    assert case.status.key == "submitted"
    assert case.reference.startswith(f"{timezone.localdate().year}-")
    assert CaseData.objects.get(case=case).data == {"doel": "school", "remarks": ""}

    case = case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    assert case.status.key == "in-progress"
    assert case.version == 2
    # Approve needs an assignee (guard "assigned").
    with pytest.raises(DomainError, match="Assign the case"):
        case_transition(actor=handler, case_id=case.pk, transition="approve", expected_version=2)
    case_assign(actor=handler, case_ids=[case.pk], assignee_id=handler.pk)
    case.refresh_from_db()
    case = case_transition(
        actor=handler, case_id=case.pk, transition="approve", expected_version=case.version
    )
    assert case.status.key == "approved"
    assert not case.is_open
    assert case.closed_at is not None
    assert case.result == "Goedgekeurd"
    assert not case.document_issued  # no published template here: see test_documents.py
    kinds = list(
        TimelineEvent.objects.filter(case=case, public=True).values_list("kind", flat=True)
    )
    assert kinds == ["submitted", "status", "closed"]
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).count() >= 4


def test_a_transition_not_in_the_table_is_refused_and_nothing_changes(
    case_types: Any, handler: Any
) -> None:
    user, person = make_resident()
    case = _submit(user, person)
    with pytest.raises(DomainError, match="not possible"):
        case_transition(actor=handler, case_id=case.pk, transition="approve", expected_version=1)
    case.refresh_from_db()
    assert case.status.key == "submitted"
    assert case.version == 1


def test_staff_of_another_department_may_not_take_a_step(case_types: Any, departments: Any) -> None:
    other = staff_with(departments["vrije-tijd"], "handler")
    user, person = make_resident()
    case = _submit(user, person)
    with pytest.raises(DomainError, match="may not"):
        case_transition(actor=other, case_id=case.pk, transition="start", expected_version=1)


def test_a_stale_version_is_refused_and_the_first_change_stays(
    case_types: Any, handler: Any, departments: Any
) -> None:
    colleague = staff_with(departments["burgerzaken"], "handler")
    user, person = make_resident()
    case = _submit(user, person)
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    with pytest.raises(CaseChanged, match="changed in the meantime"):
        case_transition(actor=colleague, case_id=case.pk, transition="start", expected_version=1)
    with pytest.raises(CaseChanged):
        case_transition(actor=colleague, case_id=case.pk, transition="ask-info", expected_version=1)
    case.refresh_from_db()
    assert case.status.key == "in-progress"
    assert case.version == 2
    assert TimelineEvent.objects.filter(case=case, kind="status").count() == 1


def test_references_count_up_per_year(case_types: Any) -> None:
    user, person = make_resident()
    first = _submit(user, person)
    second = _submit(user, person)
    year = timezone.localdate().year
    number = int(first.reference.split("-")[1])
    assert second.reference == f"{year}-{number + 1:06d}"
    assert CaseCounter.objects.get(year=year).last == number + 1


def test_residence_certificate_completes_on_submission(case_types: Any) -> None:
    user, person = make_resident()
    case = _submit(user, person, slug="attest-van-woonst", purpose="bank")
    assert case.status.key == "delivered"
    assert not case.is_open
    assert not case.document_issued


def test_information_asked_and_added_makes_a_new_data_version(
    case_types: Any, handler: Any
) -> None:
    user, person = make_resident()
    case = _submit(user, person)
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    case = case_transition(
        actor=handler, case_id=case.pk, transition="ask-info", expected_version=2
    )
    assert case.waiting_for == WaitsFor.RESIDENT
    case = case_info_provide(
        actor=user,
        case_id=case.pk,
        expected_version=3,
        scope=_scope(user, person),
        data={"remarks": "for the school in Brugge"},
    )
    assert case.status.key == "in-progress"
    latest = CaseData.objects.filter(case=case).order_by("-version").first()
    assert latest is not None
    assert latest.version == 2
    assert latest.data["remarks"] == "for the school in Brugge"


def test_a_stranger_cannot_withdraw_someone_elses_request(case_types: Any) -> None:
    user, person = make_resident()
    stranger, other = make_resident()
    case = _submit(user, person)
    with pytest.raises(DomainError, match="does not exist"):
        case_withdraw(
            actor=stranger, case_id=case.pk, expected_version=1, scope=_scope(stranger, other)
        )
    case = case_withdraw(
        actor=user, case_id=case.pk, expected_version=1, scope=_scope(user, person)
    )
    assert case.status.key == "withdrawn"
    assert not case.is_open


def test_event_permit_collects_advice_of_three_departments(
    case_types: Any, departments: Any
) -> None:
    handler = staff_with(departments["vrije-tijd"], "handler")
    user, person = make_resident()
    case = _submit(
        user,
        person,
        slug="evenementenvergunning",
        naam_evenement="Zomerfeest",
        datum="2026-07-11",
        plaats="Marktplein",
        bezoekers="800",
    )
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    case_assign(actor=handler, case_ids=[case.pk], assignee_id=handler.pk)
    case.refresh_from_db()
    case = case_transition(
        actor=handler, case_id=case.pk, transition="ask-advice", expected_version=case.version
    )
    asked = AdviceRequest.objects.filter(case=case)
    assert sorted(a.department.slug for a in asked) == ["brandweer", "mobiliteit", "politie"]
    with pytest.raises(DomainError, match="advice"):
        case_transition(
            actor=handler, case_id=case.pk, transition="approve", expected_version=case.version
        )
    for advice in asked:
        adviser = staff_with(advice.department, "handler")
        advice_answer(actor=adviser, advice_id=advice.pk, answer="Positief advies.")
    assert not asked.filter(status=AdviceStatus.OPEN).exists()
    case = case_transition(
        actor=handler, case_id=case.pk, transition="approve", expected_version=case.version
    )
    assert case.status.key == "approved"
    assert case.result == "Vergunning verleend"


def test_payment_guard(case_types: Any, departments: Any) -> None:
    handler = staff_with(departments["vrije-tijd"], "handler")
    user, person = make_resident()
    case = _submit(
        user, person, slug="zaalhuur", room="Zaal Kouter", date="2026-05-01", purpose="Feest"
    )
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    case_assign(actor=handler, case_ids=[case.pk], assignee_id=handler.pk)
    case.refresh_from_db()
    with pytest.raises(DomainError, match="payment"):
        case_transition(
            actor=handler, case_id=case.pk, transition="approve", expected_version=case.version
        )
    case = case_transition(
        actor=handler, case_id=case.pk, transition="ask-payment", expected_version=case.version
    )
    assert case.payment_status == PaymentStatus.REQUESTED
    case = case_transition(
        actor=handler, case_id=case.pk, transition="payment-received", expected_version=case.version
    )
    case = case_transition(
        actor=handler, case_id=case.pk, transition="approve", expected_version=case.version
    )
    assert case.status.key == "approved"


def test_required_data_guard(case_types: Any, departments: Any) -> None:
    handler = staff_with(departments["vrije-tijd"], "handler")
    user, person = make_resident()
    case = _submit(
        user,
        person,
        slug="evenementenvergunning",
        naam_evenement="X",
        datum="2026-07-11",
        plaats="Markt",
        bezoekers="5",
    )
    CaseData.objects.filter(case=case).update(data={"naam_evenement": "X"})
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    with pytest.raises(DomainError, match="plaats"):
        case_transition(actor=handler, case_id=case.pk, transition="ask-advice", expected_version=2)


def test_anonymous_report_reopened_by_its_code(case_types: Any, departments: Any) -> None:
    handler = staff_with(departments["technische-dienst"], "handler")
    result = case_submit(
        actor=None,
        case_type_slug="melding-openbaar-domein",
        data={"location": "Kerkstraat 4", "description": "Straatlamp kapot"},
        party=None,
    )
    assert len(result.tracking_code) == 14
    case = Case.objects.get(pk=result.case_id)
    assert result.tracking_code not in case.tracking_code_hash
    case = case_transition(actor=handler, case_id=case.pk, transition="solve", expected_version=1)
    with pytest.raises(DomainError):
        case_reopen(
            actor=None,
            case_id=case.pk,
            expected_version=2,
            reason="nog altijd kapot",
            scope=ResidentScope(tracking_code="AAAA-BBBB-CCCC"),
        )
    case = case_reopen(
        actor=None,
        case_id=case.pk,
        expected_version=2,
        reason="Nog altijd kapot",
        scope=ResidentScope(tracking_code=result.tracking_code.lower()),
    )
    assert case.status.key == "submitted"
    assert case.is_open


def test_bulk_assignment_is_all_or_nothing(
    case_types: Any, coordinator: Any, handler: Any, departments: Any
) -> None:
    user, person = make_resident()
    mine = [_submit(user, person) for _ in range(3)]
    foreign = Case.objects.get(
        pk=case_submit(
            actor=user,
            case_type_slug="zaalhuur",
            data={"room": "A", "date": "2026-01-01", "purpose": "x"},
            party=_party(person),
        ).case_id
    )
    with pytest.raises(DomainError, match=foreign.reference):
        case_assign(
            actor=coordinator, case_ids=[c.pk for c in mine] + [foreign.pk], assignee_id=handler.pk
        )
    assert not Case.objects.filter(assignee=handler).exists()
    assert (
        case_assign(actor=coordinator, case_ids=[c.pk for c in mine], assignee_id=handler.pk) == 3
    )


def test_handler_takes_but_does_not_hand_out(
    case_types: Any, handler: Any, departments: Any
) -> None:
    colleague = staff_with(departments["burgerzaken"], "handler")
    user, person = make_resident()
    case = _submit(user, person)
    with pytest.raises(DomainError):
        case_assign(actor=handler, case_ids=[case.pk], assignee_id=colleague.pk)
    assert case_assign(actor=handler, case_ids=[case.pk], assignee_id=handler.pk) == 1


def test_online_channel_only_for_residents(case_types: Any) -> None:
    user, person = make_resident()
    with pytest.raises(DomainError, match="Only staff"):
        case_submit(
            actor=user,
            case_type_slug="gezinssamenstelling",
            data={"doel": "x"},
            party=_party(person),
            channel=Channel.COUNTER,
        )


def test_seeded_transitions_use_known_guards_and_actions(case_types: Any) -> None:
    from loket.cases.models import Transition

    assert Transition.objects.count() > 30
    for transition in Transition.objects.all():
        assert workflow.validate_keys(guards=transition.guards, actions=transition.actions) == []


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (dt.date(2026, 4, 3), 1, dt.date(2026, 4, 7)),  # Friday → over Easter Monday 6 April
        (dt.date(2026, 7, 20), 1, dt.date(2026, 7, 22)),  # Monday → over 21 July
        (dt.date(2026, 12, 24), 2, dt.date(2026, 12, 29)),  # over Christmas and the weekend
        (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 4)),  # New Year and a weekend
    ],
)
def test_working_days_skip_weekends_and_belgian_holidays(
    start: dt.date, days: int, expected: dt.date
) -> None:
    assert add_working_days(start, days) == expected
    assert deadline_for(start, days, "calendar") == start + dt.timedelta(days=days)


def test_holidays_are_not_working_days() -> None:
    assert not is_working_day(dt.date(2026, 7, 21))
    assert not is_working_day(dt.date(2026, 12, 25))
    assert is_working_day(dt.date(2026, 12, 28))


def test_reminders_once_a_day_for_information_asked(
    case_types: Any, handler: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from loket.cases.services import case_reminders_send
    from loket.notifications.models import Message

    user, person = make_resident()
    case = _submit(user, person)
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    case_transition(actor=handler, case_id=case.pk, transition="ask-info", expected_version=2)
    Case.objects.filter(pk=case.pk).update(
        waiting_since=timezone.now() - dt.timedelta(days=8), deadline=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert case_reminders_send() == 2  # one reminder, one deadline flag
    with django_capture_on_commit_callbacks(execute=True):
        case_reminders_send()
    assert (
        TimelineEvent.objects.filter(
            case=case, public=False, data__marker__startswith="deadline"
        ).count()
        == 1
    )
    assert Message.objects.filter(person_id=person.pk, event_key="case-reminder").count() == 1


def test_a_mandate_covers_only_its_services_and_is_in_the_audit_line(case_types: Any) -> None:
    user, _person = make_resident()
    _grantor_user, grantor = make_resident()
    narrow = PartyRef(
        kind=PartyKind.PERSON,
        id=grantor.pk,
        label="Grantor",
        person_id=grantor.pk,
        via="mandate",
        mandate_id=7,
        services=("zaalhuur",),
    )
    with pytest.raises(DomainError, match="mandate"):
        case_submit(
            actor=user, case_type_slug="gezinssamenstelling", data={"doel": "x"}, party=narrow
        )
    result = case_submit(
        actor=user,
        case_type_slug="zaalhuur",
        data={"room": "A", "date": "2026-01-01", "purpose": "x"},
        party=narrow,
    )
    line = AuditEvent.objects.get(
        object_type="cases.case", object_id=str(result.case_id), action="create"
    )
    assert line.subject_person_id == grantor.pk
    assert line.changes["on_behalf_of"]["id"] == grantor.pk
    assert line.changes["via"] == "mandate"
    assert line.changes["mandate"] == 7


def test_webhooks_hear_of_new_cases_and_status_changes(case_types: Any, handler: Any) -> None:
    from loket.webhooks.models import Delivery, Subscription

    Subscription.objects.create(
        name="Archive",
        url="https://archive.example/hook",
        secret="whsec_dGVzdA==",
        event_types=["be.loket.case.created", "be.loket.case.status_changed"],
        active=True,
        created_at=timezone.now(),
    )
    user, person = make_resident()
    case = _submit(user, person)
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    payloads = [d.payload for d in Delivery.objects.order_by("pk")]
    assert [p["type"] for p in payloads] == [
        "be.loket.case.created",
        "be.loket.case.status_changed",
    ]
    assert payloads[1]["data"]["status"] == "in-progress"
    assert str(person) not in str(payloads)  # no personal data


def test_the_buttons_follow_a_change_of_the_workflow(
    case_types: Any, handler: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from loket.cases.models import Transition

    user, person = make_resident()
    case = _submit(user, person)
    shown = [t.key for t in workflow.allowed_transitions(case=case, user=handler)]
    assert "start" in shown
    # Kept between pages: a change behind the configuration's back is not seen yet ...
    Transition.objects.filter(
        case_type=case.case_type, from_status=case.status, key="start"
    ).update(name="Renamed")
    assert "Renamed" not in [t.name for t in workflow.allowed_transitions(case=case, user=handler)]
    # ... one through the models (the configuration screens) is, once committed.
    start = Transition.objects.get(case_type=case.case_type, from_status=case.status, key="start")
    with django_capture_on_commit_callbacks(execute=True):
        start.delete()
    assert "start" not in [t.key for t in workflow.allowed_transitions(case=case, user=handler)]
    # Taking a step always reads the table itself.
    with pytest.raises(DomainError):
        case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
