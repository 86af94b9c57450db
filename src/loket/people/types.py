"""Frozen data that other modules give to and receive from the people module.

National numbers are personal data that must never be shown in full or logged: every
type here leaves them out of ``repr()``, and summaries carry only the masked form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.be import bis, nn, vat

from loket.people.constants import Gender

_MASK = "***.**"


def mask_national_number(number: str) -> str:
    """The national number with only its birth-date part visible: ``85.07.30-***.**``."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 11:
        return f"**.**.**-{_MASK}"
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}-{_MASK}"


def format_address(
    *, street_name: str, house_number: str, box_number: str, postcode: str, municipality_name: str
) -> str:
    """One line, as on an envelope: ``Stationsstraat 12 bus 3, 8770 Ingelmunster``."""
    box = f" bus {box_number}" if box_number else ""
    return f"{street_name} {house_number}{box}, {postcode} {municipality_name}"


# --- Identifiers -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NationalNumber:
    """A valid Belgian national number (rijksregisternummer) or BIS number, compact.

    ``str()`` and ``repr()`` show only the masked form; ``value`` holds all 11 digits.
    """

    value: str = field(repr=False)

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        return mask_national_number(self.value)

    @property
    def is_bis(self) -> bool:
        return int(self.value[2:4]) >= 20

    @property
    def birth_date(self) -> date | None:
        """The birth date it encodes (None when the register did not know it)."""
        return nn.get_birth_date(self.value)

    @property
    def gender(self) -> str:
        """``Gender.MALE``/``FEMALE`` from the counter's parity; ``UNKNOWN`` for a BIS
        number issued without a known gender."""
        if self.is_bis and int(self.value[2:4]) < 40:
            return Gender.UNKNOWN
        return Gender.MALE if int(self.value[6:9]) % 2 else Gender.FEMALE

    @classmethod
    def parse(cls, text: str) -> NationalNumber:
        """Validate a national or BIS number as typed (dots, dashes and spaces allowed).

        Raises Django's ``ValidationError`` with a message that says what to correct.
        """
        try:
            return cls(nn.validate(text))
        except stdnum_errors.InvalidComponent:
            # Not a national number; a BIS number adds 20 or 40 to the month.
            try:
                return cls(bis.validate(text))
            except stdnum_errors.ValidationError as error:
                raise _national_number_error(error) from None
        except stdnum_errors.ValidationError as error:
            raise _national_number_error(error) from None

    @classmethod
    def compose(cls, *, birth_date: date, gender: str, index: int) -> NationalNumber:
        """The national number of the ``index``-th (0-based) man or woman registered
        with ``birth_date``: the day counter is odd for men, even for women.

        The check digits are 97 minus the first nine digits modulo 97, with a "2"
        put in front of them for births from 2000 on.
        """
        if gender not in (Gender.MALE, Gender.FEMALE):
            raise ValueError("a national number encodes a man or a woman")
        if not 0 <= index <= 498:
            raise ValueError("at most 499 men and 499 women per birth date")
        counter = 2 * index + (1 if gender == Gender.MALE else 2)
        body = f"{birth_date:%y%m%d}{counter:03d}"
        base = int(("2" if birth_date.year >= 2000 else "") + body)
        return cls(f"{body}{97 - base % 97:02d}")


def _national_number_error(error: Exception) -> ValidationError:
    if isinstance(error, stdnum_errors.InvalidLength | stdnum_errors.InvalidFormat):
        message = _("A national number has 11 digits, written as YY.MM.DD-XXX.CC.")
        code = "national_number_format"
    elif isinstance(error, stdnum_errors.InvalidChecksum):
        message = _(
            "The last two digits (the check digits) do not match: please check the "
            "national number for a typing error."
        )
        code = "national_number_checksum"
    else:
        message = _("This national number does not contain a valid date of birth.")
        code = "national_number_date"
    return ValidationError(message, code=code)


@dataclass(frozen=True, slots=True)
class EnterpriseNumber:
    """A valid enterprise number of the Crossroads Bank for Enterprises (KBO/BCE)."""

    value: str

    def __str__(self) -> str:
        return self.formatted

    @property
    def formatted(self) -> str:
        """As the KBO writes it: ``0403.170.701``."""
        return f"{self.value[0:4]}.{self.value[4:7]}.{self.value[7:10]}"

    @classmethod
    def parse(cls, text: str) -> EnterpriseNumber:
        """Validate an enterprise (or Belgian VAT) number as typed; ``BE`` prefix allowed."""
        try:
            return cls(vat.validate(text))
        except stdnum_errors.ValidationError:
            raise ValidationError(
                _(
                    "This is not a valid enterprise number: it has 10 digits, starts "
                    "with 0 or 1, e.g. 0403.170.701."
                ),
                code="enterprise_number",
            ) from None

    @classmethod
    def compose(cls, *, first_digits: int) -> EnterpriseNumber:
        """The enterprise number whose first eight digits are ``first_digits``; the last
        two make the whole number divisible by 97."""
        if not 0 < first_digits < 2 * 10**7:
            raise ValueError("an enterprise number starts with 0 or 1 and has 10 digits")
        return cls(f"{first_digits:08d}{97 - first_digits % 97:02d}")


@dataclass(frozen=True, slots=True)
class IdentityCardNumber:
    """The number of a Belgian identity card (eID): 12 digits, the last two are the
    first ten modulo 97 (97 when that is 0). Written ``592-1234567-89``.

    It proves that someone holds the card at the counter, so it is treated like a
    secret: ``str()`` and ``repr()`` show only the masked form, and it is never logged.
    """

    value: str = field(repr=False)

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        return mask_identity_card_number(self.value)

    @staticmethod
    def check_digits(first_ten: str) -> str:
        remainder = int(first_ten) % 97
        return f"{remainder or 97:02d}"

    @classmethod
    def parse(cls, text: str) -> IdentityCardNumber:
        """Validate a card number as typed (dashes, dots and spaces allowed)."""
        if not all(ch.isdigit() or ch in " -./" for ch in text):
            raise ValidationError(
                _("An identity card number has 12 digits, e.g. 592-1234567-89."),
                code="identity_card_format",
            )
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) != 12:
            raise ValidationError(
                _("An identity card number has 12 digits, e.g. 592-1234567-89."),
                code="identity_card_format",
            )
        if cls.check_digits(digits[:10]) != digits[10:]:
            raise ValidationError(
                _(
                    "The last two digits (the check digits) do not match: please check "
                    "the card number for a typing error."
                ),
                code="identity_card_checksum",
            )
        return cls(digits)

    @classmethod
    def compose(cls, *, first_ten: int) -> IdentityCardNumber:
        """The card number whose first ten digits are ``first_ten``."""
        if not 0 <= first_ten < 10**10:
            raise ValueError("the first part of a card number has ten digits")
        body = f"{first_ten:010d}"
        return cls(body + cls.check_digits(body))


def mask_identity_card_number(number: str) -> str:
    """Only the last two digits visible: ``***-*******-89``."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 12:
        return "***-*******-**"
    return f"***-*******-{digits[10:]}"


# --- Input ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddressData:
    """An address as the address register (Adressenregister, OSLO Adres) describes it."""

    street_name: str
    house_number: str
    postcode: str
    municipality_name: str
    nis_code: str
    box_number: str = ""
    register_id: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What makes an address unique: street, house number, box and postcode."""
        return (self.street_name, self.house_number, self.box_number, self.postcode)

    @property
    def label(self) -> str:
        return format_address(
            street_name=self.street_name,
            house_number=self.house_number,
            box_number=self.box_number,
            postcode=self.postcode,
            municipality_name=self.municipality_name,
        )


@dataclass(frozen=True, slots=True)
class PersonImport:
    """One resident in an extract of the population register."""

    national_number: str = field(repr=False)
    first_name: str
    last_name: str
    birth_date: date
    gender: str
    language: str
    household_relation: str
    prefers_paper: bool = False
    email: str = ""
    phone: str = ""
    identity_card_number: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class HouseholdImport:
    """One household with its address and members, head first."""

    reference: str
    address: AddressData
    members: tuple[PersonImport, ...]


class PersonChanges(TypedDict, total=False):
    """What ``person_update`` may change; the national number, birth date and gender
    come from the register and are not edited by hand."""

    first_name: str
    last_name: str
    language: str
    household_id: int | None
    household_relation: str
    address_id: int | None
    date_of_death: date | None
    prefers_paper: bool
    email: str
    phone: str
    identity_card_number: str


# --- Output --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PopulationImportResult:
    addresses: int
    households: int
    persons: int

    @property
    def rows(self) -> int:
        return self.addresses + self.households + self.persons


@dataclass(frozen=True, slots=True)
class AddressSummary:
    id: int
    street_name: str
    house_number: str
    box_number: str
    postcode: str
    municipality_name: str

    @property
    def label(self) -> str:
        return format_address(
            street_name=self.street_name,
            house_number=self.house_number,
            box_number=self.box_number,
            postcode=self.postcode,
            municipality_name=self.municipality_name,
        )

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """A resident as lists and other modules see them: never the full national number."""

    id: int
    first_name: str
    last_name: str
    masked_national_number: str
    birth_date: date
    gender: str
    language: str
    household_id: int | None
    household_relation: str
    address: AddressSummary | None
    date_of_death: date | None
    prefers_paper: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_deceased(self) -> bool:
        return self.date_of_death is not None

    def __str__(self) -> str:
        return self.full_name


@dataclass(frozen=True, slots=True)
class PersonPage:
    """One page of a keyset-paginated list; pass ``next_cursor`` as ``after``."""

    items: tuple[PersonSummary, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class AgeGroupCount:
    first_age: int
    last_age: int | None
    count: int

    @property
    def label(self) -> str:
        if self.last_age is None:
            return f"{self.first_age}+"
        return f"{self.first_age}–{self.last_age}"


@dataclass(frozen=True, slots=True)
class RegistryPerson:
    """A person as the population register knows them, for once-only prefilling.

    The full national number is here because the caller asked for it by number; it
    stays out of ``repr()`` so it cannot end up in a log or a traceback.
    """

    national_number: str = field(repr=False)
    first_name: str
    last_name: str
    birth_date: date
    gender: str
    language: str
    address: AddressSummary | None
    household_reference: str
    household_relation: str
    date_of_death: date | None

    @property
    def masked_national_number(self) -> str:
        return mask_national_number(self.national_number)


@dataclass(frozen=True, slots=True)
class CompanySummary:
    id: int
    enterprise_number: str
    name: str
    legal_form: str
    registered_address: AddressSummary | None


@dataclass(frozen=True, slots=True)
class CompanyRepresentation:
    """A person who may act for a company according to the KBO (e.g. its zaakvoerder)."""

    company_id: int
    company_name: str
    enterprise_number: str
    person_id: int
    function: str
    since: date

    @property
    def formatted_enterprise_number(self) -> str:
        return EnterpriseNumber(self.enterprise_number).formatted


@dataclass(frozen=True, slots=True)
class AssociationSummary:
    id: int
    name: str
    chair_id: int | None
