"""JSON-LD views of public data following the OSLO vocabularies (Organisatie, Adres),
served by content negotiation (``Accept: application/ld+json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.renderers import JSONRenderer

# Inline context: the OSLO application profiles "Organisatie Basis" and "Adres" reuse
# these W3C and Flemish vocabularies; terms map to the IRIs those profiles use.
OSLO_CONTEXT: dict[str, Any] = {
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "locn": "http://www.w3.org/ns/locn#",
    "generiek": "https://data.vlaanderen.be/ns/generiek#",
    "schema": "http://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "Organisatie": "org:Organization",
    "Adres": "locn:Address",
    "voorkeursnaam": "skos:prefLabel",
    "alternatieveNaam": "skos:altLabel",
    "identificator": "dcterms:identifier",
    "classificatie": "org:classification",
    "heeftEenheid": {"@id": "org:hasUnit", "@type": "@id"},
    "isEenheidVan": {"@id": "org:unitOf", "@type": "@id"},
    "primaireVestiging": "org:hasPrimarySite",
    "adres": "locn:address",
    "straatnaam": "locn:thoroughfare",
    "postcode": "locn:postCode",
    "gemeentenaam": "locn:postName",
    "volledigAdres": "locn:fullAddress",
    "email": "schema:email",
    "telefoon": "schema:telephone",
    "homepage": {"@id": "foaf:homepage", "@type": "@id"},
}


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


def wants_linked_data(request: Any) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", "") == "jsonld"


def _iri(kind: str, key: object) -> str:
    return f"{settings.LOKET_BASE_URL.rstrip('/')}/id/{kind}/{key}"


def organisation_node(data: Mapping[str, Any]) -> dict[str, Any]:
    address = data["address"]
    node: dict[str, Any] = {
        "@id": _iri("organisatie", data["slug"]),
        "@type": "Organisatie",
        "voorkeursnaam": data["name"],
        "identificator": data["nis_code"],
        "classificatie": data["kind"],
        "email": f"mailto:{data['email']}",
        "telefoon": data["phone"],
        "primaireVestiging": {
            "@type": "org:Site",
            "adres": {
                "@type": "Adres",
                "straatnaam": address["street"],
                "postcode": address["postcode"],
                "gemeentenaam": address["municipality"],
                "volledigAdres": (
                    f"{address['street']}, {address['postcode']} {address['municipality']}"
                ),
            },
        },
    }
    if data.get("website"):
        node["homepage"] = data["website"]
    return node


def department_node(data: Mapping[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": _iri("eenheid", data["id"]),
        "@type": "org:OrganizationalUnit",
        "voorkeursnaam": data["name"],
        "isEenheidVan": _iri("organisatie", data["organisation"]),
    }
    if data.get("email"):
        node["email"] = f"mailto:{data['email']}"
    return node


def document(nodes: list[dict[str, Any]] | dict[str, Any], *, next_url: str | None = None) -> dict:
    """One node, or a page of nodes as a ``@graph`` (with the next page's address)."""
    if isinstance(nodes, dict):
        return {"@context": OSLO_CONTEXT, **nodes}
    body: dict[str, Any] = {"@context": OSLO_CONTEXT, "@graph": nodes}
    if next_url:
        body["next"] = next_url
    return body
