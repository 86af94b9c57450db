"""The request form built on the catalogue's form engine: known facts are shown, not
asked; a summary; submit makes a case with the form's version."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from loket.cases.models import Case, CaseData
from loket.cases.services import case_types_link_services
from loket.cases.tests.conftest import log_in_resident, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(case_types: Any) -> Any:
    from loket.catalog.demo import seed

    seed()
    case_types_link_services()
    return case_types


def test_household_composition_through_the_catalogue_form(catalogue: Any) -> None:
    from loket.people.tests.factories import HouseholdMemberFactory

    user, person = make_resident()
    member = HouseholdMemberFactory()
    person.household = member.household
    person.address = member.address
    person.save()
    client = Client()
    log_in_resident(client, user)
    page = client.get("/aanvragen/gezinssamenstelling/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "We already know this" in body
    found = re.search(r'name="form_version" value="(\d+)"', body)
    assert found is not None
    version = found.group(1)
    empty = client.post(
        "/aanvragen/gezinssamenstelling/", {"stap": "gezin", "form_version": version}
    )
    assert empty.status_code == 400
    step = client.post(
        "/aanvragen/gezinssamenstelling/",
        {"stap": "gezin", "form_version": version, "f-doel": "school"},
    )
    assert step.status_code == 302
    assert step["Location"].endswith("?stap=overzicht")
    summary = client.get(step["Location"])
    assert summary.status_code == 200
    assert "Check your request" in summary.content.decode()
    done = client.post(
        "/aanvragen/gezinssamenstelling/", {"stap": "overzicht", "actie": "indienen"}
    )
    assert done.status_code == 302
    case = Case.objects.get()
    data = CaseData.objects.get(case=case)
    assert data.data["doel"] == "school"
    assert data.form_version == f"catalog:{case.case_type.service_id}:{version}"
    assert case.person_id == person.pk
    detail = client.get(f"/mijn-dossiers/{case.reference}/").content.decode()
    assert "school" in detail


def test_a_report_service_without_login_goes_to_the_report_page(catalogue: Any) -> None:
    response = Client().get("/aanvragen/melding-openbaar-domein/")
    assert response.status_code == 302
    assert response["Location"] == "/melding/"
