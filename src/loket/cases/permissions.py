"""Who may see and change which case.

Staff: ``cases.view`` (or ``cases.handle``) in the case's department, or ``cases.view_all``
(council, college: read only). Cases of confidentiality "social" need the social-file
permission as well. An advice department sees the cases it was asked about. Residents:
the cases they filed for themselves and those of the party they may act for today
(within the services a mandate covers). Anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from loket.cases.constants import (
    PERM_ASSIGN,
    PERM_COUNTER,
    PERM_HANDLE,
    PERM_SOCIAL,
    PERM_VIEW,
    PERM_VIEW_ALL,
    Confidentiality,
)
from loket.cases.models import Case
from loket.core.selectors import staff_department_ids, staff_has_permission


def _is_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def may_enter_cases(user: Any) -> bool:
    """Does the back office's cases section exist for this user at all?"""
    if not _is_staff(user):
        return False
    return any(
        staff_has_permission(user=user, permission=code)
        for code in (PERM_VIEW, PERM_HANDLE, PERM_VIEW_ALL)
    )


def _social_ok(user: Any, case: Case) -> bool:
    if case.confidentiality != Confidentiality.SOCIAL:
        return True
    return staff_has_permission(user=user, permission=PERM_SOCIAL, department_id=case.department_id)


def advice_department_ids(user: Any) -> frozenset[int]:
    """Departments whose advice requests this user may answer."""
    return staff_department_ids(user=user, permission=PERM_HANDLE)


def can_view_case(user: Any, case: Case, *, advice_departments: set[int] | None = None) -> bool:
    if not _is_staff(user):
        return False
    if not _social_ok(user, case):
        return False
    if staff_has_permission(user=user, permission=PERM_VIEW_ALL):
        return True
    for code in (PERM_VIEW, PERM_HANDLE):
        if staff_has_permission(user=user, permission=code, department_id=case.department_id):
            return True
    return bool(advice_departments)


def can_handle_case(user: Any, case: Case) -> bool:
    return _social_ok(user, case) and staff_has_permission(
        user=user, permission=PERM_HANDLE, department_id=case.department_id
    )


def can_assign_case(user: Any, case: Case) -> bool:
    return _social_ok(user, case) and staff_has_permission(
        user=user, permission=PERM_ASSIGN, department_id=case.department_id
    )


def can_serve_counter(user: Any) -> bool:
    return _is_staff(user) and (
        staff_has_permission(user=user, permission=PERM_COUNTER)
        or staff_has_permission(user=user, permission=PERM_HANDLE)
    )


def can_answer_advice(user: Any, department_id: int) -> bool:
    return staff_has_permission(user=user, permission=PERM_HANDLE, department_id=department_id)


def access_case_for_staff(user: Any, case: Case | None, *, asked_departments: set[int]) -> Case:
    """The case if this staff member may see it, else 404 (never say it exists)."""
    if case is None:
        raise Http404
    mine = asked_departments & set(advice_department_ids(user)) if asked_departments else set()
    if not can_view_case(user, case, advice_departments=mine):
        raise Http404
    return case


def _case_covered(case: Case, services: tuple[str, ...] | None) -> bool:
    if services is None:
        return True
    case_type = case.case_type
    slugs = {case_type.slug}
    if case_type.service_id is not None and case_type.service is not None:
        slugs.add(case_type.service.slug)
    return bool(slugs & set(services))


def resident_may_see(
    *,
    user: Any,
    case: Case,
    party_ids: dict[str, set[int]],
    own_person_id: int | None = None,
    services: tuple[str, ...] | None = None,
) -> bool:
    """A case the resident filed for themselves, or one of the party they may act for
    today (and, under a mandate limited to some services, only those services). A case
    filed for someone else is not theirs once the mandate has ended."""
    if (
        user is not None
        and user.is_authenticated
        and own_person_id is not None
        and case.initiator_id == user.pk
        and case.party_kind == "person"
        and case.party_id == own_person_id
    ):
        return True
    if case.party_kind == "person":
        persons = party_ids.get("person", set())
        matches = (case.party_id is not None and case.party_id in persons) or (
            case.person_id is not None and case.person_id in persons
        )
    else:
        matches = case.party_id is not None and case.party_id in party_ids.get(
            case.party_kind, set()
        )
    return matches and _case_covered(case, services)


def access_case_for_resident(
    user: Any,
    case: Case | None,
    *,
    party_ids: dict[str, set[int]],
    own_person_id: int | None = None,
    services: tuple[str, ...] | None = None,
) -> Case:
    if case is None or not resident_may_see(
        user=user, case=case, party_ids=party_ids, own_person_id=own_person_id, services=services
    ):
        raise Http404
    return case
