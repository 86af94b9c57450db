"""The catalogue as CPSV-AP JSON-LD (the vocabulary of the Flemish IPDC), both ways.

Export writes compact JSON-LD with a self-contained ``@context``. Import expands any
JSON-LD document with pyld first (so a different context or full IRIs read the same)
and never fetches a remote context. The mapping of our fields to the vocabulary is in
docs/architecture.md, "Catalogue and forms".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from pyld import jsonld as pyld_jsonld

from loket.catalog.constants import Channel, LoginLevel
from loket.catalog.fees import FeeKind, TariffCategory, VatRate, parse_euros
from loket.catalog.models import Fee, Service
from loket.core.services import DomainError

CPSV = "http://purl.org/vocab/cpsv#"
CV = "http://data.europa.eu/m8g/"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ADMS = "http://www.w3.org/ns/adms#"
ELI = "http://data.europa.eu/eli/ontology#"
LPDC = "https://productencatalogus.data.vlaanderen.be/ns/ipdc-lpdc#"
LOKET = "urn:loket:ns:"

CONTEXT: dict[str, Any] = {
    "cpsv": CPSV,
    "cv": CV,
    "dct": DCT,
    "skos": SKOS,
    "adms": ADMS,
    "eli": ELI,
    "lpdc": LPDC,
    "loket": LOKET,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:modified": {"@type": "xsd:dateTime"},
    "loket:loginLevel": {"@type": "xsd:integer"},
}

COST_STANDARD = "standard"
COST_REDUCED = "reduced:"
CURRENCY_EUR = "http://publications.europa.eu/resource/authority/currency/EUR"
CRITERION_WHO = "who-can-apply"
CRITERION_CONDITIONS = "conditions"
MAX_SERVICES = 5000


class CatalogImportError(DomainError):
    """The document is not CPSV-AP we can read; the message says what is wrong."""


# --- Export --------------------------------------------------------------------------


def _texts(
    nl: str, translations: Mapping[str, Mapping[str, str]], name: str
) -> list[dict[str, str]]:
    values = [{"@value": nl, "@language": "nl"}] if nl else []
    for language, texts in sorted(translations.items()):
        if texts.get(name):
            values.append({"@value": texts[name], "@language": language})
    return values


def _nl(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "nl"}


def _decimal(cents: int) -> dict[str, str]:
    return {"@value": f"{cents // 100}.{cents % 100:02d}", "@type": "xsd:decimal"}


def _cost_nodes(service: Service) -> list[dict[str, Any]]:
    """``cv:Cost`` nodes: the standard amount (with the cost text as its description)
    and one per reduced tariff; Loket's own structure (per item, VAT, free condition)
    in the ``loket:`` namespace so that an export imports back the same."""
    try:
        fee = service.fee
    except Fee.DoesNotExist:
        fee = None
    main: dict[str, Any] = {"@type": "cv:Cost", "dct:type": COST_STANDARD}
    if service.cost_text:
        main["dct:description"] = _nl(service.cost_text)
    if fee is None:
        return [main] if service.cost_text else []
    main["cv:value"] = _decimal(fee.amount_cents)
    main["cv:currency"] = {"@id": CURRENCY_EUR}
    main["loket:vatRate"] = fee.vat_rate
    for name, value in (
        ("loket:label", fee.label),
        ("loket:quantityField", fee.quantity_field),
        ("loket:unit", fee.unit),
        ("loket:freeField", fee.free_field),
        ("loket:freeValue", fee.free_value),
    ):
        if value:
            main[name] = value
    nodes = [main]
    for category, cents in (
        (TariffCategory.RESIDENT, fee.resident_cents),
        (TariffCategory.ASSOCIATION, fee.association_cents),
        (TariffCategory.SENIOR, fee.senior_cents),
    ):
        if cents is not None:
            nodes.append(
                {
                    "@type": "cv:Cost",
                    "dct:type": f"{COST_REDUCED}{category.value}",
                    "cv:value": _decimal(cents),
                    "cv:currency": {"@id": CURRENCY_EUR},
                    "dct:description": _nl(str(category.label)),
                }
            )
    return nodes


def service_node(service: Service) -> dict[str, Any]:
    """One service as a ``cpsv:PublicService`` node (prefetch target groups and life
    events, select the department and its organisation)."""
    translations = service.translations or {}
    node: dict[str, Any] = {
        "@id": service.identifier,
        "@type": "cpsv:PublicService",
        "dct:identifier": service.identifier,
        "dct:title": _texts(service.title, translations, "title"),
        "dct:abstract": _texts(service.summary, translations, "summary"),
        "dct:description": _nl(service.description),
        "dct:modified": service.updated_at.isoformat(),
        "loket:slug": service.slug,
        "loket:loginLevel": service.login_level,
        "loket:published": service.is_published,
    }
    if service.ipdc_code:
        node["adms:identifier"] = {
            "@type": "adms:Identifier",
            "skos:notation": service.ipdc_code,
            "dct:creator": "IPDC",
        }
    criteria = []
    if service.who_can_apply:
        criteria.append(
            {
                "@type": "cv:CriterionRequirement",
                "dct:type": CRITERION_WHO,
                "dct:title": _nl("Wie kan aanvragen"),
                "dct:description": _nl(service.who_can_apply),
            }
        )
    if service.conditions:
        criteria.append(
            {
                "@type": "cv:CriterionRequirement",
                "dct:type": CRITERION_CONDITIONS,
                "dct:title": _nl("Voorwaarden"),
                "dct:description": _nl(service.conditions),
            }
        )
    if criteria:
        node["cv:hasCriterion"] = criteria
    if service.procedure:
        node["cpsv:follows"] = {"@type": "cpsv:Rule", "dct:description": _nl(service.procedure)}
    costs = _cost_nodes(service)
    if costs:
        node["cv:hasCost"] = costs[0] if len(costs) == 1 else costs
    if service.output:
        node["cpsv:produces"] = {"@type": "cv:Output", "dct:description": _nl(service.output)}
    if service.legal_basis:
        node["cv:hasLegalResource"] = {
            "@type": "eli:LegalResource",
            "dct:description": _nl(service.legal_basis),
        }
    node["cv:hasChannel"] = [
        {"@type": "cv:Channel", "dct:type": channel, "dct:title": _nl(str(Channel(channel).label))}
        for channel in service.channels
        if channel in Channel.values
    ]
    node["cv:isGroupedBy"] = [
        {
            "@id": f"urn:loket:life-event:{event.slug}",
            "@type": "cv:Event",
            "dct:identifier": event.slug,
            "dct:title": _nl(event.name),
        }
        for event in service.life_events.all()
    ]
    node["lpdc:targetAudience"] = [
        {
            "@id": f"urn:loket:target-group:{group.slug}",
            "dct:identifier": group.slug,
            "skos:prefLabel": _nl(group.name),
        }
        for group in service.target_groups.all()
    ]
    department = service.department
    node["cv:hasCompetentAuthority"] = {
        "@type": "cv:PublicOrganisation",
        "dct:identifier": f"{department.organisation.slug}/{department.slug}",
        "skos:prefLabel": _nl(f"{department.organisation.name} – {department.name}"),
    }
    return node


def catalog_document(services: Iterable[Service]) -> dict[str, Any]:
    """A JSON-LD document with every given service in its ``@graph``."""
    return {"@context": CONTEXT, "@graph": [service_node(service) for service in services]}


def service_document(service: Service) -> dict[str, Any]:
    return {"@context": CONTEXT, **service_node(service)}


# --- Import --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    identifier: str
    slug: str
    title: str
    summary: str
    description: str = ""
    who_can_apply: str = ""
    conditions: str = ""
    procedure: str = ""
    cost_text: str = ""
    output: str = ""
    legal_basis: str = ""
    channels: tuple[str, ...] = ()
    login_level: int = LoginLevel.SUBSTANTIAL
    life_events: tuple[tuple[str, str], ...] = ()
    target_groups: tuple[tuple[str, str], ...] = ()
    authority: str = ""
    ipdc_code: str = ""
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    fee: dict[str, Any] | None = None  # the keyword arguments of services.FeeInput


def _no_remote_contexts(url: str, options: Any = None) -> Any:
    raise pyld_jsonld.JsonLdError(
        "remote contexts are not loaded", "loading remote context failed", {"url": url}
    )


def _values(node: Mapping[str, Any], iri: str) -> list[Any]:
    value = node.get(iri, [])
    return value if isinstance(value, list) else [value]


def _lang_texts(node: Mapping[str, Any], iri: str) -> dict[str, str]:
    """Language → text of a property (no language counts as Dutch)."""
    texts: dict[str, str] = {}
    for value in _values(node, iri):
        if isinstance(value, Mapping) and "@value" in value:
            language = str(value.get("@language", "nl")).lower()[:2]
            texts.setdefault(language, str(value["@value"]).strip())
    return texts


def _text(node: Mapping[str, Any], iri: str) -> str:
    texts = _lang_texts(node, iri)
    return texts.get("nl") or next(iter(texts.values()), "")


def _objects(node: Mapping[str, Any], iri: str) -> list[Mapping[str, Any]]:
    return [
        value
        for value in _values(node, iri)
        if isinstance(value, Mapping) and "@value" not in value
    ]


def _scalar(node: Mapping[str, Any], iri: str) -> Any:
    for value in _values(node, iri):
        if isinstance(value, Mapping) and "@value" in value:
            return value["@value"]
        if isinstance(value, Mapping) and "@id" in value:
            return value["@id"]
    return None


def _record(node: Mapping[str, Any], position: int, problems: list[str]) -> ServiceRecord | None:
    where = _("Service %(n)s") % {"n": position}
    identifier = str(_scalar(node, DCT + "identifier") or node.get("@id") or "").strip()
    if not identifier or identifier.startswith("_:"):
        problems.append(_("%(where)s: it has no identifier (dct:identifier).") % {"where": where})
        return None
    where = _("Service “%(id)s”") % {"id": identifier}
    titles = _lang_texts(node, DCT + "title")
    title = titles.get("nl") or next(iter(titles.values()), "")
    if not title:
        problems.append(_("%(where)s: it has no title (dct:title).") % {"where": where})
        return None
    summaries = _lang_texts(node, DCT + "abstract")
    description = _text(node, DCT + "description")
    summary = (
        summaries.get("nl") or next(iter(summaries.values()), "") or description.split("\n")[0]
    )
    who = conditions = ""
    other_criteria = []
    for criterion in _objects(node, CV + "hasCriterion"):
        kind = str(_scalar(criterion, DCT + "type") or "")
        text = _text(criterion, DCT + "description")
        if kind == CRITERION_WHO and not who:
            who = text
        elif kind == CRITERION_CONDITIONS and not conditions:
            conditions = text
        elif text:
            other_criteria.append(text)
    conditions = "\n\n".join(t for t in [conditions, *other_criteria] if t)
    channels = []
    for channel in _objects(node, CV + "hasChannel"):
        kind = (
            str(_scalar(channel, DCT + "type") or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
        )
        if kind in Channel.values and kind not in channels:
            channels.append(kind)
    level = _scalar(node, LOKET + "loginLevel")
    try:
        login_level = int(level) if level is not None else LoginLevel.SUBSTANTIAL
    except (TypeError, ValueError):
        login_level = -1
    if login_level not in LoginLevel.values:
        problems.append(
            _("%(where)s: unknown login level %(level)s.") % {"where": where, "level": level}
        )
        return None
    events = []
    for event in _objects(node, CV + "isGroupedBy"):
        name = _text(event, DCT + "title") or _text(event, SKOS + "prefLabel")
        slug = slugify(str(_scalar(event, DCT + "identifier") or name))[:100]
        if slug and name:
            events.append((slug, name[:200]))
    groups = []
    for group in _objects(node, LPDC + "targetAudience"):
        name = _text(group, SKOS + "prefLabel") or _text(group, DCT + "title")
        slug = slugify(str(_scalar(group, DCT + "identifier") or name))[:100]
        if slug and name:
            groups.append((slug, name[:200]))
    authority = ""
    for organisation in _objects(node, CV + "hasCompetentAuthority"):
        authority = str(_scalar(organisation, DCT + "identifier") or "")
        break
    ipdc_code = ""
    for adms_id in _objects(node, ADMS + "identifier"):
        ipdc_code = str(_scalar(adms_id, SKOS + "notation") or "")[:20]
        break
    slug = (
        slugify(str(_scalar(node, LOKET + "slug") or ""))
        or slugify(re.split(r"[:/#]", identifier)[-1])
        or slugify(title)
    )
    translations: dict[str, dict[str, str]] = {}
    for language, text in titles.items():
        if language != "nl":
            translations.setdefault(language, {})["title"] = text[:200]
    for language, text in summaries.items():
        if language != "nl":
            translations.setdefault(language, {})["summary"] = text[:500]

    def first(iri: str) -> str:
        for item in _objects(node, iri):
            return _text(item, DCT + "description")
        return ""

    cost_text, fee = _costs(node, where, problems)

    return ServiceRecord(
        identifier=identifier[:200],
        slug=slug[:100],
        title=title[:200],
        summary=summary[:500],
        description=description,
        who_can_apply=who,
        conditions=conditions,
        procedure=first(CPSV + "follows"),
        cost_text=cost_text,
        output=first(CPSV + "produces"),
        legal_basis=first(CV + "hasLegalResource"),
        channels=tuple(channels),
        login_level=login_level,
        life_events=tuple(events),
        target_groups=tuple(groups),
        authority=authority,
        ipdc_code=ipdc_code,
        translations=translations,
        fee=fee,
    )


def _cents(node: Mapping[str, Any]) -> int | None:
    value = _scalar(node, CV + "value")
    if value is None:
        return None
    try:
        return parse_euros(str(value).replace(".", ",") if "." in str(value) else str(value))
    except ValueError:
        return -1


def _costs(
    node: Mapping[str, Any], where: str, problems: list[str]
) -> tuple[str, dict[str, Any] | None]:
    """The cost text and, when the document gives amounts, the fee. An amount we
    cannot read is a problem; a document without amounts leaves the fee unchanged."""
    costs = _objects(node, CV + "hasCost")
    main = next(
        (c for c in costs if not str(_scalar(c, DCT + "type") or "").startswith(COST_REDUCED)),
        None,
    )
    if main is None:
        return "", None
    cost_text = _text(main, DCT + "description")
    amount = _cents(main)
    if amount is None:
        return cost_text, None
    fee: dict[str, Any] = {"amount_cents": amount}
    for key, iri in (
        ("label", "label"),
        ("quantity_field", "quantityField"),
        ("unit", "unit"),
        ("free_field", "freeField"),
        ("free_value", "freeValue"),
        ("vat_rate", "vatRate"),
    ):
        fee[key] = str(_scalar(main, LOKET + iri) or "")[:200]
    fee["vat_rate"] = fee["vat_rate"] or VatRate.NONE
    fee["kind"] = FeeKind.PER_ITEM if fee["quantity_field"] else FeeKind.FIXED
    for cost in costs:
        kind = str(_scalar(cost, DCT + "type") or "")
        category = kind.removeprefix(COST_REDUCED)
        if kind.startswith(COST_REDUCED) and category in TariffCategory.values:
            fee[f"{category}_cents"] = _cents(cost)
    amounts = [v for k, v in fee.items() if k.endswith("_cents") and v is not None]
    if any(v < 0 for v in amounts) or fee["vat_rate"] not in VatRate.values:
        problems.append(_("%(where)s: its cost has an amount we cannot read.") % {"where": where})
        return cost_text, None
    return cost_text, fee


def parse_document(document: Any) -> list[ServiceRecord]:
    """Every ``cpsv:PublicService`` of a JSON-LD document, checked; raises
    ``CatalogImportError`` listing the problems (and reads nothing half)."""
    if not isinstance(document, dict | list):
        raise CatalogImportError(_("The file is not a JSON-LD document (an object or a list)."))
    try:
        expanded = pyld_jsonld.expand(document, {"documentLoader": _no_remote_contexts})
    except pyld_jsonld.JsonLdError as error:
        raise CatalogImportError(
            _("The file is not valid JSON-LD: %(error)s")
            % {"error": str(error).split("\n")[0][:200]}
        ) from None
    nodes: list[Mapping[str, Any]] = []

    def collect(items: list[Any]) -> None:
        for item in items:
            if not isinstance(item, Mapping):
                continue
            if CPSV + "PublicService" in _values(item, "@type"):
                nodes.append(item)
            if "@graph" in item:
                collect(_values(item, "@graph"))

    collect(expanded if isinstance(expanded, list) else [expanded])
    if not nodes:
        raise CatalogImportError(_("The file contains no public service (cpsv:PublicService)."))
    if len(nodes) > MAX_SERVICES:
        raise CatalogImportError(
            _("The file contains too many services (at most %(max)s).") % {"max": MAX_SERVICES}
        )
    problems: list[str] = []
    records = []
    seen: set[str] = set()
    for position, node in enumerate(nodes, start=1):
        record = _record(node, position, problems)
        if record is None:
            continue
        if record.identifier in seen:
            problems.append(_("Service “%(id)s” appears twice.") % {"id": record.identifier})
            continue
        seen.add(record.identifier)
        records.append(record)
    if problems:
        raise CatalogImportError(" ".join(problems[:20]))
    return records


def department_for(record: ServiceRecord, default_department_id: int | None) -> int:
    """The department responsible for an imported service: the competent authority
    (``organisation-slug/department-slug``) when we know it, else the default."""
    from loket.core.selectors import department_list

    if "/" in record.authority:
        organisation_slug, department_slug = record.authority.split("/", 1)
        found = (
            department_list()
            .filter(organisation__slug=organisation_slug, slug=department_slug)
            .values_list("pk", flat=True)
            .first()
        )
        if found is not None:
            return found
    if default_department_id is None:
        raise CatalogImportError(
            _(
                "Service “%(id)s”: its department is not known here; "
                "choose a department for the import."
            )
            % {"id": record.identifier}
        )
    return default_department_id
