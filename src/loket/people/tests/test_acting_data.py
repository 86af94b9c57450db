"""Identity card numbers, company representatives, minors in care, chaired associations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loket.people.constants import HouseholdRelation, LegalForm
from loket.people.models import CompanyRepresentative, Person
from loket.people.selectors import (
    associations_chaired_by,
    companies_represented_by,
    minors_in_care_of,
    person_identity_card_matches,
    person_search_by_name_and_birth_date,
)
from loket.people.services import (
    association_create,
    company_create,
    company_representative_add,
    person_update,
)
from loket.people.types import IdentityCardNumber, PersonImport

from .factories import HouseholdFactory, PersonFactory

CARD = "590000101369"


def test_identity_card_number_check_digits():
    assert IdentityCardNumber.parse("590-0001013-69").value == CARD
    assert IdentityCardNumber.compose(first_ten=5_900_001_013).value == CARD
    # First ten digits divisible by 97: the check digits are 97, not 00.
    zero = IdentityCardNumber.compose(first_ten=97 * 10_000_000)
    assert zero.value.endswith("97")
    IdentityCardNumber.parse(zero.value)
    with pytest.raises(ValidationError):
        IdentityCardNumber.parse("590000101368")
    with pytest.raises(ValidationError):
        IdentityCardNumber.parse("59000010136")
    with pytest.raises(ValidationError):
        IdentityCardNumber.parse("59000010136a")


def test_identity_card_number_is_masked_everywhere():
    number = IdentityCardNumber.parse(CARD)
    assert CARD not in repr(number)
    assert CARD not in str(number)
    assert str(number) == "***-*******-69"
    assert CARD not in repr(
        PersonImport(
            national_number="91041299896",
            first_name="A",
            last_name="B",
            birth_date=dt.date(1991, 4, 12),
            gender="F",
            language="nl",
            household_relation="head",
            identity_card_number=CARD,
        )
    )


@pytest.mark.django_db
def test_card_number_is_validated_and_compared(staff_user):
    person = person_update(
        actor=staff_user,
        person=PersonFactory(),
        changes={"identity_card_number": "590-0001013-69"},
    )
    assert person.identity_card_number == CARD
    assert person.masked_identity_card_number == "***-*******-69"
    assert person_identity_card_matches(person_id=person.pk, card_number="590 0001013 69")
    assert not person_identity_card_matches(person_id=person.pk, card_number="590000202615")
    assert not person_identity_card_matches(person_id=person.pk, card_number="nonsense")
    with pytest.raises(ValidationError):
        person_update(actor=staff_user, person=person, changes={"identity_card_number": "1"})
    # A person without a card number on file never matches.
    assert not person_identity_card_matches(person_id=PersonFactory().pk, card_number=CARD)


@pytest.mark.django_db
def test_minors_in_care_of_head_and_partner_only():
    household = HouseholdFactory()
    today = timezone.localdate()
    head = PersonFactory(household=household, household_relation=HouseholdRelation.HEAD)
    partner = PersonFactory(household=household, household_relation=HouseholdRelation.PARTNER)
    young = PersonFactory(
        household=household,
        household_relation=HouseholdRelation.CHILD,
        birth_date=today.replace(year=today.year - 5),
    )
    PersonFactory(
        household=household,
        household_relation=HouseholdRelation.CHILD,
        birth_date=today.replace(year=today.year - 19),
    )
    assert [child.id for child in minors_in_care_of(person_id=head.pk)] == [young.pk]
    assert [child.id for child in minors_in_care_of(person_id=partner.pk)] == [young.pk]
    assert minors_in_care_of(person_id=young.pk) == []
    assert minors_in_care_of(person_id=PersonFactory().pk) == []


@pytest.mark.django_db
def test_company_representatives_and_chaired_associations(staff_user, django_assert_num_queries):
    person = PersonFactory()
    bakery = company_create(
        actor=None, enterprise_number="0403170701", name="Bakkerij", legal_form=LegalForm.BV
    )
    company_representative_add(
        actor=None,
        company_id=bakery.pk,
        person_id=person.pk,
        function="zaakvoerder",
        since=dt.date(2008, 5, 1),
    )
    # Again: updated, not duplicated.
    company_representative_add(
        actor=None,
        company_id=bakery.pk,
        person_id=person.pk,
        function="bestuurder",
        since=dt.date(2010, 1, 1),
    )
    assert CompanyRepresentative.objects.count() == 1
    with django_assert_num_queries(1):
        companies = companies_represented_by(person_id=person.pk)
    assert [(c.company_name, c.function) for c in companies] == [("Bakkerij", "bestuurder")]
    assert companies[0].formatted_enterprise_number == "0403.170.701"
    association = association_create(actor=None, name="Toneelgroep", chair_id=person.pk)
    assert [a.id for a in associations_chaired_by(person_id=person.pk)] == [association.pk]


@pytest.mark.django_db
def test_search_by_name_and_birth_date():
    born = dt.date(1941, 9, 3)
    maria = PersonFactory(first_name="Maria", last_name="Vanneste", birth_date=born)
    PersonFactory(first_name="Maria", last_name="Vanneste", birth_date=dt.date(1950, 1, 1))
    found = person_search_by_name_and_birth_date(name="maria vanneste", birth_date=born)
    assert [p.id for p in found] == [maria.pk]
    assert Person.objects.count() == 2
