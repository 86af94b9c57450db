"""Fees of a service: the tariff computation (pure), the editor in the back office
(validation, kept input, audit), the cost on the service page and in CPSV-AP."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.catalog import selectors
from loket.catalog.fees import (
    FeeError,
    FeeRule,
    PartyFacts,
    fee_compute,
    fee_summary,
    format_euros,
    lines_total,
    parse_euros,
)
from loket.catalog.models import Fee, Service
from loket.catalog.tests.conftest import make_service
from loket.core.models import AuditEvent
from loket.people.tests.factories import PersonFactory

HALL = FeeRule(
    label="Huur zaal",
    amount_cents=1250,
    quantity_field="hours",
    unit="uur",
    vat_rate="21",
    reduced={"association": 600, "resident": 1000},
    free_field="school",
    free_value="yes",
)
PARKING = FeeRule(label="Bewonerskaart", amount_cents=2500, reduced={"senior": 1250})


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


# --- The computation (no database) ---------------------------------------------------


def test_a_fixed_fee_is_one_line_of_the_standard_amount() -> None:
    lines = fee_compute(PARKING, PartyFacts(is_resident=True, age=40), {})
    assert [(line.unit_cents, line.quantity, line.vat_rate) for line in lines] == [(2500, 1, "0")]
    assert lines[0].description == "Bewonerskaart"


def test_a_fee_per_item_takes_the_quantity_from_the_answers() -> None:
    lines = fee_compute(HALL, PartyFacts(), {"hours": "3"})
    assert (lines[0].unit_cents, lines[0].quantity, lines[0].vat_rate) == (1250, 3, "21")
    assert lines_total(lines) == 3750
    assert "per uur" in lines[0].description


def test_the_lowest_reduced_tariff_that_applies_wins_and_is_named() -> None:
    lines = fee_compute(HALL, PartyFacts(is_resident=True, is_association=True), {"hours": 2})
    assert lines[0].unit_cents == 600
    assert "tariff for associations" in lines[0].description
    resident = fee_compute(HALL, PartyFacts(is_resident=True), {"hours": 2})
    assert resident[0].unit_cents == 1000


def test_seniors_pay_the_senior_tariff_from_65_on() -> None:
    assert fee_compute(PARKING, PartyFacts(age=64), {})[0].unit_cents == 2500
    assert fee_compute(PARKING, PartyFacts(age=65), {})[0].unit_cents == 1250


def test_nothing_is_due_when_the_free_condition_holds_or_there_is_no_fee() -> None:
    assert fee_compute(HALL, PartyFacts(), {"hours": 3, "school": "yes"}) == []
    assert fee_compute(HALL, PartyFacts(), {"hours": 3, "school": True}) == []
    assert fee_compute(HALL, PartyFacts(), {"hours": 3, "school": "no"}) != []
    assert fee_compute(None, PartyFacts(), {}) == []
    free_for_associations = FeeRule(label="x", amount_cents=5000, reduced={"association": 0})
    assert fee_compute(free_for_associations, PartyFacts(is_association=True), {}) == []


@pytest.mark.parametrize("hours", [None, "", "zero", "0", "-2", "1.5", "100000"])
def test_a_missing_or_odd_quantity_is_refused(hours: Any) -> None:
    with pytest.raises(FeeError):
        fee_compute(HALL, PartyFacts(), {"hours": hours})


def test_euros_are_read_and_written_the_belgian_way() -> None:
    assert format_euros(1500) == "€ 15,00"
    assert format_euros(125000) == "€ 1.250,00"
    assert parse_euros("15") == 1500
    assert parse_euros("15,5") == 1550
    assert parse_euros("€ 7,50") == 750
    assert parse_euros("1.250,00") == 125000
    for wrong in ("", "-5", "abc", "1,234", "12.5.0"):
        with pytest.raises(ValueError, match=r".*"):
            parse_euros(wrong)


def test_the_summary_says_the_amount_and_the_reductions() -> None:
    assert fee_summary(PARKING) == "€ 25,00; € 12,50 for seniors (65 and older)"
    text = fee_summary(HALL, free_label="For a school?")
    assert text.startswith("€ 12,50 per uur; € 10,00 per uur for residents")
    assert "€ 6,00 per uur for associations" in text
    assert "“For a school?”" in text
    assert "VAT of 21 % included" in text


# --- With the database ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_register_decides_residents_and_seniors(settings: Any) -> None:
    today = timezone.localdate()
    senior = PersonFactory(birth_date=date(today.year - 70, 1, 1))
    facts = selectors.party_facts(person_id=senior.pk)
    assert facts.age is not None
    assert facts.age >= 69
    assert facts.is_resident is (senior.address_id is not None)
    assert selectors.party_facts(person_id=None, party_kind="association").is_association


@pytest.mark.django_db
def test_fee_lines_for_a_request_use_the_service_fee(department: Any) -> None:
    service = make_service(department, slug="zaalhuur")
    Fee.objects.create(service=service, amount_cents=1250, quantity_field="hours", unit="uur")
    lines = selectors.fee_lines_for_request(
        service_id=service.pk, person_id=None, party_kind="person", answers={"hours": 4}
    )
    assert lines_total(lines) == 5000
    assert lines[0].description.startswith(service.title)
    assert (
        selectors.fee_lines_for_request(
            service_id=None, person_id=None, party_kind="person", answers={}
        )
        == []
    )


def _post(service: Service, **fee: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": service.title,
        "slug": service.slug,
        "summary": service.summary,
        "login_level": str(service.login_level),
        "department": str(service.department_id),
        "channels": ["online"],
        "is_published": "on",
    }
    data.update(fee)
    return data


@pytest.mark.django_db
def test_staff_set_a_fee_in_the_service_editor(editor_client: Client, department: Any) -> None:
    service = make_service(department, slug="zaalhuur")
    url = f"/backoffice/diensten/{service.pk}/"
    response = editor_client.post(
        url,
        _post(
            service,
            fee_kind="per_item",
            fee_amount="12,50",
            fee_quantity_field="hours",
            fee_unit="uur",
            fee_vat_rate="21",
            fee_association="6",
            fee_free_field="school",
            fee_free_value="yes",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fee = Fee.objects.get(service=service)
    assert (fee.amount_cents, fee.association_cents, fee.resident_cents) == (1250, 600, None)
    assert (fee.quantity_field, fee.unit, fee.vat_rate) == ("hours", "uur", "21")
    assert AuditEvent.objects.filter(changes__has_key="fee").exists()
    page = editor_client.get(url).content.decode()
    assert 'value="12,50"' in page
    public = editor_client.get(f"/diensten/{service.slug}/").content.decode()
    assert "€ 12,50 per uur" in public
    assert "€ 6,00 per uur for associations" in public
    # Free again: the fee is gone.
    editor_client.post(url, _post(service, fee_kind="none"))
    assert not Fee.objects.filter(service=service).exists()


@pytest.mark.django_db
def test_a_wrong_fee_is_refused_and_what_was_typed_is_kept(
    editor_client: Client, department: Any
) -> None:
    service = make_service(department, slug="zaalhuur")
    response = editor_client.post(
        f"/backoffice/diensten/{service.pk}/",
        _post(service, fee_kind="per_item", fee_amount="twaalf", fee_unit="uur"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write an amount in euro" in page
    assert "Give the question that asks how many items." in page
    assert 'value="twaalf"' in page
    assert not Fee.objects.exists()


@pytest.mark.django_db
def test_a_fee_naming_a_question_the_form_does_not_have_is_refused(
    editor_client: Client, event_service: Service
) -> None:
    response = editor_client.post(
        f"/backoffice/diensten/{event_service.pk}/",
        _post(event_service, fee_kind="per_item", fee_amount="5", fee_quantity_field="hours"),
    )
    assert response.status_code == 200
    assert "has no question “hours”" in response.content.decode()
    assert not Fee.objects.exists()
    ok = editor_client.post(
        f"/backoffice/diensten/{event_service.pk}/",
        _post(event_service, fee_kind="per_item", fee_amount="5", fee_quantity_field="visitors"),
    )
    assert ok.status_code == 302
    assert Fee.objects.get(service=event_service).quantity_field == "visitors"


@pytest.mark.django_db
def test_a_handler_cannot_change_the_fee(client: Client, handler: Any, department: Any) -> None:
    from loket.accounts.staff.tests.helpers import log_in_staff

    service = make_service(department, slug="zaalhuur")
    log_in_staff(client, handler)
    response = client.post(
        f"/backoffice/diensten/{service.pk}/", _post(service, fee_kind="fixed", fee_amount="5")
    )
    assert response.status_code == 404
    assert not Fee.objects.exists()


@pytest.mark.django_db
def test_the_fee_travels_through_cpsv_ap_and_back(department: Any) -> None:
    from loket.catalog import jsonld, services

    service = make_service(department, slug="zaalhuur", cost_text="Waarborg apart.")
    Fee.objects.create(
        service=service,
        label="Huur zaal",
        amount_cents=1250,
        quantity_field="hours",
        unit="uur",
        vat_rate="21",
        association_cents=600,
        free_field="school",
        free_value="yes",
    )
    document = jsonld.catalog_document(
        selectors.service_list_published().prefetch_related("target_groups", "life_events")
    )
    costs = document["@graph"][0]["cv:hasCost"]
    assert costs[0]["cv:value"]["@value"] == "12.50"
    assert costs[0]["dct:description"]["@value"] == "Waarborg apart."
    assert costs[1]["dct:type"] == "reduced:association"
    # Imported into an empty catalogue, the same fee comes out.
    Service.objects.all().delete()
    created, _updated, _ids = services.catalog_import_jsonld(
        actor=None, document=document, default_department_id=department.pk
    )
    assert created == 1
    fee = Fee.objects.get()
    assert (fee.amount_cents, fee.association_cents, fee.senior_cents) == (1250, 600, None)
    assert (fee.quantity_field, fee.unit, fee.vat_rate, fee.free_value) == (
        "hours",
        "uur",
        "21",
        "yes",
    )
    assert fee.service.cost_text == "Waarborg apart."
    # Importing the same document again changes nothing.
    assert services.catalog_import_jsonld(actor=None, document=document)[1] == 0
