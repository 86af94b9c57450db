"""`loket seed --cases N`: cases written in bulk look like cases the services made."""

from __future__ import annotations

import pytest
from django.db.models import Count, F

from loket.cases.constants import PartyKind
from loket.cases.models import Case, CaseCounter, TimelineEvent
from loket.cases.services import case_submit
from loket.demo.bulk_cases import CasesSeedRefused, cases_seed_bulk
from loket.demo.services import demo_seed
from loket.people.selectors import person_get_by_national_number

pytestmark = pytest.mark.django_db

SARAH = "91041299896"


def test_bulk_cases_follow_their_workflow_and_numbering_goes_on_after_them() -> None:
    demo_seed(residents=150, seed=5)
    result = cases_seed_bulk(cases=400, seed=5, chunk=150)

    assert result.cases == Case.objects.count() == 400
    assert result.events == TimelineEvent.objects.count()
    assert 6 * 400 <= result.events <= 16 * 400
    assert result.open_cases == Case.objects.filter(is_open=True).count() > 0
    # Every status belongs to the case's own type; closed means a final status.
    assert not Case.objects.exclude(status__case_type=F("case_type")).exists()
    assert not Case.objects.filter(is_open=False, status__is_final=False).exists()
    assert not Case.objects.filter(is_open=True, status__is_final=True).exists()
    assert not Case.objects.filter(is_open=False, closed_at__isnull=True).exists()
    # Every case starts with its submission, and its version counts its events.
    firsts = TimelineEvent.objects.filter(kind="submitted").values("case").annotate(n=Count("id"))
    assert len(firsts) == 400
    assert {row["n"] for row in firsts} == {1}
    case = Case.objects.order_by("pk")[200]
    assert case.version == TimelineEvent.objects.filter(case=case).count()
    assert case.search_text == f"{case.reference} {case.title} {case.party_label}".lower()
    # A persona has cases of their own to follow.
    sarah = person_get_by_national_number(national_number=SARAH)
    assert sarah is not None
    assert Case.objects.filter(party_kind=PartyKind.PERSON, person_id=sarah.id).count() >= 2

    # A case filed afterwards gets the next number of its year, not a taken one.
    newest = Case.objects.order_by("-pk").first()
    assert newest is not None
    year = int(newest.reference[:4])
    filed = case_submit(
        actor=None,
        case_type_slug="melding-openbaar-domein",
        data={},
        party=None,
        checked_by_form_engine=True,
    )
    if int(filed.reference[:4]) == year:
        assert filed.reference > newest.reference
    assert CaseCounter.objects.get(year=year).last >= int(newest.reference[5:])
    assert Case.objects.get(pk=filed.case_id).pk > newest.pk

    with pytest.raises(CasesSeedRefused):
        cases_seed_bulk(cases=10, seed=5)
    assert Case.objects.count() == 401


def test_bulk_cases_need_the_demo_first() -> None:
    with pytest.raises(CasesSeedRefused):
        cases_seed_bulk(cases=10, seed=1)
    assert not Case.objects.exists()
