"""Reads of the people module. Lists are keyset-paginated and cost one query."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from loket.core.selectors import BakedQuery
from loket.people.constants import AGE_GROUPS, HouseholdRelation
from loket.people.models import (
    Association,
    Company,
    CompanyRepresentative,
    Person,
    PersonQuerySet,
    search_key,
)
from loket.people.registry.base import PopulationRegistry
from loket.people.registry.embedded import EmbeddedPopulationRegistry
from loket.people.types import (
    AgeGroupCount,
    AssociationSummary,
    CompanyRepresentation,
    CompanySummary,
    EnterpriseNumber,
    IdentityCardNumber,
    NationalNumber,
    PersonPage,
    PersonSummary,
    mask_national_number,
)

__all__ = [
    "associations_chaired_by",
    "companies_represented_by",
    "company_get",
    "company_get_by_enterprise_number",
    "company_id_by_name",
    "household_members",
    "mask_national_number",
    "minors_in_care_of",
    "person_count",
    "person_get",
    "person_get_by_national_number",
    "person_identity_card_matches",
    "person_name_filter",
    "person_search",
    "person_search_by_name_and_birth_date",
    "registry_get",
    "resident_count_by_age_group",
    "search_key",
]

MAX_PAGE_SIZE = 100
# Up to this many words of a query are tried in every rotation ("jan peeters" finds
# "Peeters, Jan"); more words add nothing but OR branches.
_MAX_QUERY_WORDS = 4
_NUMBER_LIKE = re.compile(r"[\d\s./-]+")


def _persons() -> PersonQuerySet:
    return Person.objects.select_related("address")


# A request form reads the resident and their household to prefill it: their SQL is
# built once (ADR 0020).
_PERSON: BakedQuery[Person] = BakedQuery(
    lambda shape, pk: _persons().filter(pk=pk)[:1], name="person by id"
)
_HOUSEHOLD: BakedQuery[Person] = BakedQuery(
    lambda shape, household_id: (
        _persons().alive().filter(household_id=household_id).in_household_order()
    ),
    name="household members",
)


def person_get(*, person_id: int) -> PersonSummary | None:
    person = _PERSON.first(int(person_id))
    return person.to_summary() if person is not None else None


def person_get_by_national_number(*, national_number: str) -> PersonSummary | None:
    """The person with this national or BIS number (typed in any usual notation)."""
    try:
        number = NationalNumber.parse(national_number)
    except ValidationError:
        return None
    person = _persons().filter(national_number=number.value).first()
    return person.to_summary() if person is not None else None


def person_count(*, include_deceased: bool = False) -> int:
    """How many residents the register holds (the living, unless asked otherwise)."""
    persons = Person.objects.all() if include_deceased else Person.objects.alive()
    return persons.count()


def household_members(*, household_id: int) -> list[PersonSummary]:
    """The living members of a household, head first, then oldest to youngest."""
    return [person.to_summary() for person in _HOUSEHOLD.all(int(household_id))]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def resident_count_by_age_group(*, on: date | None = None) -> list[AgeGroupCount]:
    """Living residents per age band of ``AGE_GROUPS`` on a day (today by default)."""
    on = on or timezone.localdate()
    counts = {}
    for index, (first_age, last_age) in enumerate(AGE_GROUPS):
        # Aged at least ``first_age``: born on or before that many years ago.
        band = Q(birth_date__lte=_years_before(on, first_age))
        if last_age is not None:
            band &= Q(birth_date__gt=_years_before(on, last_age + 1))
        counts[f"band{index}"] = Count("id", filter=band)
    totals = Person.objects.alive().aggregate(**counts)
    return [
        AgeGroupCount(first_age=first_age, last_age=last_age, count=totals[f"band{index}"])
        for index, (first_age, last_age) in enumerate(AGE_GROUPS)
    ]


def _encode_cursor(person: Person) -> str:
    raw = json.dumps([person.last_name, person.first_name, person.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        last_name, first_name, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise ValueError("not a cursor of this list") from error
    if not (isinstance(last_name, str) and isinstance(first_name, str) and isinstance(pk, int)):
        raise ValueError("not a cursor of this list")
    return last_name, first_name, pk


def person_name_filter(query: str) -> Q:
    """Persons whose "last name first name" starts with the query's words, in any
    rotation ("jan peeters" finds Peeters, Jan), ignoring case and accents; served
    from an index. Also the admin's search box."""
    words = search_key(query).split()[:_MAX_QUERY_WORDS]
    if not words:
        return Q() if not query.strip() else Q(pk__in=[])
    match = Q()
    for start in range(len(words)):
        match |= Q(search_name__prefix=" ".join(words[start:] + words[:start]))
    return match


def _search_filter(query: str) -> Q:
    """A full national number finds exactly that person (never a partial one: numbers
    are not browsable); anything else is matched as names."""
    query = query.strip()
    if query and _NUMBER_LIKE.fullmatch(query):
        try:
            return Q(national_number=NationalNumber.parse(query).value)
        except ValidationError:
            return Q(pk__in=[])
    return person_name_filter(query)


def person_search(*, query: str = "", limit: int = 25, after: str | None = None) -> PersonPage:
    """Persons by name (or full national number), ordered by last name, first name.

    Take a national number from a form that is posted, never from a URL: query
    strings end up in access logs and browser histories.

    Keyset pagination: pass the page's ``next_cursor`` as ``after`` for the next page;
    a page costs one query however deep it is. Raises ``ValueError`` for a cursor that
    this function did not make.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    persons = _persons().filter(_search_filter(query))
    if after:
        last_name, first_name, pk = _decode_cursor(after)
        # The first condition alone is an index range; the rest breaks ties exactly.
        persons = persons.filter(last_name__gte=last_name).filter(
            Q(last_name__gt=last_name)
            | Q(last_name=last_name, first_name__gt=first_name)
            | Q(last_name=last_name, first_name=first_name, pk__gt=pk)
        )
    rows = list(persons.order_by("last_name", "first_name", "id")[: limit + 1])
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return PersonPage(
        items=tuple(person.to_summary() for person in rows[:limit]), next_cursor=next_cursor
    )


def company_get_by_enterprise_number(*, enterprise_number: str) -> CompanySummary | None:
    try:
        number = EnterpriseNumber.parse(enterprise_number)
    except ValidationError:
        return None
    company = (
        Company.objects.select_related("registered_address")
        .filter(enterprise_number=number.value)
        .first()
    )
    if company is None:
        return None
    address = company.registered_address
    return CompanySummary(
        id=company.pk,
        enterprise_number=company.enterprise_number,
        name=company.name,
        legal_form=company.legal_form,
        registered_address=address.to_summary() if address is not None else None,
    )


def registry_get() -> PopulationRegistry:
    """The population register this deployment asks (setting ``LOKET_POPULATION_REGISTRY``,
    default ``embedded``: the municipality's own tables). Real MAGDA adapters will live
    in ``people/providers/<vendor>/`` and be added to the choices here."""
    adapters: dict[str, type[PopulationRegistry]] = {"embedded": EmbeddedPopulationRegistry}
    name = settings.LOKET_POPULATION_REGISTRY
    try:
        return adapters[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"LOKET_POPULATION_REGISTRY={name!r} is not one of: {', '.join(adapters)}."
        ) from None


# --- Who may act for whom ------------------------------------------------------------

ADULT_AGE = 18
# Who in a household has parental care of its minor children.
CARERS = (HouseholdRelation.HEAD, HouseholdRelation.PARTNER)


def minors_in_care_of(*, person_id: int, on: date | None = None) -> list[PersonSummary]:
    """The living children under 18 in the household where this person is the head or
    the partner (the register's view of parental care), youngest last. Two queries."""
    on = on or timezone.localdate()
    carer = (
        Person.objects.alive()
        .filter(pk=person_id, household_relation__in=CARERS, household__isnull=False)
        .values_list("household_id", flat=True)
        .first()
    )
    if carer is None:
        return []
    children = (
        _persons()
        .alive()
        .filter(
            household_id=carer,
            household_relation=HouseholdRelation.CHILD,
            birth_date__gt=_years_before(on, ADULT_AGE),
        )
        .exclude(pk=person_id)
        .order_by("birth_date", "id")
    )
    return [child.to_summary() for child in children]


def companies_represented_by(*, person_id: int) -> list[CompanyRepresentation]:
    """The companies this person may act for according to the KBO (one query)."""
    rows = (
        CompanyRepresentative.objects.filter(person_id=person_id)
        .select_related("company")
        .order_by("company__name", "id")
    )
    return [
        CompanyRepresentation(
            company_id=row.company_id,
            company_name=row.company.name,
            enterprise_number=row.company.enterprise_number,
            person_id=row.person_id,
            function=row.function,
            since=row.since,
        )
        for row in rows
    ]


def associations_chaired_by(*, person_id: int) -> list[AssociationSummary]:
    return [
        AssociationSummary(id=row.pk, name=row.name, chair_id=row.chair_id)
        for row in Association.objects.filter(chair_id=person_id).order_by("name", "id")
    ]


def company_id_by_name(*, name: str) -> int | None:
    """The first company with exactly this name (for seeding and imports)."""
    return Company.objects.filter(name=name).order_by("id").values_list("pk", flat=True).first()


def company_get(*, company_id: int) -> CompanySummary | None:
    company = Company.objects.select_related("registered_address").filter(pk=company_id).first()
    if company is None:
        return None
    address = company.registered_address
    return CompanySummary(
        id=company.pk,
        enterprise_number=company.enterprise_number,
        name=company.name,
        legal_form=company.legal_form,
        registered_address=address.to_summary() if address is not None else None,
    )


def person_identity_card_matches(*, person_id: int, card_number: str) -> bool:
    """Whether the typed card number is the person's current identity card. The number
    is compared, never returned, and never logged."""
    try:
        typed = IdentityCardNumber.parse(card_number).value
    except ValidationError:
        return False
    stored = (
        Person.objects.alive()
        .filter(pk=person_id)
        .values_list("identity_card_number", flat=True)
        .first()
    )
    return bool(stored) and hmac.compare_digest(str(stored), typed)


def person_search_by_name_and_birth_date(
    *, name: str, birth_date: date, limit: int = 10
) -> list[PersonSummary]:
    """Living persons born on ``birth_date`` whose name matches (any word order); for
    the counter, which then checks the identity card. One query, from the birth-date
    index."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    persons = (
        _persons()
        .alive()
        .filter(birth_date=birth_date)
        .filter(person_name_filter(name))
        .order_by("last_name", "first_name", "id")[:limit]
    )
    return [person.to_summary() for person in persons]
