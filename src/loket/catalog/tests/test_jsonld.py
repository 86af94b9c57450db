"""CPSV-AP JSON-LD: export, import, a round trip, idempotence and clear errors."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from loket.catalog import jsonld, selectors, services
from loket.catalog.jsonld import CatalogImportError
from loket.catalog.models import Service

pytestmark = pytest.mark.django_db

FIELDS = (
    "title",
    "summary",
    "description",
    "who_can_apply",
    "conditions",
    "procedure",
    "cost_text",
    "output",
    "legal_basis",
    "channels",
    "login_level",
    "ipdc_code",
)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _export() -> dict[str, Any]:
    return jsonld.catalog_document(
        selectors.service_list_published().prefetch_related("target_groups", "life_events")
    )


def _filled(service: Service) -> Service:
    Service.objects.filter(pk=service.pk).update(
        who_can_apply="Verenigingen",
        conditions="8 weken op voorhand",
        procedure="Vul het formulier in.",
        cost_text="Gratis",
        output="Een vergunning",
        legal_basis="Politiereglement art. 25",
        ipdc_code="2187",
        translations={"fr": {"title": "Permis d'événement", "summary": "Autorisation."}},
    )
    service.refresh_from_db()
    return service


def test_the_export_uses_the_cpsv_ap_vocabulary(event_service: Any) -> None:
    _filled(event_service)
    node = _export()["@graph"][0]
    assert node["@type"] == "cpsv:PublicService"
    for key in (
        "dct:title",
        "dct:description",
        "cv:hasCriterion",
        "cv:hasCost",
        "cv:hasChannel",
        "cpsv:produces",
        "cv:hasLegalResource",
        "cv:isGroupedBy",
        "cv:hasCompetentAuthority",
    ):
        assert key in node, key
    assert {"@value": "Permis d'événement", "@language": "fr"} in node["dct:title"]
    assert node["cv:isGroupedBy"][0]["dct:identifier"] == "een-evenement-organiseren"


def test_a_round_trip_gives_the_same_services(event_service: Any, editor: Any) -> None:
    _filled(event_service)
    document = json.loads(json.dumps(_export()))
    before = {f: getattr(Service.objects.get(), f) for f in FIELDS}
    Service.objects.all().delete()
    created, updated, ids = services.catalog_import_jsonld(actor=editor, document=document)
    assert (created, updated, ids) == (1, 0, ("urn:loket:service:evenementenvergunning",))
    service = Service.objects.get()
    assert {f: getattr(service, f) for f in FIELDS} == before
    assert service.slug == "evenementenvergunning"
    assert not service.is_published
    assert service.translations["fr"]["title"] == "Permis d'événement"
    assert [e.slug for e in service.life_events.all()] == ["een-evenement-organiseren"]
    assert [g.slug for g in service.target_groups.all()] == ["verenigingen"]
    assert service.department == event_service.department


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    event_service: Any, editor: Any
) -> None:
    document = _export()
    assert services.catalog_import_jsonld(actor=editor, document=document)[:2] == (0, 0)
    document["@graph"][0]["dct:title"] = [{"@value": "Nieuwe titel", "@language": "nl"}]
    assert services.catalog_import_jsonld(actor=editor, document=document)[:2] == (0, 1)
    assert Service.objects.get().title == "Nieuwe titel"


def test_a_document_with_full_iris_and_another_context_reads_the_same(
    department: Any, editor: Any
) -> None:
    document = {
        "@context": {
            "t": "http://purl.org/dc/terms/title",
            "PS": "http://purl.org/vocab/cpsv#PublicService",
        },
        "@id": "https://example.org/id/123",
        "@type": "PS",
        "t": "Bewijs van woonst",
        "http://purl.org/dc/terms/identifier": "ipdc-123",
    }
    services.catalog_import_jsonld(
        actor=editor, document=document, default_department_id=department.pk
    )
    service = Service.objects.get()
    assert service.title == "Bewijs van woonst"
    assert service.identifier == "ipdc-123"
    assert service.summary == ""  # nothing given, nothing invented


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("a string", "not a JSON-LD document"),
        ({"@context": "https://example.org/remote.jsonld", "@type": "x"}, "not valid JSON-LD"),
        ({"@context": jsonld.CONTEXT, "@graph": []}, "no public service"),
        (
            {"@context": jsonld.CONTEXT, "@type": "cpsv:PublicService", "dct:identifier": "x"},
            "no title",
        ),
        (
            {"@context": jsonld.CONTEXT, "@type": "cpsv:PublicService", "dct:title": "T"},
            "no identifier",
        ),
        (
            {
                "@context": jsonld.CONTEXT,
                "@type": "cpsv:PublicService",
                "dct:identifier": "x",
                "dct:title": "T",
            },
            "department is not known",
        ),
    ],
)
def test_malformed_input_gets_a_clear_error_and_writes_nothing(
    document: Any, message: str, editor: Any
) -> None:
    with pytest.raises(CatalogImportError, match=message):
        services.catalog_import_jsonld(actor=editor, document=document)
    assert not Service.objects.exists()


def test_the_import_command(tmp_path: Any, event_service: Any) -> None:
    path = tmp_path / "catalogus.jsonld"
    path.write_text(json.dumps(_export()), encoding="utf-8")
    out = StringIO()
    call_command("catalog-import", str(path), stdout=out)
    assert "1 services read: 0 created, 0 updated." in out.getvalue()
    (tmp_path / "bad.jsonld").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("catalog-import", str(tmp_path / "bad.jsonld"))
    with pytest.raises(CommandError, match="no department"):
        call_command("catalog-import", str(path), "--department", "nope")


def test_an_import_touching_a_department_the_editor_may_not_edit_writes_nothing(
    event_service: Any, editor: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    from loket.core.tests.factories import DepartmentFactory

    document = _export()
    other = DepartmentFactory()
    second = json.loads(json.dumps(document["@graph"][0]))
    second["dct:identifier"] = second["@id"] = "urn:other:2"
    second["loket:slug"] = "andere"
    second["cv:hasCompetentAuthority"]["dct:identifier"] = f"{other.organisation.slug}/{other.slug}"
    document["@graph"][0]["dct:title"] = [{"@value": "Gewijzigd", "@language": "nl"}]
    document["@graph"].append(second)
    with pytest.raises(PermissionDenied):
        services.catalog_import_jsonld(actor=editor, document=document)
    assert list(Service.objects.values_list("title", flat=True)) == ["Evenementenvergunning"]
