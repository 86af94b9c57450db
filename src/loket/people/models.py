"""Residents, households, addresses, companies and associations.

The national number is personal data of the most sensitive kind: it is stored compact
(11 digits), shown only masked, and never part of ``str()`` or ``repr()``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _

from loket.people.constants import Gender, HouseholdRelation, Language, LegalForm
from loket.people.types import (
    AddressSummary,
    EnterpriseNumber,
    IdentityCardNumber,
    NationalNumber,
    PersonSummary,
    RegistryPerson,
)

postcode_validator = RegexValidator(r"^[1-9]\d{3}$", _("A Belgian postcode has four digits."))
nis_code_validator = RegexValidator(r"^\d{5}$", _("A NIS code has five digits, e.g. 36007."))


def validate_national_number(value: str) -> None:
    NationalNumber.parse(value)


def validate_enterprise_number(value: str) -> None:
    EnterpriseNumber.parse(value)


def validate_identity_card_number(value: str) -> None:
    """12 digits, the last two the first ten modulo 97 (97 when 0); stored compact."""
    if IdentityCardNumber.parse(value).value != value:
        raise ValidationError(
            _("Store the identity card number as 12 digits, without separators."),
            code="identity_card_compact",
        )


def search_key(*parts: str) -> str:
    """Names folded for prefix search: lower case, no accents, no apostrophes, other
    punctuation as spaces. ``D'Hondt-Van Eecke, Zoë`` becomes ``dhondt van eecke zoe``."""
    text = unicodedata.normalize("NFKD", " ".join(parts).lower())
    folded = []
    for ch in text:
        if ch.isascii() and ch.isalnum():
            folded.append(ch)
        elif ch in "'’`´" or unicodedata.combining(ch):
            continue
        else:
            folded.append(" ")
    return " ".join("".join(folded).split())


class SearchKeyField(models.CharField):
    """A folded search key with the ``prefix`` lookup, which both databases answer from
    the column's index (see ``PrefixLookup``)."""


@SearchKeyField.register_lookup
class PrefixLookup(Lookup):
    """``startswith`` that uses the index: SQLite's LIKE ignores case and so cannot use
    an ordinary index, but GLOB can; PostgreSQL's LIKE uses the ``_like`` pattern index
    that Django adds to indexed character columns. Keys hold only ``[a-z0-9 ]``, so no
    pattern character needs escaping beyond the guard below."""

    lookup_name = "prefix"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        value = str(self.rhs)
        if any(ch in value for ch in "%_*?[]\\"):
            raise ValueError("search keys hold only letters, digits and spaces")
        if connection.vendor == "sqlite":
            return f"{lhs} GLOB %s", [*lhs_params, f"{value}*"]
        return f"{lhs} LIKE %s", [*lhs_params, f"{value}%"]


class Address(models.Model):
    """An address of the address register (Adressenregister), one per box number."""

    street_name = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20)
    box_number = models.CharField(_("box number"), max_length=20, blank=True, default="")
    postcode = models.CharField(_("postcode"), max_length=4, validators=[postcode_validator])
    municipality_name = models.CharField(_("municipality"), max_length=100)
    nis_code = models.CharField(_("NIS code"), max_length=5, validators=[nis_code_validator])
    register_id = models.CharField(
        _("address register ID"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("The identifier of this address in the Flemish address register."),
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["postcode", "street_name", "house_number", "box_number"]
        constraints = [
            # Also the index for filtering by street (its first column).
            models.UniqueConstraint(
                fields=["street_name", "house_number", "box_number", "postcode"],
                name="people_address_unique",
            ),
            models.UniqueConstraint(
                fields=["register_id"],
                condition=~models.Q(register_id=""),
                name="people_address_register_id",
            ),
        ]

    def __str__(self) -> str:
        return self.to_summary().label

    def to_summary(self) -> AddressSummary:
        return AddressSummary(
            id=self.pk,
            street_name=self.street_name,
            house_number=self.house_number,
            box_number=self.box_number,
            postcode=self.postcode,
            municipality_name=self.municipality_name,
        )


class Household(models.Model):
    """A household (gezin) of the population register; its members are persons."""

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    address = models.ForeignKey(
        Address, on_delete=models.PROTECT, related_name="households", verbose_name=_("address")
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["reference"]

    def __str__(self) -> str:
        return self.reference


class PersonQuerySet(models.QuerySet["Person"]):
    def alive(self) -> PersonQuerySet:
        return self.filter(date_of_death__isnull=True)

    def in_household_order(self) -> PersonQuerySet:
        """The head of household first, then from oldest to youngest."""
        return self.annotate(
            _not_head=models.Case(
                models.When(household_relation=HouseholdRelation.HEAD, then=models.Value(0)),
                default=models.Value(1),
                output_field=models.IntegerField(),
            )
        ).order_by("_not_head", "birth_date", "id")


class Person(models.Model):
    """A natural person known to the municipality, usually from the population register."""

    national_number = models.CharField(
        _("national number"),
        max_length=11,
        unique=True,
        validators=[validate_national_number],
        help_text=_("Rijksregisternummer or BIS number, 11 digits. Never shown in full."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    search_name = SearchKeyField(max_length=210, db_index=True, editable=False)
    birth_date = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    household_relation = models.CharField(
        _("relation to the head of household"),
        max_length=20,
        choices=HouseholdRelation.choices,
        blank=True,
    )
    address = models.ForeignKey(
        Address,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("address"),
    )
    date_of_death = models.DateField(_("date of death"), null=True, blank=True)
    prefers_paper = models.BooleanField(
        _("prefers paper"),
        default=False,
        help_text=_("Send letters on paper, also when an e-mail address is known."),
    )
    # Not verified yet: contact details the resident gave, used only as a courtesy.
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=30, blank=True, default="")
    # The number of the resident's current identity card (eID), from the register. The
    # counter checks it before serving someone on their behalf: never logged, shown
    # masked only.
    identity_card_number = models.CharField(
        _("identity card number"),
        max_length=12,
        blank=True,
        default="",
        validators=[validate_identity_card_number],
        help_text=_("The number of the current eID card, 12 digits. Never shown in full."),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # Keyset pagination of every list of persons.
            models.Index(fields=["last_name", "first_name", "id"], name="people_person_name"),
            models.Index(fields=["birth_date"], name="people_person_birth_date"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        return f"<Person {self.pk}: {self.full_name}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The search key is derived data; keep it in step with the names it folds.
        self.search_name = search_key(self.last_name, self.first_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_national_number(self) -> str:
        return NationalNumber(self.national_number).masked

    @property
    def masked_identity_card_number(self) -> str:
        return IdentityCardNumber(self.identity_card_number).masked

    def to_summary(self) -> PersonSummary:
        """Load ``address`` with ``select_related`` first, or this costs a query."""
        return PersonSummary(
            id=self.pk,
            first_name=self.first_name,
            last_name=self.last_name,
            masked_national_number=self.masked_national_number,
            birth_date=self.birth_date,
            gender=self.gender,
            language=self.language,
            household_id=self.household_id,
            household_relation=self.household_relation,
            address=self.address.to_summary() if self.address is not None else None,
            date_of_death=self.date_of_death,
            prefers_paper=self.prefers_paper,
        )

    def to_registry_person(self) -> RegistryPerson:
        """Load ``address`` and ``household`` with ``select_related`` first."""
        return RegistryPerson(
            national_number=self.national_number,
            first_name=self.first_name,
            last_name=self.last_name,
            birth_date=self.birth_date,
            gender=self.gender,
            language=self.language,
            address=self.address.to_summary() if self.address is not None else None,
            household_reference=self.household.reference if self.household is not None else "",
            household_relation=self.household_relation,
            date_of_death=self.date_of_death,
        )


class Company(models.Model):
    """An enterprise of the Crossroads Bank for Enterprises (KBO/BCE)."""

    enterprise_number = models.CharField(
        _("enterprise number"),
        max_length=10,
        unique=True,
        validators=[validate_enterprise_number],
        help_text=_("KBO number, 10 digits."),
    )
    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=12, choices=LegalForm.choices)
    registered_address = models.ForeignKey(
        Address,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="companies",
        verbose_name=_("registered address"),
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="people_company_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def formatted_enterprise_number(self) -> str:
        return EnterpriseNumber(self.enterprise_number).formatted


class Association(models.Model):
    """An association (vereniging): a club, a youth movement, a non-profit."""

    name = models.CharField(_("name"), max_length=200)
    enterprise_number = models.CharField(
        _("enterprise number"),
        max_length=10,
        blank=True,
        default="",
        validators=[validate_enterprise_number],
        help_text=_("KBO number, for associations that have one (a VZW)."),
    )
    chair = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_associations",
        verbose_name=_("chair"),
    )
    address = models.ForeignKey(
        Address,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="associations",
        verbose_name=_("address"),
    )
    email = models.EmailField(_("e-mail"), blank=True, default="")

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_number"],
                condition=~models.Q(enterprise_number=""),
                name="people_association_enterprise_number",
            )
        ]
        indexes = [models.Index(fields=["name"], name="people_association_name")]

    def __str__(self) -> str:
        return self.name


class CompanyRepresentative(models.Model):
    """Who may act for a company according to the Crossroads Bank for Enterprises
    (KBO): its zaakvoerder, director or another mandated function."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="representatives",
        verbose_name=_("company"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="represented_companies",
        verbose_name=_("person"),
    )
    function = models.CharField(
        _("function"), max_length=100, help_text=_("As the KBO records it, e.g. zaakvoerder.")
    )
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("company representative")
        verbose_name_plural = _("company representatives")
        ordering = ["company__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "person"], name="people_company_representative_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.function} of company {self.company_id}"
