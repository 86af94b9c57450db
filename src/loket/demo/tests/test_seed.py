from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from stdnum.be import nn, vat

from loket.core.constants import OrganisationKind, RoleSlug
from loket.core.models import Department, DepartmentMembership, OpeningHours, Organisation
from loket.demo import services as demo_services
from loket.demo.constants import DEMO_PASSWORD, DEMO_STAFF
from loket.demo.selectors import demo_is_seeded
from loket.demo.services import (
    DemoSeedRefused,
    demo_logins,
    demo_seed,
    demo_seed_population,
)
from loket.people.constants import HouseholdRelation
from loket.people.models import Address, Association, Company, Household, Person
from loket.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

RESIDENTS = 300


def _snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Everything the seed made, without database ids."""
    return {
        "persons": sorted(
            (
                p.national_number,
                p.first_name,
                p.last_name,
                p.birth_date,
                p.gender,
                p.language,
                p.household.reference if p.household else "",
                p.household_relation,
                str(p.address),
                p.prefers_paper,
                p.email,
                p.phone,
            )
            for p in Person.objects.select_related("household", "address")
        ),
        "organisations": sorted(
            (o.slug, o.kind, o.name, o.street, o.email, o.phone, o.website, o.is_primary)
            for o in Organisation.objects.all()
        ),
        "hours": sorted(
            (h.organisation.slug, h.weekday, h.opens, h.closes, h.by_appointment)
            for h in OpeningHours.objects.select_related("organisation")
        ),
        "memberships": sorted(
            (m.department.slug, m.user.username, m.role.slug)
            for m in DepartmentMembership.objects.select_related("department", "user", "role")
        ),
        "companies": sorted(
            (c.enterprise_number, c.name, c.legal_form, str(c.registered_address))
            for c in Company.objects.select_related("registered_address")
        ),
        "associations": sorted(
            (
                a.name,
                a.enterprise_number,
                a.chair.national_number if a.chair else "",
                str(a.address),
                a.email,
            )
            for a in Association.objects.select_related("chair", "address")
        ),
    }


def _seed_and_forget(**kwargs: int) -> dict[str, list[tuple[object, ...]]]:
    with transaction.atomic():
        demo_seed(**kwargs)
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


def test_the_same_seed_builds_the_same_town_whatever_the_chunk_size(monkeypatch):
    first = _seed_and_forget(residents=RESIDENTS, seed=7)
    monkeypatch.setattr(demo_services, "CHUNK_HOUSEHOLDS", 17)
    second = _seed_and_forget(residents=RESIDENTS, seed=7)
    assert first == second
    assert len(first["persons"]) == RESIDENTS
    other = _seed_and_forget(residents=RESIDENTS, seed=8)
    assert other["persons"] != first["persons"]


def test_national_numbers_are_valid_unique_and_match_birth_date_and_gender():
    result = demo_seed(residents=RESIDENTS, seed=3)
    assert result.residents == RESIDENTS
    rows = list(Person.objects.values_list("national_number", "birth_date", "gender"))
    assert len({number for number, _, _ in rows}) == RESIDENTS
    for number, birth_date, gender in rows:
        assert nn.is_valid(number)
        assert nn.get_birth_date(number) == birth_date
        assert nn.get_gender(number) == gender
    for number in Company.objects.values_list("enterprise_number", flat=True):
        assert vat.is_valid(number)


def test_households_have_one_head_and_live_at_their_address():
    demo_seed(residents=RESIDENTS, seed=3)
    households = {h.pk: h for h in Household.objects.all()}
    heads: Counter[int] = Counter()
    for person in Person.objects.all():
        assert person.household_id is not None
        assert person.address_id == households[person.household_id].address_id
        heads[person.household_id] += person.household_relation == HouseholdRelation.HEAD
    assert set(heads) == set(households)
    assert set(heads.values()) == {1}
    # One household per address, and every address is in Mandelmunster.
    assert Address.objects.filter(households__isnull=False).count() == len(households)
    assert set(Address.objects.values_list("postcode", "nis_code").distinct()) == {
        ("8770", "36007")
    }


def test_organisations_departments_liaisons_and_staff_logins():
    demo_seed(residents=RESIDENTS, seed=3)
    assert demo_is_seeded()
    city = Organisation.objects.get(is_primary=True)
    assert (city.name, city.kind, city.nis_code) == (
        "Gemeente Mandelmunster",
        OrganisationKind.MUNICIPALITY,
        "36007",
    )
    assert city.primary_colour == "#1d4f91"
    ocmw = Organisation.objects.get(kind=OrganisationKind.OCMW)
    assert ocmw.name == "OCMW Mandelmunster"
    assert city.opening_hours.filter(weekday=2, opens__hour=14, closes__hour=19).exists()
    assert city.opening_hours.filter(by_appointment=True).exists()
    assert set(city.departments.values_list("name", flat=True)) == {
        "Burgerzaken",
        "Omgeving",
        "Vrije tijd",
        "Communicatie",
        "Financiën",
        "Secretariaat",
        "Technische dienst",
        # Advisers of the event permit, added by the demo case types.
        "Politie",
        "Brandweer",
        "Mobiliteit",
    }
    assert set(ocmw.departments.values_list("name", flat=True)) == {
        "Sociale dienst",
        "Thuiszorg",
        "Woonzorgcentrum",
    }
    advisers = {"Politie", "Brandweer", "Mobiliteit"}  # no staff of their own in the demo
    for department in Department.objects.exclude(name__in=advisers):
        liaison = department.communication_liaison
        assert liaison is not None, department.name
        assert department.memberships.filter(
            user=liaison, role__slug=RoleSlug.COMMUNICATION
        ).exists()

    logins = demo_logins()
    assert [login.username for login in logins] == [
        "beheerder",
        "baliemedewerker",
        "diensthoofd",
        "communicatie",
        "raadslid",
        "coordinator",
        "balie",
        "maatschappelijk",
        "schepen",
        "vrijwilliger",
        "medewerker-financien",
    ]
    for login in logins:
        assert login.password == DEMO_PASSWORD
        user = authenticate(username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert user.is_staff
    users = get_user_model().objects
    assert users.get(username="beheerder").is_superuser
    assert not users.get(username="baliemedewerker").is_superuser
    assert users.count() == len(DEMO_STAFF)
    roles = set(DepartmentMembership.objects.values_list("user__username", "role__slug"))
    assert {
        ("baliemedewerker", RoleSlug.HANDLER),
        ("diensthoofd", RoleSlug.HEAD),
        ("raadslid", RoleSlug.COUNCIL_MEMBER),
        ("beheerder", RoleSlug.ADMINISTRATOR),
        ("coordinator", RoleSlug.COORDINATOR),
        ("balie", RoleSlug.COUNTER_CLERK),
        ("maatschappelijk", RoleSlug.SOCIAL_WORKER),
        ("schepen", RoleSlug.COLLEGE_MEMBER),
        ("vrijwilliger", RoleSlug.VOLUNTEER),
        ("communicatie", RoleSlug.COMMUNICATION),
        ("medewerker-financien", RoleSlug.FINANCE),
    } <= roles
    # One demo login per role.
    assert {slug for _, slug in roles} == set(RoleSlug.values)
    associations = Association.objects.all()
    assert associations.count() == 15
    assert all(a.chair_id for a in associations)


def test_seed_command_on_a_seeded_database_changes_nothing(capsys):
    call_command("seed", residents=RESIDENTS, seed=3)
    first = capsys.readouterr().out
    assert "Mandelmunster is ready: 300 residents" in first
    assert "loket-demo-2026" in first
    counts = (Person.objects.count(), Household.objects.count(), Organisation.objects.count())
    call_command("seed", residents=RESIDENTS, seed=4)
    assert "already holds the demo municipality" in capsys.readouterr().out
    assert (
        Person.objects.count(),
        Household.objects.count(),
        Organisation.objects.count(),
    ) == counts


def test_seed_refuses_a_database_that_holds_other_data():
    PersonFactory()
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed", residents=RESIDENTS)
    with pytest.raises(DemoSeedRefused, match="persons exist"):
        demo_seed(residents=RESIDENTS)
    assert not Organisation.objects.exists()


def test_population_alone_for_the_benchmark_reports_rows_and_progress():
    reported: list[int] = []
    rows = demo_seed_population(residents=RESIDENTS, seed=3, progress=reported.append)
    assert sum(reported) == RESIDENTS
    assert rows == Person.objects.count() + Household.objects.count() + Address.objects.count()
    assert not Organisation.objects.exists()


def test_demo_staff_log_in_with_password_and_the_demo_authenticator_app(client, settings):
    import pyotp

    from loket.demo.constants import DEMO_TOTP_SECRET

    settings.LOKET_DEMO = True
    demo_seed(residents=10)
    response = client.post(
        "/backoffice/aanmelden/", {"username": "baliemedewerker", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == "/backoffice/aanmelden/tweede-stap/"
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    assert code in client.get(response["Location"]).content.decode()  # the demo's hint
    assert client.post(response["Location"], {"code": code})["Location"] == "/backoffice/"
    assert client.get("/backoffice/").status_code == 200
