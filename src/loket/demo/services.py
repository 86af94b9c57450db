"""Build the demo municipality Mandelmunster: organisations, staff, population.

``demo_seed`` builds everything in one transaction, so that a database holds either
the whole demo or none of it. It seeds only an empty database: the audit log is
append-only and other modules will refer to the residents, so there is no "reset";
to build the demo again, start from a new database.

Everything goes through the services of the kernel (organisations, departments,
memberships, liaisons) and of the people module (residents and their register).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from loket.accounts.services import mandate_grant
from loket.accounts.staff.services import demo_totp_device_create
from loket.cases.services import case_types_seed_demo
from loket.catalog.services import catalog_seed_demo
from loket.core.constants import AuditAction
from loket.core.services import (
    DomainError,
    audit_record,
    department_add_member,
    department_create,
    department_set_liaison,
    organisation_create,
)
from loket.demo.acting import (
    PERSONA_CARD_NUMBERS,
    PERSONA_COMPANY_REPRESENTATIVES,
    PERSONA_MANDATES,
)
from loket.demo.constants import (
    ASSOCIATIONS,
    COMPANIES,
    DEFAULT_SEED,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_STAFF,
    DEMO_TOTP_SECRET,
    MAIL_DOMAIN,
    MUNICIPALITY_NAME,
    NIS_CODE,
    ORGANISATIONS,
    PERSONA_STREET,
    PERSONAS,
    POSTCODE,
)
from loket.demo.population import PopulationGenerator
from loket.demo.selectors import demo_is_seeded, demo_seed_obstacles
from loket.demo.types import DemoLogin, SeedResult
from loket.documents.services import documents_seed_demo
from loket.notifications.constants import ContactKind
from loket.notifications.services import contact_point_add_verified
from loket.payments.services import payments_seed_demo
from loket.people.constants import HouseholdRelation
from loket.people.selectors import company_id_by_name, person_get_by_national_number
from loket.people.services import (
    address_get_or_create,
    association_create,
    company_create,
    company_representative_add,
    population_import,
)
from loket.people.types import (
    AddressData,
    EnterpriseNumber,
    HouseholdImport,
    PersonImport,
    PopulationImportResult,
)

if TYPE_CHECKING:
    from loket.core.services import Department

__all__ = [
    "DemoSeedRefused",
    "demo_is_seeded",
    "demo_logins",
    "demo_seed",
    "demo_seed_population",
]

# Households per bulk insert: a few thousand rows per table, then they are dropped.
CHUNK_HOUSEHOLDS = 2000

Progress = Callable[[int], object]


class DemoSeedRefused(DomainError):
    """The database is not empty: the demo is seeded only into an empty one."""


def demo_logins() -> list[DemoLogin]:
    """The demo staff logins to show; all share ``DEMO_PASSWORD``."""
    return list(DEMO_LOGINS)


# SQLite's page cache during a bulk seed (KiB): the indexes of an Antwerp-sized
# register fit, so inserts do not keep re-reading pages from the file.
SQLITE_SEED_CACHE_KIB = 128 * 1024


@contextmanager
def _bulk_load() -> Iterator[None]:
    """Settings for a bulk seed on this process's connection, restored afterwards."""
    # With DEBUG on, Django keeps the text of every statement in memory and, on SQLite,
    # runs an extra query per statement to quote its parameters: for a bulk seed that
    # doubles the time. The seed is a command of its own; nothing else runs meanwhile.
    debug = settings.DEBUG
    settings.DEBUG = False
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_SEED_CACHE_KIB}")
    try:
        yield
    finally:
        settings.DEBUG = debug
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def demo_seed(
    *, residents: int, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> SeedResult:
    """Build the whole demo municipality with ``residents`` residents.

    The same ``residents`` and ``seed`` build the same town. ``progress`` is called
    with the number of residents of every chunk inserted. Raises ``DemoSeedRefused``
    when the database is not empty (``demo_is_seeded()`` tells whether it already
    holds the demo).
    """
    if settings.PRODUCTION:
        # The demo staff share a published password and authenticator key.
        raise DemoSeedRefused(
            "The demo municipality is never seeded in production: its staff accounts use "
            "a published password and authenticator key."
        )
    with _bulk_load(), transaction.atomic():
        obstacles = demo_seed_obstacles()
        if obstacles:
            raise DemoSeedRefused(
                "The demo municipality is seeded only into an empty database, and this one "
                f"is not empty ({'; '.join(obstacles)})."
            )
        organisations, departments = _seed_organisations()
        staff = _seed_staff(departments)
        # The personas of the demo identity provider count among the residents.
        personas = _seed_personas()
        population, chair_candidates = _seed_population(
            residents=max(0, residents - personas.persons), seed=seed, progress=progress
        )
        population = PopulationImportResult(
            addresses=population.addresses + personas.addresses,
            households=population.households + personas.households,
            persons=population.persons + personas.persons,
        )
        rng = random.Random(f"{seed}-organisations")
        enterprise_numbers: set[str] = set()
        companies = _seed_companies(rng, enterprise_numbers)
        associations = _seed_associations(rng, enterprise_numbers, chair_candidates)
        _seed_acting_on_behalf()
        _seed_verified_emails()
        catalog_seed_demo()
        case_types_seed_demo()
        documents_seed_demo()
        payments_seed_demo()
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="demo.municipality",
            object_label=MUNICIPALITY_NAME,
            reason="loket seed",
            changes={"residents": population.persons, "seed": seed},
        )
    _refresh_statistics()
    return SeedResult(
        residents=population.persons,
        households=population.households,
        addresses=population.addresses,
        organisations=organisations,
        departments=len(departments),
        staff=staff,
        companies=companies,
        associations=associations,
        seed=seed,
    )


def demo_seed_population(
    *, residents: int, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> int:
    """Only the population register (addresses, households, persons), in chunks;
    returns the number of rows inserted. For benchmarks: the people tables must be
    empty, and nothing else of the demo is built."""
    if settings.PRODUCTION:
        raise DemoSeedRefused("The demo population is never seeded in production.")
    with _bulk_load(), transaction.atomic():
        population, _ = _seed_population(residents=residents, seed=seed, progress=progress)
    _refresh_statistics()
    return population.rows


def _seed_verified_emails() -> None:
    """The personas' e-mail addresses count as verified, so that the demo shows the
    messages a status change sends (the paper-preferring senior has none)."""
    for spec in PERSONAS:
        if not spec.email or not spec.in_register:
            continue
        person = person_get_by_national_number(national_number=spec.national_number)
        if person is not None:
            contact_point_add_verified(
                actor=None,
                person_id=person.id,
                kind=ContactKind.EMAIL,
                value=spec.email,
                reason="demo persona",
            )


def _refresh_statistics() -> None:
    # Fresh tables have no statistics yet; without them the query planner guesses,
    # and guesses badly for the first searches of a freshly seeded city.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _seed_population(
    *, residents: int, seed: int, progress: Progress | None
) -> tuple[PopulationImportResult, list[str]]:
    """Generate and insert chunk by chunk: only one chunk is ever in memory."""
    generator = PopulationGenerator(residents=residents, seed=seed)
    households = generator.households()
    totals = PopulationImportResult(addresses=0, households=0, persons=0)
    while chunk := list(itertools.islice(households, CHUNK_HOUSEHOLDS)):
        result = population_import(
            actor=None, households=chunk, reason=f"loket seed: demo population (seed {seed})"
        )
        totals = PopulationImportResult(
            addresses=totals.addresses + result.addresses,
            households=totals.households + result.households,
            persons=totals.persons + result.persons,
        )
        if progress is not None:
            progress(result.persons)
    return totals, generator.chair_candidates


def persona_households() -> list[HouseholdImport]:
    """The households of the personas that the population register knows."""
    households = []
    for persona in PERSONAS:
        if not persona.in_register:
            continue
        head = PersonImport(
            national_number=persona.national_number,
            first_name=persona.first_name,
            last_name=persona.last_name,
            birth_date=persona.birth_date,
            gender=persona.gender,
            language=persona.language,
            household_relation=HouseholdRelation.HEAD,
            prefers_paper=persona.prefers_paper,
            email=persona.email,
            identity_card_number=PERSONA_CARD_NUMBERS.get(persona.key, ""),
        )
        housemates = tuple(
            PersonImport(
                national_number=mate.national_number,
                first_name=mate.first_name,
                last_name=mate.last_name,
                birth_date=mate.birth_date,
                gender=mate.gender,
                language=persona.language,
                household_relation=mate.household_relation,
                identity_card_number=PERSONA_CARD_NUMBERS.get(
                    f"{persona.key}/{mate.first_name}", ""
                ),
            )
            for mate in persona.housemates
        )
        households.append(
            HouseholdImport(
                reference=f"MM-PERSONA-{persona.key}"[:30],
                address=AddressData(
                    street_name=PERSONA_STREET,
                    house_number=persona.house_number,
                    postcode=POSTCODE,
                    municipality_name=MUNICIPALITY_NAME,
                    nis_code=NIS_CODE,
                ),
                members=(head, *housemates),
            )
        )
    return households


def _seed_personas() -> PopulationImportResult:
    return population_import(
        actor=None, households=persona_households(), reason="loket seed: demo personas"
    )


def _seed_organisations() -> tuple[int, dict[str, Department]]:
    """The city and its OCMW with opening hours; their departments by slug. Colours
    stay at the defaults: primary #1d4f91 has a contrast of 8.1:1 on white."""
    departments = {}
    for spec in ORGANISATIONS:
        organisation = organisation_create(
            actor=None,
            kind=spec.kind,
            name=spec.name,
            slug=spec.slug,
            nis_code=NIS_CODE,
            street=spec.street,
            postcode=POSTCODE,
            municipality=MUNICIPALITY_NAME,
            email=spec.email,
            phone=spec.phone,
            website=spec.website,
            is_primary=spec.is_primary,
            opening_hours=[
                (weekday, dt.time.fromisoformat(opens), dt.time.fromisoformat(closes), by_appt)
                for weekday, opens, closes, by_appt in spec.opening_hours
            ],
        )
        for slug, name in spec.departments:
            departments[slug] = department_create(
                actor=None,
                organisation=organisation,
                name=name,
                slug=slug,
                email=f"{slug}@{MAIL_DOMAIN}",
                phone=spec.phone,
            )
    return len(ORGANISATIONS), departments


def _seed_staff(departments: dict[str, Department]) -> int:
    user_model = get_user_model()
    # One hash for everyone: hashing is slow on purpose, and it is one demo password.
    password = make_password(DEMO_PASSWORD)
    for spec in DEMO_STAFF:
        user = user_model.objects.create(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@{MAIL_DOMAIN}",
            password=password,
            is_staff=True,
            is_superuser=spec.superuser,
        )
        demo_totp_device_create(user=user, secret=DEMO_TOTP_SECRET)
        for slug, role in spec.memberships:
            department_add_member(actor=None, department=departments[slug], user=user, role=role)
        if spec.liaison_of:
            department_set_liaison(actor=None, department=departments[spec.liaison_of], user=user)
    return len(DEMO_STAFF)


def _enterprise_number(rng: random.Random, taken: set[str]) -> str:
    # From 1.900.000.000 on: valid numbers, far beyond those the KBO has issued so far.
    while True:
        number = EnterpriseNumber.compose(first_digits=19_000_000 + rng.randrange(10**6)).value
        if number not in taken:
            taken.add(number)
            return number


def _seed_companies(rng: random.Random, taken: set[str]) -> int:
    house_numbers: dict[str, itertools.count[int]] = {}
    for name, legal_form, street in COMPANIES:
        house_number = next(house_numbers.setdefault(street, itertools.count(2, 2)))
        address = address_get_or_create(
            street_name=street,
            house_number=str(house_number),
            postcode=POSTCODE,
            municipality_name=MUNICIPALITY_NAME,
            nis_code=NIS_CODE,
        )
        company_create(
            actor=None,
            enterprise_number=_enterprise_number(rng, taken),
            name=name,
            legal_form=legal_form,
            registered_address_id=address.pk,
        )
    return len(COMPANIES)


def _seed_associations(rng: random.Random, taken: set[str], chair_candidates: list[str]) -> int:
    chairs = rng.sample(chair_candidates, k=min(len(chair_candidates), len(ASSOCIATIONS)))
    persona_chairs = {
        p.chairs_association: p.national_number for p in PERSONAS if p.chairs_association
    }
    for index, (name, registered) in enumerate(ASSOCIATIONS):
        chair_number = persona_chairs.get(name) or (chairs[index] if index < len(chairs) else "")
        chair = (
            person_get_by_national_number(national_number=chair_number) if chair_number else None
        )
        association_create(
            actor=None,
            name=name,
            chair_id=chair.id if chair else None,
            # Most associations have their seat at their chair's home.
            address_id=chair.address.id if chair and chair.address else None,
            email=f"secretariaat@{slugify(name)}.example",
            enterprise_number=_enterprise_number(rng, taken) if registered else "",
        )
    return len(ASSOCIATIONS)


def _seed_acting_on_behalf() -> None:
    """The personas' mandates and company representations (parents act for their
    children without either). Runs inside ``demo_seed``, on a new database only."""
    numbers = {persona.key: persona.national_number for persona in PERSONAS}
    last_names = {persona.key: persona.last_name for persona in PERSONAS}
    for grantor_key, mandatary_key in PERSONA_MANDATES:
        grantor = person_get_by_national_number(national_number=numbers[grantor_key])
        if grantor is None:
            continue
        mandate_grant(
            actor=None,
            grantor_id=grantor.id,
            mandatary_national_number=numbers[mandatary_key],
            mandatary_last_name=last_names[mandatary_key],
            valid_from=timezone.localdate(),
        )
    for persona_key, company_name, function, since in PERSONA_COMPANY_REPRESENTATIVES:
        person = person_get_by_national_number(national_number=numbers[persona_key])
        company_id = company_id_by_name(name=company_name)
        if person is not None and company_id is not None:
            company_representative_add(
                actor=None,
                company_id=company_id,
                person_id=person.id,
                function=function,
                since=since,
            )
