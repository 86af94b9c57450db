"""Reads of the catalogue: services, life events, form versions, known facts, drafts.

The form engine's reading half is public here: ``form_definition_get``,
``form_known_facts``, ``form_steps_visible``, ``form_step_next``/``previous``,
``form_step_render`` and ``form_submission_prepare``. Its writing half (validating a
step stores uploads; drafts) is in ``services``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format

from loket.catalog import fees, formengine
from loket.catalog.constants import FieldType, PrefillKey
from loket.catalog.fees import FeeRule, PartyFacts
from loket.catalog.models import (
    Fee,
    FormDefinition,
    FormDraft,
    FormUpload,
    LifeEvent,
    Service,
    TargetGroup,
)
from loket.catalog.types import (
    JSON,
    DraftInfo,
    Fact,
    FormDef,
    FormSubmission,
    RenderedStep,
    StepDef,
    StepResult,
    UploadInfo,
)
from loket.core.constants import Permission
from loket.core.selectors import BakedQuery, staff_department_ids
from loket.notifications import selectors as notification_selectors
from loket.payments.types import OrderLineInput
from loket.people import selectors as people_selectors

SEARCH_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50


# --- Services ------------------------------------------------------------------------


def _services() -> QuerySet[Service]:
    return Service.objects.select_related("department__organisation", "fee")


# A service's page is the catalogue's most visited: its SQL is built once (ADR 0020).
# The slug is unique: no ORDER BY as ``.first()`` would add.
_SERVICE_BY_SLUG: BakedQuery[Service] = BakedQuery(
    lambda published_only, slug: (
        _services().filter(is_published=True) if published_only else _services()
    ).filter(slug=slug)[:1],
    name="service by slug",
)


def service_get(*, slug: str, published_only: bool = True) -> Service | None:
    """The service with this slug, with its department and fee (one query; its target
    groups and life events are read when used)."""
    service: Service | None = _SERVICE_BY_SLUG.first(slug, shape=published_only)
    return service


def service_get_by_id(*, service_id: int) -> Service | None:
    return _services().filter(pk=service_id).first()


def service_list_published(*, life_event: LifeEvent | None = None) -> QuerySet[Service]:
    """Published services by title (one query; add prefetches as the page needs)."""
    services = _services().filter(is_published=True)
    if life_event is not None:
        services = services.filter(life_events=life_event)
    return services.order_by("title", "id")


def service_jsonld(
    *, slug: str | None = None, life_event: str | None = None
) -> dict[str, Any] | None:
    """The CPSV-AP JSON-LD document (as the catalogue exports it): of the published
    service ``slug`` (None when there is none), or without a slug of every published
    service, of one life event (by slug) if given. Three queries."""
    from loket.catalog import jsonld

    if slug is not None:
        service = service_get(slug=slug)
        return None if service is None else jsonld.service_document(service)
    services = service_list_published().prefetch_related("target_groups", "life_events")
    if life_event is not None:
        services = services.filter(life_events__slug=life_event)
    return jsonld.catalog_document(services)


def life_event_list() -> QuerySet[LifeEvent]:
    """Life events with their published services (two queries)."""
    return LifeEvent.objects.prefetch_related(
        Prefetch(
            "services",
            queryset=Service.objects.filter(is_published=True).order_by("title", "id"),
            to_attr="published_services",
        )
    )


def life_event_get(*, slug: str) -> LifeEvent | None:
    return LifeEvent.objects.filter(slug=slug).first()


def target_group_list() -> QuerySet[TargetGroup]:
    return TargetGroup.objects.all()


@dataclass(frozen=True, slots=True)
class ServicePage:
    items: tuple[Service, ...]
    next_cursor: str | None


def _encode(title: str, pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([title, pk]).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, int] | None:
    try:
        title, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError):
        return None
    if not isinstance(title, str) or not isinstance(pk, int):
        return None
    return title, pk


def _search_filter(services: QuerySet[Service], query: str) -> QuerySet[Service]:
    words = query.split()[:8]
    if not words:
        return services
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", "summary", "description", config="dutch")
        matches = services.annotate(search=vector).filter(
            Q(search=SearchQuery(" ".join(words), config="dutch", search_type="plain"))
            | Q(title__icontains=query.strip())
        )
        return matches
    for word in words:
        services = services.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return services


def service_search(
    *, query: str = "", after: str | None = None, limit: int = SEARCH_PAGE_SIZE
) -> ServicePage:
    """Published services whose title, summary or description match every word (full
    text search in Dutch on PostgreSQL), by title; keyset-paginated, one query."""
    services = _search_filter(service_list_published(), query.strip())
    if after and (position := _decode(after)) is not None:
        title, pk = position
        services = services.filter(Q(title__gt=title) | Q(title=title, pk__gt=pk))
    rows = list(services.order_by("title", "id")[: limit + 1])
    next_cursor = _encode(rows[limit - 1].title, rows[limit - 1].pk) if len(rows) > limit else None
    return ServicePage(items=tuple(rows[:limit]), next_cursor=next_cursor)


def service_list_for_staff(
    *, user: Any, after: str | None = None, limit: int = STAFF_PAGE_SIZE
) -> ServicePage:
    """Services of the departments where ``user`` may edit the catalogue (one query
    besides the permission lookup), by title, keyset-paginated."""
    departments = staff_department_ids(user=user, permission=Permission.CATALOG_EDIT)
    services = _services().filter(department_id__in=departments)
    if after and (position := _decode(after)) is not None:
        title, pk = position
        services = services.filter(Q(title__gt=title) | Q(title=title, pk__gt=pk))
    rows = list(services.order_by("title", "id")[: limit + 1])
    next_cursor = _encode(rows[limit - 1].title, rows[limit - 1].pk) if len(rows) > limit else None
    return ServicePage(items=tuple(rows[:limit]), next_cursor=next_cursor)


def service_get_for_staff(*, user: Any, service_id: int) -> Service | None:
    """The service, if ``user`` may edit it (None otherwise: the view answers 404)."""
    departments = staff_department_ids(user=user, permission=Permission.CATALOG_EDIT)
    return (
        _services()
        .prefetch_related("target_groups", "life_events")
        .filter(pk=service_id, department_id__in=departments)
        .first()
    )


# --- Form versions -------------------------------------------------------------------


# Published form versions never change (staff edit a new, unpublished version), so a
# version is parsed once per process: (row id, version, published at) → parsed form.
_PARSED_FORMS_MAX = 512
_parsed_forms: dict[tuple[Any, ...], FormDef] = {}


def _published_version_query(exact: bool, service_id: int, *version: int) -> QuerySet[Any]:
    versions = FormDefinition.objects.filter(service_id=service_id, published_at__isnull=False)
    if exact:
        versions = versions.filter(version=version[0])
    return versions.order_by("-version").values("pk", "version", "published_at")[:1]


# Which published version a form is (shape: whether an exact version is asked for).
_PUBLISHED_VERSION: BakedQuery[Any] = BakedQuery(
    _published_version_query, name="published form version"
)


def form_definition_get(*, service: Service, version: int | None = None) -> FormDef | None:
    """The form residents fill in: the newest published version (or exactly
    ``version``, e.g. the one a case was submitted with). None: the service has no form."""
    return form_definition_get_by_service_id(service_id=service.pk, version=version)


def form_definition_get_by_service_id(
    *, service_id: int, version: int | None = None
) -> FormDef | None:
    """As ``form_definition_get``, by the service's id (without reading the service)."""
    values = (service_id,) if version is None else (service_id, version)
    row = _PUBLISHED_VERSION.first(*values, shape=version is not None)
    if row is None:
        return None
    found = (row["pk"], row["version"], row["published_at"])
    parsed = _parsed_forms.get(found)
    if parsed is None:
        definition = FormDefinition.objects.values_list("definition", flat=True).get(pk=found[0])
        parsed = formengine.definition_parse(definition, version=found[1])
        if len(_parsed_forms) >= _PARSED_FORMS_MAX:
            _parsed_forms.clear()
        _parsed_forms[found] = parsed
    return parsed


def form_working_copy_get(*, service: Service) -> FormDef:
    """What staff are editing: the unpublished version, else a copy of the newest
    published one, else an empty form (version numbers: see ``FormDef.version``)."""
    row = FormDefinition.objects.filter(service=service).order_by("-version").first()
    if row is None:
        return FormDef(version=1, steps=())
    if row.published_at is not None:
        return formengine.definition_parse(row.definition, version=row.version + 1)
    return formengine.definition_parse(row.definition, version=row.version)


def form_versions_list(*, service: Service) -> list[FormDefinition]:
    return list(
        FormDefinition.objects.filter(service=service)
        .select_related("created_by")
        .order_by("-version")[:20]
    )


def form_has_unpublished_changes(*, service: Service) -> bool:
    return FormDefinition.objects.filter(service=service, published_at__isnull=True).exists()


# --- The engine's reading half -------------------------------------------------------


def form_known_facts(*, person_id: int | None) -> dict[str, Fact]:
    """What the municipality already knows about a resident, by prefill key: the form
    shows these for confirmation and never asks them again. Empty for no person."""
    if person_id is None:
        return {}
    person = people_selectors.person_get(person_id=person_id)
    if person is None:
        return {}
    facts: dict[str, Fact] = {
        PrefillKey.FULL_NAME: Fact(
            key=PrefillKey.FULL_NAME, value=person.full_name, display=person.full_name
        ),
        PrefillKey.FIRST_NAME: Fact(
            key=PrefillKey.FIRST_NAME, value=person.first_name, display=person.first_name
        ),
        PrefillKey.LAST_NAME: Fact(
            key=PrefillKey.LAST_NAME, value=person.last_name, display=person.last_name
        ),
        PrefillKey.BIRTH_DATE: Fact(
            key=PrefillKey.BIRTH_DATE,
            value=person.birth_date.isoformat(),
            display=date_format(person.birth_date, "j F Y"),
        ),
    }
    if person.address is not None:
        address = person.address
        facts[PrefillKey.ADDRESS] = Fact(
            key=PrefillKey.ADDRESS,
            value={
                "address_id": address.id,
                "postcode": address.postcode,
                "street": address.street_name,
                "number": address.house_number,
                "box": address.box_number,
                "label": address.label,
            },
            display=address.label,
        )
    contact = notification_selectors.recipients_for(person_ids=[person.id]).get(person.id)
    if contact is not None and contact.email:
        facts[PrefillKey.EMAIL] = Fact(
            key=PrefillKey.EMAIL, value=contact.email, display=contact.email, source="contact"
        )
    if contact is not None and contact.phone:
        facts[PrefillKey.PHONE] = Fact(
            key=PrefillKey.PHONE, value=contact.phone, display=contact.phone, source="contact"
        )
    if person.household_id is not None:
        members = people_selectors.household_members(household_id=person.household_id)
        facts[PrefillKey.HOUSEHOLD] = Fact(
            key=PrefillKey.HOUSEHOLD,
            value=[{"person_id": m.id, "name": m.full_name} for m in members],
            display=", ".join(m.full_name for m in members),
        )
    # Plain string keys: the facts travel into JSON answers and session data.
    return {str(key): replace(fact, key=str(key)) for key, fact in facts.items()}


def form_steps_visible(*, definition: FormDef, answers: Mapping[str, JSON]) -> list[StepDef]:
    return formengine.steps_visible(definition, answers)


def form_step_next(
    *, definition: FormDef, step_key: str, answers: Mapping[str, JSON]
) -> StepDef | None:
    """The step after ``step_key`` given the answers (conditional steps skipped), or
    the first step for an unknown key; None after the last step."""
    return formengine.step_after(definition, step_key, answers)


def form_step_previous(
    *, definition: FormDef, step_key: str, answers: Mapping[str, JSON]
) -> StepDef | None:
    return formengine.step_before(definition, step_key, answers)


def form_step_render(
    *,
    definition: FormDef,
    step_key: str,
    answers: Mapping[str, JSON] | None = None,
    known: Mapping[str, Fact] | None = None,
    result: StepResult | None = None,
) -> RenderedStep:
    """What ``templates/catalog/_form_step.html`` draws (pass it as ``form_step``)."""
    return formengine.step_render(
        definition, step_key=step_key, answers=answers, known=known, result=result
    )


def form_submission_prepare(
    *,
    service: Service,
    definition: FormDef,
    answers: Mapping[str, JSON],
    known: Mapping[str, Fact],
) -> FormSubmission:
    """The answers a case is made of: only those of questions that still apply, with
    the confirmed facts, the form version, and the first incomplete step (if any)."""
    final, facts, incomplete = formengine.answers_final(definition, answers, known)
    return FormSubmission(
        service_id=service.pk,
        version=definition.version,
        answers=final,
        facts=facts,
        incomplete_step=incomplete,
    )


def form_owner_key(*, user_id: int | None = None, session_key: str | None = None) -> str:
    """Who owns uploads and may reuse them: a user, or an anonymous session (hashed)."""
    if user_id is not None:
        return f"user:{user_id}"
    if not session_key:
        raise ValueError("an anonymous upload needs a session")
    return "session:" + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def form_upload_get(*, token: str, owner_key: str | None = None) -> UploadInfo | None:
    """An upload by its token (only the owner's, when ``owner_key`` is given)."""
    uploads = FormUpload.objects.filter(token=token)
    if owner_key is not None:
        uploads = uploads.filter(owner_key=owner_key)
    row = uploads.first()
    if row is None:
        return None
    return UploadInfo(
        token=row.token, name=row.original_name, content_type=row.content_type, size=row.size
    )


def form_upload_open(*, token: str) -> tuple[UploadInfo, Any] | None:
    """The upload and its open file (for staff handling the case); None if gone."""
    row = FormUpload.objects.filter(token=token).first()
    if row is None:
        return None
    info = UploadInfo(
        token=row.token, name=row.original_name, content_type=row.content_type, size=row.size
    )
    return info, row.file.open("rb")


def _draft_info(draft: FormDraft) -> DraftInfo:
    return DraftInfo(
        service_id=draft.service_id,
        form_version=draft.form_version,
        party_kind=draft.party_kind,
        party_id=draft.party_id,
        answers=draft.data,
        current_step=draft.current_step,
        revision=draft.updated_at.isoformat(),
    )


def form_draft_get(
    *, user: Any, service: Service, party_kind: str = "person", party_id: int = 0
) -> DraftInfo | None:
    """The draft this user keeps for this service and party, to resume."""
    draft = _DRAFT.first(int(user.pk), int(service.pk), str(party_kind), int(party_id))
    return _draft_info(draft) if draft is not None else None


# Every step of a request form looks for the draft (ADR 0020).
_DRAFT: BakedQuery[FormDraft] = BakedQuery(
    lambda shape, user_id, service_id, party_kind, party_id: FormDraft.objects.filter(
        user_id=user_id, service_id=service_id, party_kind=party_kind, party_id=party_id
    ).order_by("pk")[:1],
    name="form draft",
)


def form_draft_list(*, user: Any) -> list[tuple[Service, DraftInfo]]:
    """Every draft of a user, newest first, with its service (one query)."""
    drafts = (
        FormDraft.objects.filter(user_id=user.pk)
        .select_related("service")
        .order_by("-updated_at")[:50]
    )
    return [(draft.service, _draft_info(draft)) for draft in drafts]


def form_field_types() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in FieldType.choices]


# --- Fees ----------------------------------------------------------------------------


def fee_rule_get(*, service_id: int) -> FeeRule | None:
    """The service's fee as a rule (None: the service is free)."""
    row = Fee.objects.select_related("service").filter(service_id=service_id).first()
    return row.rule() if row is not None else None


def fee_get(*, service: Service) -> Fee | None:
    return Fee.objects.filter(service=service).first()


def _question_labels(service: Service) -> dict[str, str]:
    definition = form_definition_get(service=service)
    if definition is None:
        return {}
    return {field.key: field.label for step in definition.steps for field in step.fields}


def fee_summary_for_service(*, service: Service) -> str:
    """The cost in clear language for the service page ("" when there is no fee)."""
    try:
        row = service.fee  # fetched with the service by ``_services()``
    except Fee.DoesNotExist:
        return ""
    rule = row.rule()
    label = _question_labels(service).get(rule.free_field, "") if rule.free_field else ""
    return fees.fee_summary(rule, free_label=label)


def party_facts(*, person_id: int | None, party_kind: str = "person") -> PartyFacts:
    """What the register says about who asks, for reduced tariffs: a living person in
    the population register with an address lives in the municipality; the age comes
    from the register's birth date. Nothing the resident typed counts."""
    is_association = party_kind == "association"
    if person_id is None:
        return PartyFacts(is_association=is_association)
    person = people_selectors.person_get(person_id=person_id)
    if person is None:
        return PartyFacts(is_association=is_association)
    today = timezone.localdate()
    born = person.birth_date
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return PartyFacts(
        is_resident=person.address is not None and not person.is_deceased,
        is_association=is_association,
        age=age,
    )


def fee_lines_for_request(
    *,
    service_id: int | None,
    person_id: int | None,
    party_kind: str,
    answers: Mapping[str, JSON],
) -> list[OrderLineInput]:
    """The order lines a request of this service costs, computed on the server from
    the service's fee, the register and the submitted answers (empty: nothing is due).
    Raises ``FeeError`` (a ``DomainError``) when the answers lack the quantity."""
    if service_id is None:
        return []
    rule = fee_rule_get(service_id=service_id)
    if rule is None:
        return []
    facts = party_facts(person_id=person_id, party_kind=party_kind)
    with translation.override(settings.LANGUAGE_CODE):
        return fees.fee_compute(rule, facts, answers)
