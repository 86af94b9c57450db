from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from loket.core.constants import AuditAction
from loket.core.models import AuditEvent
from loket.people.constants import Gender, HouseholdRelation, Language
from loket.people.models import Address, Person
from loket.people.services import (
    address_get_or_create,
    association_create,
    company_create,
    household_create,
    person_create,
    person_update,
    population_import,
)
from loket.people.tests.factories import AddressFactory, HouseholdFactory, PersonFactory
from loket.people.types import AddressData, HouseholdImport, NationalNumber, PersonImport

pytestmark = pytest.mark.django_db

ADDRESS = {
    "street_name": "Stationsstraat",
    "house_number": "12",
    "postcode": "8770",
    "municipality_name": "Ingelmunster",
    "nis_code": "36007",
}


def test_address_get_or_create_reuses_the_address_and_reads_like_an_envelope():
    first = address_get_or_create(**ADDRESS, box_number="3")
    again = address_get_or_create(**{**ADDRESS, "street_name": " Stationsstraat "}, box_number="3")
    other_box = address_get_or_create(**ADDRESS, box_number="4")
    assert first.pk == again.pk != other_box.pk
    assert str(first) == "Stationsstraat 12 bus 3, 8770 Ingelmunster"
    assert str(address_get_or_create(**ADDRESS)) == "Stationsstraat 12, 8770 Ingelmunster"
    assert Address.objects.count() == 3


def test_address_get_or_create_refuses_a_bad_postcode():
    with pytest.raises(ValidationError) as caught:
        address_get_or_create(**{**ADDRESS, "postcode": "877"})
    assert "postcode" in caught.value.message_dict


def test_person_create_takes_birth_date_and_gender_from_the_number(staff_user):
    household = HouseholdFactory()
    person = person_create(
        actor=staff_user,
        national_number="85.07.30-033.28",
        first_name=" Jan ",
        last_name="Peeters",
        household=household,
        household_relation=HouseholdRelation.HEAD,
        reason="Inschrijving na verhuis",
    )
    assert person.national_number == "85073003328"
    assert person.birth_date == dt.date(1985, 7, 30)
    assert person.gender == Gender.MALE
    assert person.first_name == "Jan"
    assert person.search_name == "peeters jan"
    assert person.address == household.address
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="people.person")
    assert event.subject_person_id == person.pk
    assert event.actor == staff_user


def test_person_create_refuses_a_bad_national_number_with_a_clear_message(staff_user):
    with pytest.raises(ValidationError) as caught:
        person_create(
            actor=staff_user,
            national_number="85.07.30-033.29",
            first_name="Jan",
            last_name="Peeters",
        )
    with translation.override("nl-be"):
        (message,) = caught.value.message_dict["national_number"]
    assert "controlegetallen" in message
    assert "rijksregisternummer" in message
    with translation.override("en"):
        (message,) = caught.value.message_dict["national_number"]
    assert message == (
        "The last two digits (the check digits) do not match: please check the national "
        "number for a typing error."
    )
    assert "033" not in message
    assert not Person.objects.exists()


def test_person_create_refuses_data_that_contradicts_the_number(staff_user):
    with pytest.raises(ValidationError) as caught:
        person_create(
            actor=staff_user,
            national_number="85073003328",
            first_name="Jan",
            last_name="Peeters",
            birth_date=dt.date(1985, 7, 31),
        )
    assert "birth_date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        person_create(
            actor=staff_user,
            national_number="85073003328",
            first_name="Jan",
            last_name="Peeters",
            gender=Gender.FEMALE,
        )
    assert "gender" in caught.value.message_dict


def test_person_create_refuses_a_number_that_is_already_registered(staff_user):
    PersonFactory(national_number="85073003328", birth_date=dt.date(1985, 7, 30))
    with pytest.raises(ValidationError) as caught:
        person_create(
            actor=staff_user, national_number="85073003328", first_name="X", last_name="Y"
        )
    assert "national_number" in caught.value.message_dict
    assert "85073003328" not in str(caught.value)


def test_person_update_records_which_fields_changed_but_not_their_values(staff_user):
    person = PersonFactory(first_name="Jan", last_name="Peeters", email="")
    new_household = HouseholdFactory()
    updated = person_update(
        actor=staff_user,
        person=person,
        changes={
            "last_name": "Peeters-Maes",
            "email": "jan@example.org",
            "language": Language.DUTCH,  # unchanged: not recorded
            "household_id": new_household.pk,
        },
        reason="Adreswijziging aan de balie",
    )
    assert updated.last_name == "Peeters-Maes"
    assert updated.search_name == "peeters maes jan"
    assert updated.household_id == new_household.pk
    person.refresh_from_db()
    assert person.email == "jan@example.org"
    assert person.search_name == "peeters maes jan"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.subject_person_id == person.pk
    assert event.actor == staff_user
    assert event.reason == "Adreswijziging aan de balie"
    assert event.changes == {"fields": ["email", "household_id", "last_name"]}
    assert "jan@example.org" not in str(event.changes)


def test_person_update_without_a_change_writes_nothing(staff_user):
    person = PersonFactory(first_name="Jan")
    person_update(actor=staff_user, person=person, changes={"first_name": "Jan"})
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_person_update_refuses_fields_it_does_not_own(staff_user):
    person = PersonFactory()
    with pytest.raises(ValueError, match="national_number"):
        person_update(
            actor=staff_user,
            person=person,
            changes={"national_number": "85073003328"},  # type: ignore[typeddict-unknown-key]
        )
    with pytest.raises(ValidationError):
        person_update(actor=staff_user, person=person, changes={"email": "not an address"})
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def _member(index: int, relation: str, **extra: object) -> PersonImport:
    birth_date = dt.date(1970 + index, 3, 1)
    return PersonImport(
        national_number=NationalNumber.compose(
            birth_date=birth_date, gender=Gender.FEMALE, index=0
        ).value,
        first_name=f"Lies{index}",
        last_name="Maes",
        birth_date=birth_date,
        gender=Gender.FEMALE,
        language=Language.DUTCH,
        household_relation=relation,
        **extra,
    )


def test_population_import_inserts_households_at_their_addresses_with_one_audit_line():
    existing = AddressFactory(street_name="Kerkstraat", house_number="1")
    kerkstraat = AddressData(
        street_name="Kerkstraat",
        house_number="1",
        postcode="8770",
        municipality_name="Mandelmunster",
        nis_code="36007",
    )
    molenstraat = AddressData(
        street_name="Molenstraat",
        house_number="2",
        box_number="1",
        postcode="8770",
        municipality_name="Mandelmunster",
        nis_code="36007",
    )
    result = population_import(
        actor=None,
        reason="Eerste lading van het bevolkingsregister",
        households=[
            HouseholdImport(
                reference="G1",
                address=kerkstraat,
                members=(_member(0, HouseholdRelation.HEAD), _member(1, HouseholdRelation.CHILD)),
            ),
            HouseholdImport(
                reference="G2",
                address=molenstraat,
                members=(_member(2, HouseholdRelation.HEAD, prefers_paper=True),),
            ),
        ],
    )
    assert (result.addresses, result.households, result.persons, result.rows) == (2, 2, 3, 7)
    assert Address.objects.count() == 2  # Kerkstraat 1 was reused
    first, second = Person.objects.filter(household__reference="G1").order_by("birth_date")
    assert first.address == existing == second.address
    assert first.search_name == "maes lies0"
    paper = Person.objects.get(household__reference="G2")
    assert paper.prefers_paper
    assert str(paper.address) == "Molenstraat 2 bus 1, 8770 Mandelmunster"
    event = AuditEvent.objects.get()
    assert event.reason == "Eerste lading van het bevolkingsregister"
    assert event.changes == {"persons": 3, "households": 2}


def test_population_import_refuses_an_invalid_number_and_keeps_nothing():
    bad = PersonImport(
        national_number="85073003329",
        first_name="Jan",
        last_name="Peeters",
        birth_date=dt.date(1985, 7, 30),
        gender=Gender.MALE,
        language=Language.DUTCH,
        household_relation=HouseholdRelation.HEAD,
    )
    address = AddressData(
        street_name="Kerkstraat",
        house_number="1",
        postcode="8770",
        municipality_name="Mandelmunster",
        nis_code="36007",
    )
    with pytest.raises(ValidationError) as caught:
        population_import(
            actor=None,
            reason="test",
            households=[HouseholdImport(reference="G9", address=address, members=(bad,))],
        )
    assert "G9" in caught.value.messages[0]
    assert "85073003329" not in caught.value.messages[0]
    assert not Address.objects.exists()


def test_household_company_and_association(staff_user):
    address = AddressFactory()
    household = household_create(actor=staff_user, reference=" G-1 ", address=address)
    assert household.reference == "G-1"
    company = company_create(
        actor=staff_user,
        enterprise_number="BE 0403.170.701",
        name="Bakkerij De Mandel",
        legal_form="bv",
        registered_address_id=address.pk,
    )
    assert company.enterprise_number == "0403170701"
    assert company.formatted_enterprise_number == "0403.170.701"
    with pytest.raises(ValidationError) as caught:
        company_create(actor=staff_user, enterprise_number="0403170702", name="X", legal_form="bv")
    assert "enterprise_number" in caught.value.message_dict
    chair = PersonFactory()
    association = association_create(
        actor=staff_user, name="KSA Mandelmunster", chair_id=chair.pk, address_id=address.pk
    )
    assert association.chair == chair
    assert AuditEvent.objects.filter(subject_person_id=chair.pk).exists()
