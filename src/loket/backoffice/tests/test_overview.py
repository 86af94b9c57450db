from __future__ import annotations

import pytest
from django.utils import timezone

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.constants import AuditAction, RoleSlug
from loket.core.services import audit_record, worker_heartbeat
from loket.core.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

HOME = "/backoffice/"


@pytest.fixture
def clerk():
    city = OrganisationFactory(name="Gemeente Mandelmunster", is_primary=True)
    ocmw = OrganisationFactory(name="OCMW Mandelmunster")
    user = StaffFactory(username="baliemedewerker", first_name="Els")
    MembershipFactory(
        user=user, department=DepartmentFactory(organisation=city, name="Burgerzaken")
    )
    MembershipFactory(
        user=user,
        department=DepartmentFactory(organisation=ocmw, name="Sociale dienst"),
        role=RoleSlug.COORDINATOR,
    )
    return user


def _overview(client, user) -> str:
    log_in_staff(client, user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["nl-be", "fr", "en", "de"])
def test_overview_renders_in_every_language_with_landmarks(client, clerk, language):
    client.cookies["django_language"] = language
    html = _overview(client, clerk)

    assert f'<html lang="{language}">' in html
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html


def test_overview_shows_departments_roles_and_figures(client, clerk):
    html = _overview(client, clerk)

    assert "Welkom, Els." in html
    assert "Burgerzaken" in html
    assert "Sociale dienst" in html
    assert "Dossierbehandelaar" in html
    assert "Coördinator" in html
    assert "Organisaties" in html
    assert 'action="/backoffice/afmelden/"' in html


def test_configuration_links_only_for_who_may_configure(client, clerk):
    html = _overview(client, clerk)
    assert 'href="/admin/"' not in html
    assert "Vraag het aan de functioneel beheerder." in html

    html = _overview(client, StaffFactory(is_superuser=True))
    assert 'href="/admin/"' in html
    assert 'href="/admin/core/organisation/"' in html


def test_staff_without_a_role_gets_403_that_says_whom_to_ask(client, settings):
    settings.LANGUAGE_CODE = "en"
    log_in_staff(client, StaffFactory())
    response = client.get(HOME)
    assert response.status_code == 403
    assert "Ask the functional administrator." in response.content.decode()


def test_overview_reports_workers(client, clerk):
    html = _overview(client, clerk)
    assert "Er draait geen worker." in html

    worker_heartbeat(worker_id="web-1:4242", backend="database", started_at=timezone.now())
    html = _overview(client, clerk)
    assert "web-1:4242" in html
    assert "Er draait geen worker." not in html


def test_audit_log_is_for_those_who_may_read_it(client, clerk, settings):
    settings.LANGUAGE_CODE = "en"
    audit_record(
        actor=clerk, action=AuditAction.VIEW, object_type="people.person", object_label="X"
    )
    assert "Only staff who may read the audit log see it here" in _overview(client, clerk)

    for role in (RoleSlug.ADMINISTRATOR, RoleSlug.HEAD):
        reader = StaffFactory(username=f"lezer-{role}")
        MembershipFactory(user=reader, role=role)
        html = _overview(client, reader)
        assert "baliemedewerker" in html
        assert "viewed" in html


def test_superuser_sees_the_audit_log(client):
    superuser = StaffFactory(is_superuser=True)
    html = _overview(client, superuser)
    assert "Het auditlogboek is nog leeg." in html


def test_overview_query_count_is_bounded(client, clerk, django_assert_max_num_queries):
    log_in_staff(client, clerk)
    client.get(HOME)
    for _ in range(5):
        MembershipFactory(user=clerk)
    with django_assert_max_num_queries(12):
        assert client.get(HOME).status_code == 200


def test_resident_figure_counts_the_living_residents_in_the_register(client, clerk):
    from loket.people.tests.factories import PersonFactory

    PersonFactory.create_batch(3)
    html = _overview(client, clerk)

    figure = html.split("Inwoners in het register</dt>")[1].split("</dd>")[0]
    assert figure.split("<dd>")[1].strip() == "3"
