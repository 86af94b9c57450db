"""Writes of the people module.

Every change to a person's data writes an audit line (``audit_record``) in the same
transaction, with the person as ``subject_person_id`` so that they can see it. Audit
lines name the fields that changed, never their values: the audit log is append-only
and must not become a second, unerasable copy of personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loket.core.constants import AuditAction
from loket.core.services import audit_record
from loket.people.constants import Gender, Language
from loket.people.models import (
    Address,
    Association,
    Company,
    CompanyRepresentative,
    Household,
    Person,
    search_key,
)
from loket.people.types import (
    EnterpriseNumber,
    HouseholdImport,
    IdentityCardNumber,
    NationalNumber,
    PersonChanges,
    PopulationImportResult,
)

if TYPE_CHECKING:
    from loket.core.services import User

logger = logging.getLogger(__name__)

# Rows per INSERT statement in bulk imports. PostgreSQL takes at most 65,535
# parameters per statement; Django lowers this further on SQLite (999 parameters).
IMPORT_BATCH_SIZE = 1000

_UPDATABLE = frozenset(PersonChanges.__annotations__)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- Addresses and households ----------------------------------------------------


def address_get_or_create(
    *,
    street_name: str,
    house_number: str,
    postcode: str,
    municipality_name: str,
    nis_code: str,
    box_number: str = "",
    register_id: str = "",
) -> Address:
    """The address with this street, house number, box and postcode; created when new."""
    address = Address(
        street_name=_one_line(street_name),
        house_number=_one_line(house_number),
        box_number=_one_line(box_number),
        postcode=postcode.strip(),
        municipality_name=_one_line(municipality_name),
        nis_code=nis_code.strip(),
        register_id=register_id.strip(),
    )
    address.full_clean(validate_unique=False, validate_constraints=False)
    found, _created = Address.objects.get_or_create(
        street_name=address.street_name,
        house_number=address.house_number,
        box_number=address.box_number,
        postcode=address.postcode,
        defaults={
            "municipality_name": address.municipality_name,
            "nis_code": address.nis_code,
            "register_id": address.register_id,
        },
    )
    return found


@transaction.atomic
def household_create(*, actor: User | None, reference: str, address: Address) -> Household:
    household = Household(reference=reference.strip(), address=address)
    household.full_clean()
    household.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=household)
    return household


# --- Persons -----------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    national_number: str,
    first_name: str,
    last_name: str,
    birth_date: date | None = None,
    gender: str | None = None,
    language: str = Language.DUTCH,
    address: Address | None = None,
    household: Household | None = None,
    household_relation: str = "",
    prefers_paper: bool = False,
    email: str = "",
    phone: str = "",
    reason: str = "",
) -> Person:
    """Register a person. Birth date and gender default to what the national number
    encodes, and must agree with it when given.

    Raises ``ValidationError`` (per field) for a bad or already known number.
    """
    try:
        number = NationalNumber.parse(national_number)
    except ValidationError as error:
        raise ValidationError({"national_number": error.error_list}) from None
    encoded_birth_date = number.birth_date
    if birth_date is None:
        birth_date = encoded_birth_date
    if birth_date is None:
        raise ValidationError(
            {"birth_date": _("This national number does not say the date of birth: give it.")}
        )
    if encoded_birth_date is not None and birth_date != encoded_birth_date:
        raise ValidationError(
            {"birth_date": _("The date of birth does not match the national number.")}
        )
    if gender is None:
        gender = number.gender
    elif number.gender != Gender.UNKNOWN and gender != number.gender:
        raise ValidationError({"gender": _("The gender does not match the national number.")})

    if address is None and household is not None:
        address = household.address
    person = Person(
        national_number=number.value,
        first_name=_one_line(first_name),
        last_name=_one_line(last_name),
        birth_date=birth_date,
        gender=gender,
        language=language,
        address=address,
        household=household,
        household_relation=household_relation,
        prefers_paper=prefers_paper,
        email=email.strip(),
        phone=phone.strip(),
    )
    person.full_clean()
    person.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=person,
        subject_person_id=person.pk,
        reason=reason,
    )
    logger.info("person %s registered", person.pk)
    return person


@transaction.atomic
def person_update(
    *, actor: User | None, person: Person, changes: PersonChanges, reason: str = ""
) -> Person:
    """Change a person's data and record which fields changed (not their values).

    Returns the person as saved; the instance passed in is not changed. Raises
    ``ValidationError`` when a new value is not acceptable.
    """
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValueError(f"person_update cannot change: {', '.join(sorted(unknown))}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    values: dict[str, Any] = dict(changes)
    for name in ("first_name", "last_name"):
        if name in values:
            values[name] = _one_line(values[name])
    if values.get("identity_card_number"):
        try:
            values["identity_card_number"] = IdentityCardNumber.parse(
                values["identity_card_number"]
            ).value
        except ValidationError as error:
            raise ValidationError({"identity_card_number": error.error_list}) from None
    changed = sorted(name for name, value in values.items() if getattr(person, name) != value)
    if not changed:
        return person
    for name in changed:
        setattr(person, name, values[name])
    person.full_clean(validate_unique=False, validate_constraints=False)
    person.save(update_fields=changed)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=person,
        subject_person_id=person.pk,
        reason=reason,
        changes={"fields": changed},
    )
    logger.info("person %s changed: %s", person.pk, ", ".join(changed))
    return person


@transaction.atomic
def population_import(
    *, actor: User | None, households: Sequence[HouseholdImport], reason: str
) -> PopulationImportResult:
    """Insert an extract of the population register in bulk: its addresses (reused
    when they exist), households and members, in one transaction and one audit line.

    For the initial load of a register and for the demo municipality; the households
    and persons must be new. Send large extracts in chunks of a few thousand
    households, so that memory stays bounded.
    """
    addresses: dict[tuple[str, str, str, str], Address] = {}
    for household in households:
        data = household.address
        if data.key not in addresses:
            addresses[data.key] = Address(
                street_name=data.street_name,
                house_number=data.house_number,
                box_number=data.box_number,
                postcode=data.postcode,
                municipality_name=data.municipality_name,
                nis_code=data.nis_code,
                register_id=data.register_id,
            )
    # An upsert that returns the id of every address, new or existing.
    Address.objects.bulk_create(
        addresses.values(),
        batch_size=IMPORT_BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["street_name", "house_number", "box_number", "postcode"],
        update_fields=["municipality_name", "nis_code"],
    )
    household_rows = Household.objects.bulk_create(
        [
            Household(reference=household.reference, address_id=addresses[household.address.key].pk)
            for household in households
        ],
        batch_size=IMPORT_BATCH_SIZE,
    )
    persons: list[Person] = []
    for household, row in zip(households, household_rows, strict=True):
        address_id = row.address_id
        for member in household.members:
            try:
                number = NationalNumber.parse(member.national_number).value
            except ValidationError as error:
                raise ValidationError(
                    _("Household %(reference)s: %(problem)s"),
                    params={"reference": household.reference, "problem": error.messages[0]},
                ) from None
            persons.append(
                Person(
                    national_number=number,
                    first_name=member.first_name,
                    last_name=member.last_name,
                    search_name=search_key(member.last_name, member.first_name),
                    birth_date=member.birth_date,
                    gender=member.gender,
                    language=member.language,
                    household_id=row.pk,
                    household_relation=member.household_relation,
                    address_id=address_id,
                    prefers_paper=member.prefers_paper,
                    email=member.email,
                    phone=member.phone,
                    identity_card_number=member.identity_card_number,
                )
            )
    Person.objects.bulk_create(persons, batch_size=IMPORT_BATCH_SIZE)
    result = PopulationImportResult(
        addresses=len(addresses), households=len(household_rows), persons=len(persons)
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=Person._meta.label_lower,
        object_label=f"population import: {result.persons} persons, {result.households} households",
        reason=reason,
        changes={"persons": result.persons, "households": result.households},
    )
    return result


# --- Companies and associations --------------------------------------------------


@transaction.atomic
def company_create(
    *,
    actor: User | None,
    enterprise_number: str,
    name: str,
    legal_form: str,
    registered_address_id: int | None = None,
) -> Company:
    try:
        number = EnterpriseNumber.parse(enterprise_number)
    except ValidationError as error:
        raise ValidationError({"enterprise_number": error.error_list}) from None
    company = Company(
        enterprise_number=number.value,
        name=_one_line(name),
        legal_form=legal_form,
        registered_address_id=registered_address_id,
    )
    company.full_clean()
    company.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=company)
    return company


@transaction.atomic
def association_create(
    *,
    actor: User | None,
    name: str,
    chair_id: int | None = None,
    address_id: int | None = None,
    email: str = "",
    enterprise_number: str = "",
) -> Association:
    number = ""
    if enterprise_number.strip():
        try:
            number = EnterpriseNumber.parse(enterprise_number).value
        except ValidationError as error:
            raise ValidationError({"enterprise_number": error.error_list}) from None
    association = Association(
        name=_one_line(name),
        enterprise_number=number,
        chair_id=chair_id,
        address_id=address_id,
        email=email.strip(),
    )
    association.full_clean()
    association.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=association,
        subject_person_id=chair_id,
        changes={"fields": ["chair"]} if chair_id else {},
    )
    return association


@transaction.atomic
def company_representative_add(
    *, actor: User | None, company_id: int, person_id: int, function: str, since: date
) -> CompanyRepresentative:
    """Record (from the KBO) that a person may act for a company; an existing
    representation gets the new function and date."""
    function = _one_line(function)
    if not function:
        raise ValidationError({"function": _("Give the function, e.g. zaakvoerder.")})
    company = Company.objects.select_for_update().get(pk=company_id)
    representative, created = CompanyRepresentative.objects.update_or_create(
        company=company, person_id=person_id, defaults={"function": function, "since": since}
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target=representative,
        object_label=f"{function} of {company.name}",
        subject_person_id=person_id,
        reason="company representatives (KBO)",
        changes={"company": company.pk, "function": function},
    )
    return representative
