from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from stdnum.be import bis, nn, vat

from loket.people.constants import Gender
from loket.people.types import (
    EnterpriseNumber,
    NationalNumber,
    RegistryPerson,
    mask_national_number,
)


@pytest.mark.parametrize(
    ("birth_date", "gender"),
    [
        (dt.date(1985, 7, 30), Gender.MALE),
        (dt.date(1927, 2, 28), Gender.FEMALE),
        (dt.date(2000, 1, 1), Gender.MALE),  # births from 2000 put a 2 before the nine digits
        (dt.date(2024, 2, 29), Gender.FEMALE),
    ],
)
def test_composed_numbers_are_valid_and_encode_birth_date_and_gender(birth_date, gender):
    for index in (0, 1, 250, 498):
        number = NationalNumber.compose(birth_date=birth_date, gender=gender, index=index).value
        assert nn.is_valid(number)
        assert nn.get_birth_date(number) == birth_date
        assert nn.get_gender(number) == gender


def test_stdnum_reference_number_composes_the_same():
    # The day counter 033 is the 17th man born that day.
    number = NationalNumber.compose(birth_date=dt.date(1985, 7, 30), gender=Gender.MALE, index=16)
    assert number.value == "85073003328"


def test_compose_refuses_what_no_number_can_hold():
    with pytest.raises(ValueError, match="man or a woman"):
        NationalNumber.compose(birth_date=dt.date(1990, 1, 1), gender=Gender.UNKNOWN, index=0)
    with pytest.raises(ValueError, match="499"):
        NationalNumber.compose(birth_date=dt.date(1990, 1, 1), gender=Gender.MALE, index=499)


def test_parse_accepts_usual_notations_and_bis_numbers():
    assert NationalNumber.parse("85.07.30-033.28").value == "85073003328"
    assert NationalNumber.parse(" 85 07 30 033 28 ").value == "85073003328"
    parsed = NationalNumber.parse("98.47.28-997.65")
    assert bis.is_valid(parsed.value)
    assert parsed.is_bis
    assert parsed.gender == Gender.MALE
    assert parsed.birth_date == dt.date(1998, 7, 28)
    assert NationalNumber.parse("01490700185").gender == Gender.MALE


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        ("85.07.30-033.29", "national_number_checksum", "check digits"),
        ("85.07.30-033", "national_number_format", "11 digits"),
        ("85.07.3O-033.28", "national_number_format", "11 digits"),
        ("85.13.30-033.70", "national_number_date", "date of birth"),
    ],
)
def test_bad_numbers_are_refused_with_a_message_that_says_what_to_correct(typed, code, words):
    with pytest.raises(ValidationError) as caught:
        NationalNumber.parse(typed)
    assert caught.value.code == code
    with translation.override("en"):
        message = str(caught.value.messages[0])
    assert words in message
    # The message never repeats the number that was typed.
    assert typed not in message
    assert "0330" not in message.replace(".", "")


def test_messages_are_translatable():
    with pytest.raises(ValidationError) as caught:
        NationalNumber.parse("85.07.30-033.29")
    assert isinstance(caught.value.message, Promise)


def test_masked_forms_show_only_the_birth_date():
    assert mask_national_number("85073003328") == "85.07.30-***.**"
    assert mask_national_number("85.07.30-033.28") == "85.07.30-***.**"
    assert mask_national_number("garbage") == "**.**.**-***.**"
    number = NationalNumber.parse("85073003328")
    assert str(number) == "85.07.30-***.**"
    assert "033" not in repr(number)


def test_registry_person_repr_leaves_the_number_out():
    person = RegistryPerson(
        national_number="85073003328",
        first_name="Jan",
        last_name="Peeters",
        birth_date=dt.date(1985, 7, 30),
        gender=Gender.MALE,
        language="nl",
        address=None,
        household_reference="",
        household_relation="",
        date_of_death=None,
    )
    assert "85073003328" not in repr(person)
    assert person.masked_national_number == "85.07.30-***.**"


def test_enterprise_numbers():
    assert EnterpriseNumber.parse("BE 0403.170.701").value == "0403170701"
    assert EnterpriseNumber.parse("0403170701").formatted == "0403.170.701"
    for first_digits in (4031707, 19000001, 10000000):
        assert vat.is_valid(EnterpriseNumber.compose(first_digits=first_digits).value)
    with pytest.raises(ValidationError) as caught:
        EnterpriseNumber.parse("0403170702")
    assert caught.value.code == "enterprise_number"
