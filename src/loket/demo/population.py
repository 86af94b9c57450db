"""The population register of Mandelmunster, generated deterministically.

One ``random.Random(seed)`` draws everything in a fixed order, so the same seed and
size give the same town, whatever chunk size the caller inserts it in. Households are
yielded one at a time: memory stays bounded at any size.

The shape is that of a Flemish town: a third of the households are single people
(many of them widowed seniors), a quarter are couples whose children have left, and
families with children hold most of the residents; about 2.3 persons per household.
Ages are counted on ``REFERENCE_DATE``.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from loket.demo.constants import MUNICIPALITY_NAME, NIS_CODE, POSTCODE, REFERENCE_DATE
from loket.demo.names import (
    FAMILY_NAMES,
    FEMALE_NAMES,
    MAIN_STREETS,
    MALE_NAMES,
    STEMS,
    STREETS,
    SUFFIXES,
)
from loket.people.constants import Gender, HouseholdRelation, Language
from loket.people.types import (
    AddressData,
    HouseholdImport,
    IdentityCardNumber,
    NationalNumber,
    PersonImport,
)

AVERAGE_HOUSEHOLD_SIZE = 2.29
# Beyond this many households per street, a big town gets more streets.
HOUSEHOLDS_PER_STREET = 150

# Kinds of household and how often they occur (per 100 households).
_KINDS: tuple[tuple[str, int], ...] = (
    ("single_young", 5),
    ("single_middle", 8),
    ("single_senior", 15),
    ("couple_young", 5),
    ("couple_middle", 16),
    ("couple_senior", 7),
    ("family", 34),
    ("single_parent", 7),
    ("three_generations", 2),
    ("housemates", 1),
)
_LANGUAGES = (
    (Language.DUTCH, 965),
    (Language.FRENCH, 20),
    (Language.ENGLISH, 10),
    (Language.GERMAN, 5),
)
_MAIL_DOMAINS = ("example.org", "example.net", "example.com")
# Identity card numbers: series 591 (the personas use 590), the next seven digits a
# permutation of the person's sequence number (7,919 and 10**7 share no factor), so they
# look scattered, never repeat, and draw nothing from the random generator.
_CARD_SERIES = 591 * 10**7
_CARD_STRIDE = 7_919


@dataclass
class _Street:
    name: str
    next_number: int = 1
    building: str = ""  # the apartment building whose boxes are being filled
    boxes_left: int = 0
    next_box: int = 1


@dataclass
class _Member:
    age: int
    gender: str
    relation: str
    last_name: str


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


class PopulationGenerator:
    """Yields the households of a town of ``residents`` people, members included."""

    def __init__(self, *, residents: int, seed: int, reference_date: date = REFERENCE_DATE) -> None:
        if residents < 0:
            raise ValueError("residents must not be negative")
        self.residents = residents
        self.reference_date = reference_date
        self.rng = random.Random(seed)
        expected_households = max(1, round(residents / AVERAGE_HOUSEHOLD_SIZE))
        self._streets, self._street_weights = self._make_streets(expected_households)
        # Bigger towns live more in apartment buildings.
        self._apartment_share = 0.03 + 0.09 * min(1.0, expected_households / 200_000)
        self._kind_weights = _cumulative([weight for _, weight in _KINDS])
        self._language_weights = _cumulative([weight for _, weight in _LANGUAGES])
        # Family names are far from equally common: a long tail after the top.
        self._family_weights = _cumulative([1 / (rank + 8) for rank in range(len(FAMILY_NAMES))])
        # How many men and women already have a number for each birth date.
        self._day_counters: dict[tuple[int, str], int] = {}
        self._persons_made = 0
        # Adults who could chair an association (their national numbers): heads of
        # every n-th household, spread over the town, enough also in a small one.
        self.chair_candidates: list[str] = []
        self._chair_every = max(1, min(37, expected_households // 60))

    # --- Streets and addresses ----------------------------------------------------

    def _make_streets(self, households: int) -> tuple[list[_Street], list[float]]:
        rng = self.rng
        names = [name for name, _ in MAIN_STREETS] + list(STREETS)
        weights = [float(weight) * rng.uniform(0.6, 1.4) for _, weight in MAIN_STREETS]
        weights += [rng.uniform(0.3, 1.5) for _ in STREETS]
        wanted = math.ceil(households / HOUSEHOLDS_PER_STREET)
        if wanted > len(names):
            taken = set(names)
            extra = [f"{stem}{suffix}" for stem in STEMS for suffix in SUFFIXES]
            rng.shuffle(extra)
            for name in extra[: wanted - len(names)]:
                if name not in taken:
                    names.append(name)
                    weights.append(rng.uniform(0.5, 1.5))
        return [_Street(name) for name in names], _cumulative(weights)

    def _address(self) -> AddressData:
        rng = self.rng
        index = bisect.bisect(self._street_weights, rng.random() * self._street_weights[-1])
        street = self._streets[min(index, len(self._streets) - 1)]
        box = ""
        if street.boxes_left:
            number = street.building
            box = str(street.next_box)
            street.next_box += 1
            street.boxes_left -= 1
        else:
            number = str(street.next_number)
            street.next_number += rng.choice((1, 2, 2, 2, 4))
            if rng.random() < self._apartment_share:
                street.building = number
                street.boxes_left = rng.randint(3, 12) - 1
                street.next_box = 2
                box = "1"
            elif rng.random() < 0.02:
                number += rng.choice("ABC")
        return AddressData(
            street_name=street.name,
            house_number=number,
            box_number=box,
            postcode=POSTCODE,
            municipality_name=MUNICIPALITY_NAME,
            nis_code=NIS_CODE,
        )

    # --- Households -----------------------------------------------------------------

    def households(self) -> Iterator[HouseholdImport]:
        remaining = self.residents
        for index in itertools.count():
            if remaining <= 0:
                return
            members = self._household_members()[:remaining]
            remaining -= len(members)
            language = self._pick(_LANGUAGES, self._language_weights)
            persons = tuple(self._person(member, language) for member in members)
            head = members[0]
            if (
                index % self._chair_every == 0
                and 30 <= head.age <= 70
                and len(self.chair_candidates) < 40
            ):
                self.chair_candidates.append(persons[0].national_number)
            yield HouseholdImport(
                reference=f"MM{index + 1:07d}", address=self._address(), members=persons
            )

    def _pick(self, options: tuple[tuple[str, int], ...], cumulative: list[float]) -> str:
        position = self.rng.random() * cumulative[-1]
        return options[bisect.bisect(cumulative, position)][0]

    def _family_name(self) -> str:
        position = self.rng.random() * self._family_weights[-1]
        return FAMILY_NAMES[
            min(bisect.bisect(self._family_weights, position), len(FAMILY_NAMES) - 1)
        ]

    def _gender(self, male_share: float) -> str:
        return Gender.MALE if self.rng.random() < male_share else Gender.FEMALE

    def _household_members(self) -> list[_Member]:
        rng = self.rng
        kind = self._pick(_KINDS, self._kind_weights)
        head_name = self._family_name()
        if kind == "single_young":
            return [
                _Member(rng.randint(19, 34), self._gender(0.5), HouseholdRelation.HEAD, head_name)
            ]
        if kind == "single_middle":
            return [
                _Member(rng.randint(35, 64), self._gender(0.5), HouseholdRelation.HEAD, head_name)
            ]
        if kind == "single_senior":
            age = 65 + int(rng.triangular(0, 34, 3))
            return [_Member(age, self._gender(0.32), HouseholdRelation.HEAD, head_name)]
        if kind == "housemates":
            return [
                _Member(rng.randint(19, 32), self._gender(0.5), HouseholdRelation.HEAD, head_name),
                _Member(
                    rng.randint(19, 32),
                    self._gender(0.5),
                    HouseholdRelation.NOT_RELATED,
                    self._family_name(),
                ),
            ]
        if kind == "single_parent":
            head = _Member(
                rng.randint(25, 55), self._gender(0.22), HouseholdRelation.HEAD, head_name
            )
            return [head, *self._children(head.age, head.last_name, (55, 35, 10))]
        head_age = {
            "couple_young": lambda: rng.randint(22, 39),
            "couple_middle": lambda: rng.randint(48, 76),
            "couple_senior": lambda: 75 + int(rng.triangular(0, 22, 2)),
            "family": lambda: rng.randint(29, 58),
            "three_generations": lambda: rng.randint(40, 62),
        }[kind]()
        head = _Member(head_age, self._gender(0.65), HouseholdRelation.HEAD, head_name)
        partner_age = min(99, max(18, head.age + round(rng.gauss(-1.5, 3.5))))
        opposite = Gender.FEMALE if head.gender == Gender.MALE else Gender.MALE
        partner_gender = opposite if rng.random() < 0.96 else head.gender
        partner = _Member(
            partner_age, partner_gender, HouseholdRelation.PARTNER, self._family_name()
        )
        members = [head, partner]
        if kind == "family":
            mother_age = partner.age if partner.gender == Gender.FEMALE else head.age
            father = head if head.gender == Gender.MALE else partner
            name = father.last_name if rng.random() < 0.85 else self._family_name()
            members += self._children(mother_age, name, (30, 42, 20, 8))
        elif kind == "three_generations":
            parent_gender = self._gender(0.3)
            parent_name = head.last_name if parent_gender == Gender.MALE else self._family_name()
            parent_age = min(99, head.age + rng.randint(22, 34))
            members.append(
                _Member(parent_age, parent_gender, HouseholdRelation.PARENT, parent_name)
            )
        return members

    def _children(self, parent_age: int, last_name: str, weights: tuple[int, ...]) -> list[_Member]:
        rng = self.rng
        count = rng.choices(range(1, len(weights) + 1), weights=weights)[0]
        # Most first children are born when their mother is 24 to 34.
        oldest = parent_age - rng.randint(24, 34)
        if oldest < 0:
            oldest = rng.randint(0, max(0, parent_age - 19))
        children = []
        age = oldest
        for _ in range(count):
            if age < 0:
                break
            if age <= 22:  # older children have mostly left home
                children.append(
                    _Member(age, self._gender(0.51), HouseholdRelation.CHILD, last_name)
                )
            age -= rng.randint(1, 4)
        return children

    # --- Persons ----------------------------------------------------------------------

    def _birth_date(self, age: int) -> date:
        first = _years_before(self.reference_date, age + 1).toordinal() + 1
        last = _years_before(self.reference_date, age).toordinal()
        return date.fromordinal(self.rng.randint(first, last))

    def _national_number(self, birth_date: date, gender: str) -> tuple[date, str]:
        # At most 499 men and 499 women per day; a crowded day passes to the next.
        while True:
            key = (birth_date.toordinal(), gender)
            index = self._day_counters.get(key, 0)
            if index <= 498:
                self._day_counters[key] = index + 1
                number = NationalNumber.compose(birth_date=birth_date, gender=gender, index=index)
                return birth_date, number.value
            birth_date = date.fromordinal(birth_date.toordinal() + 1)

    def _person(self, member: _Member, language: str) -> PersonImport:
        rng = self.rng
        birth_date, number = self._national_number(self._birth_date(member.age), member.gender)
        generation = 0 if birth_date.year < 1955 else 1 if birth_date.year < 1985 else 2
        names = MALE_NAMES if member.gender == Gender.MALE else FEMALE_NAMES
        first_name = rng.choice(names[generation])
        age = member.age
        # About 5% prefer paper, most of them 75 or older.
        paper_chance = 0.33 if age >= 75 else 0.08 if age >= 65 else 0.008 if age >= 18 else 0.0
        prefers_paper = rng.random() < paper_chance
        email_chance = 0.12 if age >= 75 else 0.4 if age >= 65 else 0.65 if age >= 18 else 0.0
        if prefers_paper:
            email_chance /= 5
        phone_chance = 0.4 if age >= 75 else 0.75 if age >= 18 else 0.0
        email = phone = ""
        if rng.random() < email_chance:
            suffix = str(rng.randint(1, 99)) if rng.random() < 0.4 else ""
            local = f"{_ascii(first_name)}.{_ascii(member.last_name)}{suffix}"
            email = f"{local}@{rng.choice(_MAIL_DOMAINS)}"
        if rng.random() < phone_chance:
            phone = f"+324{rng.randint(60, 99)}{rng.randint(0, 999_999):06d}"
        card = IdentityCardNumber.compose(
            first_ten=_CARD_SERIES + self._persons_made * _CARD_STRIDE % 10**7
        )
        self._persons_made += 1
        return PersonImport(
            national_number=number,
            identity_card_number=card.value,
            first_name=first_name,
            last_name=member.last_name,
            birth_date=birth_date,
            gender=member.gender,
            language=language,
            household_relation=member.relation,
            prefers_paper=prefers_paper,
            email=email,
            phone=phone,
        )
