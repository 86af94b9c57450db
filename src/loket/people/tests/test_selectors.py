from __future__ import annotations

import datetime as dt

import pytest

from loket.people.constants import Gender, HouseholdRelation
from loket.people.registry.embedded import EmbeddedPopulationRegistry
from loket.people.selectors import (
    company_get_by_enterprise_number,
    household_members,
    person_count,
    person_get,
    person_get_by_national_number,
    person_search,
    registry_get,
    resident_count_by_age_group,
)
from loket.people.services import company_create
from loket.people.tests.factories import AddressFactory, HouseholdFactory, PersonFactory
from loket.people.types import PersonSummary

pytestmark = pytest.mark.django_db


def _names(page):
    return [(p.last_name, p.first_name) for p in page.items]


def test_person_search_pages_through_everyone_in_name_order_without_gaps_or_repeats():
    names = [
        ("Maes", "An"),
        ("Maes", "An"),  # a namesake: the id breaks the tie
        ("Maes", "Bart"),
        ("Peeters", "Jan"),
        ("Declercq", "Zoë"),
        ("Vandenberghe", "Els"),
        ("Maes", "An"),
    ]
    created = [PersonFactory(last_name=last, first_name=first) for last, first in names]
    seen: list[PersonSummary] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = person_search(limit=3, after=cursor)
        seen.extend(page.items)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 3
    assert sorted(p.id for p in seen) == sorted(p.pk for p in created)
    keys = [(p.last_name, p.first_name, p.id) for p in seen]
    assert keys == sorted(keys)


def test_person_search_matches_name_prefixes_in_either_order_and_ignores_accents():
    PersonFactory(last_name="Peeters", first_name="Jan")
    PersonFactory(last_name="Peeters", first_name="Jana")
    PersonFactory(last_name="Van den Broeck", first_name="Zoë")
    PersonFactory(last_name="D'Hondt", first_name="Lies")
    PersonFactory(last_name="Janssens", first_name="Pieter")
    assert _names(person_search(query="peeters")) == [("Peeters", "Jan"), ("Peeters", "Jana")]
    assert _names(person_search(query="jan peeters")) == [
        ("Peeters", "Jan"),
        ("Peeters", "Jana"),
    ]
    assert _names(person_search(query="Zoe van den broeck")) == [("Van den Broeck", "Zoë")]
    assert _names(person_search(query="dhondt")) == [("D'Hondt", "Lies")]
    assert _names(person_search(query="d'hondt l")) == [("D'Hondt", "Lies")]
    assert _names(person_search(query="jans")) == [("Janssens", "Pieter")]
    assert _names(person_search(query="%")) == [("D'Hondt", "Lies")][:0]


def test_person_search_finds_a_full_national_number_but_never_a_partial_one():
    person = PersonFactory(national_number="85073003328", birth_date=dt.date(1985, 7, 30))
    assert [p.id for p in person_search(query="85.07.30-033.28").items] == [person.pk]
    assert person_search(query="85.07.30").items == ()
    assert person_search(query="850730033").items == ()


def test_person_search_refuses_a_forged_cursor():
    with pytest.raises(ValueError, match="cursor"):
        person_search(after="bm90IGEgY3Vyc29y")


def test_person_search_costs_one_query_per_page(django_assert_num_queries):
    household = HouseholdFactory()
    for _ in range(30):
        PersonFactory(household=household)
    with django_assert_num_queries(1):
        first = person_search(limit=10)
    with django_assert_num_queries(1):
        second = person_search(limit=10, after=first.next_cursor)
    assert {p.address.id for p in second.items if p.address} == {household.address.pk}
    assert len(second.items) == 10
    assert second.items[0].masked_national_number.endswith("-***.**")


def test_household_members_head_first_then_by_age_in_one_query(django_assert_num_queries):
    household = HouseholdFactory()
    child = PersonFactory(
        household=household,
        household_relation=HouseholdRelation.CHILD,
        birth_date=dt.date(2010, 1, 1),
    )
    partner = PersonFactory(
        household=household,
        household_relation=HouseholdRelation.PARTNER,
        birth_date=dt.date(1970, 1, 1),
    )
    head = PersonFactory(
        household=household,
        household_relation=HouseholdRelation.HEAD,
        birth_date=dt.date(1980, 1, 1),
    )
    PersonFactory(household=household, date_of_death=dt.date(2020, 1, 1))
    PersonFactory()  # another household
    with django_assert_num_queries(1):
        members = household_members(household_id=household.pk)
    assert [m.id for m in members] == [head.pk, partner.pk, child.pk]
    assert members[0].address is not None
    assert str(members[0].address) == str(household.address)


def test_person_count_and_age_groups_in_one_query(django_assert_num_queries):
    today = dt.date(2026, 6, 15)
    PersonFactory(birth_date=dt.date(2026, 1, 1))  # 0
    PersonFactory(birth_date=dt.date(2008, 6, 15))  # 18 today
    PersonFactory(birth_date=dt.date(2008, 6, 16))  # 17 until tomorrow
    PersonFactory(birth_date=dt.date(1941, 6, 15))  # 85
    PersonFactory(birth_date=dt.date(1941, 6, 15), date_of_death=dt.date(2025, 1, 1))
    with django_assert_num_queries(1):
        groups = resident_count_by_age_group(on=today)
    counts = {group.label: group.count for group in groups}
    assert counts == {
        "0–11": 1,
        "12–17": 1,
        "18–24": 1,
        "25–44": 0,
        "45–64": 0,
        "65–74": 0,
        "75–84": 0,
        "85+": 1,
    }
    with django_assert_num_queries(1):
        assert person_count() == 4
    assert person_count(include_deceased=True) == 5


def test_get_by_national_number_accepts_notations_and_returns_the_masked_summary(
    django_assert_num_queries,
):
    person = PersonFactory(
        national_number="85073003328", birth_date=dt.date(1985, 7, 30), gender=Gender.MALE
    )
    with django_assert_num_queries(1):
        found = person_get_by_national_number(national_number="85.07.30-033.28")
    assert found is not None
    assert found.id == person.pk
    assert found.masked_national_number == "85.07.30-***.**"
    assert not hasattr(found, "national_number")
    assert person_get_by_national_number(national_number="85.07.30-033.29") is None
    assert person_get(person_id=person.pk) == found
    assert person_get(person_id=person.pk + 1000) is None


def test_the_embedded_register_answers_lookups_and_households():
    registry = registry_get()
    assert isinstance(registry, EmbeddedPopulationRegistry)
    household = HouseholdFactory(reference="G77")
    head = PersonFactory(
        household=household,
        household_relation=HouseholdRelation.HEAD,
        national_number="85073003328",
        birth_date=dt.date(1985, 7, 30),
        gender=Gender.MALE,
    )
    child = PersonFactory(household=household, household_relation=HouseholdRelation.CHILD)
    found = registry.lookup_person("85.07.30-033.28")
    assert found is not None
    assert (found.first_name, found.household_reference) == (head.first_name, "G77")
    assert found.national_number == "85073003328"
    assert found.address is not None
    assert [p.first_name for p in registry.household_of("85073003328")] == [
        head.first_name,
        child.first_name,
    ]
    assert registry.lookup_person("85073003329") is None
    assert registry.household_of("00000000000") == []
    assert registry.household_of(PersonFactory().national_number) == []


def test_registry_get_refuses_an_unknown_adapter(settings):
    settings.LOKET_POPULATION_REGISTRY = "magda"
    with pytest.raises(Exception, match="magda"):
        registry_get()


def test_company_get_by_enterprise_number():
    address = AddressFactory()
    company_create(
        actor=None,
        enterprise_number="0403170701",
        name="Bakkerij De Mandel",
        legal_form="bv",
        registered_address_id=address.pk,
    )
    found = company_get_by_enterprise_number(enterprise_number="BE0403.170.701")
    assert found is not None
    assert found.name == "Bakkerij De Mandel"
    assert found.registered_address is not None
    assert company_get_by_enterprise_number(enterprise_number="0403170702") is None
