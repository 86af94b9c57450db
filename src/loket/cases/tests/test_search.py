"""The back-office search finds cases by whole words of their reference, title and
party, on SQLite (FTS5) as on PostgreSQL (GIN), keeps its index up to date, and never
fails on what staff type."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from loket.cases.constants import PartyKind, Queue
from loket.cases.models import Case
from loket.cases.selectors import case_queue_page
from loket.cases.services import case_submit
from loket.cases.tests.conftest import make_resident, staff_with
from loket.cases.types import PartyRef

pytestmark = pytest.mark.django_db


def _file(person: Any, slug: str = "gezinssamenstelling") -> Case:
    result = case_submit(
        actor=None,
        case_type_slug=slug,
        data={},
        party=PartyRef(
            kind=PartyKind.PERSON, id=person.pk, label=person.full_name, person_id=person.pk
        ),
        checked_by_form_engine=True,
    )
    return Case.objects.get(pk=result.case_id)


def _found(user: Any, text: str) -> list[str]:
    page = case_queue_page(user=user, queue=Queue.ALL, filters={}, search=text)
    return [row.reference for row in page.items]


@pytest.fixture
def coordinator(departments: dict[str, Any]) -> Any:
    return staff_with(departments["burgerzaken"], "coordinator", first_name="Koen")


def test_whole_words_of_the_party_and_the_reference_find_the_case(coordinator: Any) -> None:
    _, person = make_resident(first_name="Zoë", last_name="Vercammen")
    _, other = make_resident(first_name="Jan", last_name="Peeters")
    case = _file(person)
    elsewhere = _file(other)

    assert _found(coordinator, "vercammen") == [case.reference]
    assert _found(coordinator, "VERCAMMEN zoë") == [case.reference]
    assert _found(coordinator, case.reference) == [case.reference]
    assert _found(coordinator, "vercammen peeters") == []  # every word must match
    assert elsewhere.reference in _found(coordinator, "peeters")


# What each database makes of it: SQLite reads every word as a word; PostgreSQL reads
# web-search syntax ("-word" leaves out, "or" between words, quotes for a phrase).
@pytest.mark.parametrize(
    ("text", "on_sqlite", "on_postgresql"),
    [
        ('"', False, False),
        ("vercammen*", True, True),
        ('"vercammen"', True, True),
        ("-vercammen", True, False),
        ("NEAR(vercammen", False, False),  # "near" is a word too, not in the case
        ("vercammen OR peeters", False, True),
        ("^", False, False),
        ("'; --", False, False),
    ],
)
def test_query_syntax_never_breaks_the_search(
    coordinator: Any, text: str, on_sqlite: bool, on_postgresql: bool
) -> None:
    _, person = make_resident(first_name="Zoë", last_name="Vercammen")
    case = _file(person)
    finds = on_postgresql if connection.vendor == "postgresql" else on_sqlite
    assert _found(coordinator, text) == ([case.reference] if finds else [])


def test_search_index_is_kept_up_to_date(coordinator: Any) -> None:
    _, person = make_resident(first_name="Zoë", last_name="Vercammen")
    case = _file(person)
    Case.objects.filter(pk=case.pk).update(search_text=f"{case.reference} hernoemd dossier")
    assert _found(coordinator, "vercammen") == []
    assert _found(coordinator, "hernoemd") == [case.reference]
    Case.objects.filter(pk=case.pk).delete()
    assert _found(coordinator, "hernoemd") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = {row[0] for row in cursor.fetchall()}
        assert {
            "cases_case_fts_insert",
            "cases_case_fts_delete",
            "cases_case_fts_update",
        } <= triggers
