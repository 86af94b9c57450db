"""Who sees which case: departments, advice departments, council read-only, social
files only with the social-file permission; the case page without N+1."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.cases.constants import Confidentiality, PartyKind
from loket.cases.models import Case, CaseType
from loket.cases.selectors import case_queue_page
from loket.cases.services import case_submit
from loket.cases.tests.conftest import log_in_resident, make_resident, staff_with
from loket.cases.types import PartyRef

pytestmark = pytest.mark.django_db


def _case(person: Any, slug: str = "gezinssamenstelling") -> Case:
    result = case_submit(
        actor=None,
        case_type_slug=slug,
        data={"doel": "x"},
        party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label=str(person), person_id=person.pk),
    )
    return Case.objects.get(pk=result.case_id)


def _client(user: Any) -> Client:
    client = Client()
    log_in_staff(client, user)
    return client


def test_social_cases_need_the_social_file_permission(case_types: Any, departments: Any) -> None:
    CaseType.objects.filter(slug="gezinssamenstelling").update(
        confidentiality=Confidentiality.SOCIAL
    )
    _user, person = make_resident()
    case = _case(person)
    handler = staff_with(departments["burgerzaken"], "handler")
    social = staff_with(departments["burgerzaken"], "social_worker")
    council = staff_with(departments["communicatie"], "council_member")
    assert _client(handler).get(f"/backoffice/dossiers/{case.reference}/").status_code == 404
    assert _client(council).get(f"/backoffice/dossiers/{case.reference}/").status_code == 404
    assert _client(social).get(f"/backoffice/dossiers/{case.reference}/").status_code == 200
    assert case_queue_page(user=handler, queue="all").items == ()
    assert [row.reference for row in case_queue_page(user=social, queue="all").items] == [
        case.reference
    ]


def test_council_reads_every_case_but_changes_none(case_types: Any, departments: Any) -> None:
    _user, person = make_resident()
    case = _case(person)
    council = staff_with(departments["communicatie"], "college_member")
    client = _client(council)
    page = client.get(f"/backoffice/dossiers/{case.reference}/").content.decode()
    assert 'name="transition"' not in page
    refused = client.post(
        f"/backoffice/dossiers/{case.reference}/stap/", {"transition": "start", "version": 1}
    )
    assert refused.status_code == 400
    case.refresh_from_db()
    assert case.version == 1


def test_residents_and_anonymous_visitors_never_reach_the_back_office(case_types: Any) -> None:
    user, person = make_resident()
    case = _case(person)
    assert Client().get(f"/backoffice/dossiers/{case.reference}/").status_code == 302
    resident = Client()
    log_in_resident(resident, user)
    assert resident.get(f"/backoffice/dossiers/{case.reference}/").status_code in (302, 403)
    plain = staff_with(case.department, "communication")
    assert _client(plain).get("/backoffice/dossiers/").status_code == 404


def test_case_page_queries_do_not_grow_with_its_history(
    case_types: Any, departments: Any, django_assert_max_num_queries: Any
) -> None:
    from loket.cases.services import case_message_send, case_note_add

    handler = staff_with(departments["burgerzaken"], "handler")
    _user, person = make_resident()
    case = _case(person)
    client = _client(handler)
    client.get(f"/backoffice/dossiers/{case.reference}/")
    with django_assert_max_num_queries(40) as before:
        client.get(f"/backoffice/dossiers/{case.reference}/")
    for n in range(10):
        case_message_send(actor=handler, case_id=case.pk, body=f"message {n}")
        case_note_add(actor=handler, case_id=case.pk, text=f"note {n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(f"/backoffice/dossiers/{case.reference}/")


def test_read_only_staff_cannot_record_requests(case_types: Any, departments: Any) -> None:
    council = staff_with(departments["communicatie"], "council_member")
    client = _client(council)
    assert client.get("/backoffice/dossiers/registreren/").status_code == 404
    assert (
        client.post(
            "/backoffice/dossiers/registreren/", {"case_type": "gezinssamenstelling"}
        ).status_code
        == 404
    )


def test_case_types_are_configured_in_the_admin_by_administrators(
    case_types: Any, departments: Any
) -> None:
    case_type = CaseType.objects.get(slug="evenementenvergunning")
    admin_user = staff_with(
        departments["secretariaat"]
        if "secretariaat" in departments
        else departments["burgerzaken"],
        "administrator",
    )
    page = _client(admin_user).get(f"/admin/cases/casetype/{case_type.pk}/change/")
    assert page.status_code == 200
    assert "request_advice:politie,brandweer,mobiliteit" in page.content.decode()
    handler = staff_with(departments["burgerzaken"], "handler")
    assert _client(handler).get(f"/admin/cases/casetype/{case_type.pk}/change/").status_code in (
        302,
        403,
        404,
    )
