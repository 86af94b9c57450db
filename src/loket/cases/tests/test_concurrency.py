"""Two staff members change one case at the same moment: one wins, the other gets a
clear refusal, and the case has exactly one change (real threads on PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from loket.cases.constants import PartyKind
from loket.cases.models import Case, TimelineEvent
from loket.cases.services import CaseChanged, case_submit, case_transition
from loket.cases.tests.conftest import make_resident, staff_with
from loket.cases.types import PartyRef
from loket.core.services import DomainError
from loket.core.tests.factories import OrganisationFactory, system_roles_ensure

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_staff_at_once_one_change(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads need PostgreSQL")
    from loket.cases.services import case_types_seed_demo
    from loket.core.selectors import department_list

    system_roles_ensure()  # the transactional flush removed the seeded roles
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    department = department_list().get(slug="burgerzaken")
    first, second = (staff_with(department, "handler") for _ in range(2))
    user, person = make_resident()
    result = case_submit(
        actor=user,
        case_type_slug="gezinssamenstelling",
        data={"doel": "school"},
        party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label="x", person_id=person.pk),
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor: Any, transition: str) -> None:
        try:
            barrier.wait()
            case_transition(
                actor=actor, case_id=result.case_id, transition=transition, expected_version=1
            )
            outcomes.append("ok")
        except CaseChanged:
            outcomes.append("changed")
        except DomainError as error:
            outcomes.append(f"refused: {error}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(first, "start")),
        threading.Thread(target=act, args=(second, "start")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["changed", "ok"]
    case = Case.objects.get(pk=result.case_id)
    assert case.version == 2
    assert TimelineEvent.objects.filter(case=case, kind="status").count() == 1
