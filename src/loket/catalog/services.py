"""Writes of the catalogue: services, the form builder (a working copy per service,
published as a new version), validating form steps (which stores uploads), drafts,
CPSV-AP import and the demo catalogue."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.catalog import formengine
from loket.catalog.constants import Channel, LoginLevel
from loket.catalog.fees import MAX_AMOUNT_CENTS, FeeKind, VatRate
from loket.catalog.formengine import DefinitionError
from loket.catalog.models import (
    Fee,
    FormDefinition,
    FormDraft,
    FormUpload,
    LifeEvent,
    Service,
    TargetGroup,
)
from loket.catalog.types import JSON, Fact, FormDef, StepResult, UploadInfo
from loket.core.constants import AuditAction, Permission
from loket.core.selectors import staff_has_permission
from loket.core.services import DomainError, audit_record

__all__ = [
    "DefinitionError",
    "FeeInput",
    "ServiceInput",
    "StaleDraft",
    "catalog_seed_demo",
    "form_definition_replace",
    "form_draft_discard",
    "form_draft_save",
    "form_drafts_prune",
    "form_drafts_remind",
    "form_field_move",
    "form_field_remove",
    "form_field_save",
    "form_step_add",
    "form_step_move",
    "form_step_remove",
    "form_step_update",
    "form_step_validate",
    "form_uploads_claim",
    "form_uploads_prune",
    "form_version_publish",
    "form_working_copy_discard",
    "service_create",
    "service_update",
]

_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}


class StaleDraft(DomainError):
    """The draft changed since this page was opened (another tab or device)."""


def _require_edit(actor: Any, department_id: int) -> None:
    """``catalog.edit`` in the department; ``actor=None`` is the system itself (the
    ``catalog-import`` command, the demo seed), never a request's user."""
    if actor is None:
        return
    if not staff_has_permission(
        user=actor, permission=Permission.CATALOG_EDIT, department_id=department_id
    ):
        raise PermissionDenied(Permission.CATALOG_EDIT)


# --- Services ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceInput:
    """Everything staff fill in about a service (validated in shape by the view)."""

    slug: str
    title: str
    summary: str
    department_id: int
    description: str = ""
    who_can_apply: str = ""
    conditions: str = ""
    procedure: str = ""
    cost_text: str = ""
    output: str = ""
    legal_basis: str = ""
    channels: tuple[str, ...] = ()
    login_level: int = LoginLevel.SUBSTANTIAL
    target_group_ids: tuple[int, ...] = ()
    life_event_ids: tuple[int, ...] = ()
    is_published: bool = False
    ipdc_code: str = ""
    identifier: str = ""
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    fee: FeeInput | None = None  # None: the fee stays as it is


@dataclass(frozen=True, slots=True)
class FeeInput:
    """A service's fee as staff set it (amounts in cents, VAT included). ``kind`` is a
    ``FeeKind``: ``none`` removes the fee (the service is free)."""

    kind: str = FeeKind.NONE
    amount_cents: int = 0
    label: str = ""
    quantity_field: str = ""
    unit: str = ""
    vat_rate: str = VatRate.NONE
    resident_cents: int | None = None
    association_cents: int | None = None
    senior_cents: int | None = None
    free_field: str = ""
    free_value: str = ""


_TEXT_FIELDS = (
    "slug",
    "title",
    "summary",
    "description",
    "who_can_apply",
    "conditions",
    "procedure",
    "cost_text",
    "output",
    "legal_basis",
    "ipdc_code",
)


def _check_input(data: ServiceInput, *, service_id: int | None) -> None:
    others = Service.objects.exclude(pk=service_id) if service_id else Service.objects.all()
    if others.filter(slug=data.slug).exists():
        raise DomainError(
            _("Another service already uses the web address “%(slug)s”.") % {"slug": data.slug}
        )
    if data.identifier and others.filter(identifier=data.identifier).exists():
        raise DomainError(_("Another service already has this identifier."))
    unknown = [c for c in data.channels if c not in Channel.values]
    if unknown:
        raise DomainError(_("Unknown channel: %(channels)s.") % {"channels": ", ".join(unknown)})
    if data.login_level not in LoginLevel.values:
        raise DomainError(_("Unknown login level."))


def _apply(service: Service, data: ServiceInput) -> dict[str, JSON]:
    changes: dict[str, JSON] = {}
    for name in _TEXT_FIELDS:
        new = getattr(data, name)
        if getattr(service, name) != new:
            changes[name] = new if name in ("slug", "title", "ipdc_code") else "changed"
            setattr(service, name, new)
    for name, new_value in (
        ("channels", list(data.channels)),
        ("login_level", int(data.login_level)),
        ("department_id", data.department_id),
        ("is_published", data.is_published),
        ("translations", dict(data.translations)),
    ):
        if getattr(service, name) != new_value:
            changes[name] = new_value
            setattr(service, name, new_value)
    if data.identifier and service.identifier != data.identifier:
        changes["identifier"] = data.identifier
        service.identifier = data.identifier
    return changes


@transaction.atomic
def service_create(*, actor: Any, data: ServiceInput) -> Service:
    """A new service (unpublished unless asked) in a department where ``actor`` may
    edit the catalogue."""
    _require_edit(actor, data.department_id)
    _check_input(data, service_id=None)
    service = Service(identifier=data.identifier or f"urn:loket:service:{data.slug}")
    changes = _apply(service, data)
    service.save()
    service.target_groups.set(data.target_group_ids)
    service.life_events.set(data.life_event_ids)
    if data.fee is not None:
        changes.update(_fee_apply(service, data.fee))
    audit_record(actor=actor, action=AuditAction.CREATE, target=service, changes=changes)
    return service


@transaction.atomic
def service_update(*, actor: Any, service_id: int, data: ServiceInput) -> Service:
    """Change a service; ``actor`` needs ``catalog.edit`` in its department and in the
    new one when it moves. Nothing is written (or audited) when nothing changed."""
    return _service_update(actor=actor, service_id=service_id, data=data)[0]


def _service_update(*, actor: Any, service_id: int, data: ServiceInput) -> tuple[Service, bool]:
    service = Service.objects.select_for_update().get(pk=service_id)
    _require_edit(actor, service.department_id)
    _require_edit(actor, data.department_id)
    _check_input(data, service_id=service.pk)
    changes = _apply(service, data)
    if changes:
        service.save()
    old_groups = set(service.target_groups.values_list("pk", flat=True))
    old_events = set(service.life_events.values_list("pk", flat=True))
    if old_groups != set(data.target_group_ids):
        service.target_groups.set(data.target_group_ids)
        changes["target_groups"] = sorted(data.target_group_ids)
    if old_events != set(data.life_event_ids):
        service.life_events.set(data.life_event_ids)
        changes["life_events"] = sorted(data.life_event_ids)
    if data.fee is not None:
        changes.update(_fee_apply(service, data.fee))
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=service, changes=changes)
    return service, bool(changes)


# --- Fees ----------------------------------------------------------------------------

_FEE_FIELDS = (
    "label",
    "amount_cents",
    "quantity_field",
    "unit",
    "vat_rate",
    "resident_cents",
    "association_cents",
    "senior_cents",
    "free_field",
    "free_value",
)


def _question_keys(service: Service) -> set[str] | None:
    """Keys of the questions of the service's newest form (working copy included);
    None when the service has no form yet."""
    row = FormDefinition.objects.filter(service=service).order_by("-version").first()
    if row is None:
        return None
    steps = (row.definition or {}).get("steps", [])
    return {str(f.get("key")) for step in steps for f in step.get("fields", [])}


def _fee_check(service: Service, data: FeeInput) -> None:
    if data.kind not in FeeKind.values:
        raise DomainError(_("Unknown kind of fee."))
    if data.kind == FeeKind.NONE:
        return
    if data.vat_rate not in VatRate.values:
        raise DomainError(_("Choose a VAT rate of 0, 6 or 21 %."))
    amounts = [
        data.amount_cents,
        *(
            a
            for a in (data.resident_cents, data.association_cents, data.senior_cents)
            if a is not None
        ),
    ]
    if any(a < 0 or a > MAX_AMOUNT_CENTS for a in amounts):
        raise DomainError(_("An amount of the fee is not possible."))
    if data.kind == FeeKind.PER_ITEM and not data.quantity_field:
        raise DomainError(_("A fee per item needs the question that asks how many."))
    if bool(data.free_field) != bool(data.free_value.strip()):
        raise DomainError(_("A free condition needs both a question and an answer."))
    known = _question_keys(service)
    for key in (data.quantity_field if data.kind == FeeKind.PER_ITEM else "", data.free_field):
        if key and known is not None and key not in known:
            raise DomainError(
                _("The form of this service has no question “%(key)s”.") % {"key": key}
            )


def _fee_apply(service: Service, data: FeeInput) -> dict[str, JSON]:
    """Set (or remove) the fee; the changes for the audit record (empty: unchanged)."""
    _fee_check(service, data)
    existing = Fee.objects.select_for_update().filter(service=service).first()
    if data.kind == FeeKind.NONE:
        if existing is None:
            return {}
        existing.delete()
        return {"fee": None}
    values: dict[str, Any] = {
        "label": data.label.strip()[:200],
        "amount_cents": int(data.amount_cents),
        "quantity_field": data.quantity_field if data.kind == FeeKind.PER_ITEM else "",
        "unit": data.unit.strip()[:50] if data.kind == FeeKind.PER_ITEM else "",
        "vat_rate": data.vat_rate,
        "resident_cents": data.resident_cents,
        "association_cents": data.association_cents,
        "senior_cents": data.senior_cents,
        "free_field": data.free_field,
        "free_value": data.free_value.strip()[:200],
    }
    if existing is None:
        Fee.objects.create(service=service, **values)
        return {"fee": {k: v for k, v in values.items() if v not in ("", None)}}
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if not changed:
        return {}
    for name, value in changed.items():
        setattr(existing, name, value)
    existing.save(update_fields=[*changed, "updated_at"])
    return {"fee": changed}


# --- Form builder --------------------------------------------------------------------


def _lock_service(actor: Any, service_id: int) -> Service:
    service = Service.objects.select_for_update().get(pk=service_id)
    _require_edit(actor, service.department_id)
    return service


def _working_copy(service: Service, actor: Any) -> FormDefinition:
    row = FormDefinition.objects.filter(service=service).order_by("-version").first()
    if row is not None and row.published_at is None:
        return row
    return FormDefinition(
        service=service,
        version=(row.version + 1) if row is not None else 1,
        definition=copy.deepcopy(row.definition) if row is not None else {"steps": []},
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def _change_form(
    *, actor: Any, service_id: int, what: str, mutate: Callable[[dict[str, Any]], None]
) -> FormDef:
    """Apply ``mutate`` to the working copy of a service's form; refuse (and change
    nothing) when the result is not a valid definition."""
    service = _lock_service(actor, service_id)
    row = _working_copy(service, actor)
    definition = copy.deepcopy(row.definition) or {"steps": []}
    definition.setdefault("steps", [])
    mutate(definition)
    parsed = formengine.definition_parse(definition, version=row.version)
    row.definition = formengine.definition_dump(parsed)
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=service,
        object_label=f"{service.title} (form v{row.version})"[:200],
        changes={"form_version": row.version, "change": what},
    )
    return parsed


def _step_index(definition: dict[str, Any], step_key: str) -> int:
    for index, step in enumerate(definition["steps"]):
        if step.get("key") == step_key:
            return index
    raise DomainError(_("This step does not exist (any more)."))


def _field_index(step: dict[str, Any], field_key: str) -> int:
    for index, item in enumerate(step.get("fields", [])):
        if item.get("key") == field_key:
            return index
    raise DomainError(_("This question does not exist (any more)."))


def _move(items: list[Any], index: int, direction: int) -> None:
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(items):
        raise DomainError(_("It cannot move further in that direction."))
    items[index], items[target] = items[target], items[index]


@transaction.atomic
def form_definition_replace(
    *, actor: Any, service_id: int, definition: Mapping[str, Any]
) -> FormDef:
    """Replace the whole working copy (import, demo seed, the builder's raw editor)."""

    def mutate(current: dict[str, Any]) -> None:
        current.clear()
        current.update(copy.deepcopy(dict(definition)))

    return _change_form(actor=actor, service_id=service_id, what="replace", mutate=mutate)


@transaction.atomic
def form_step_add(
    *,
    actor: Any,
    service_id: int,
    key: str,
    title: str,
    intro: str = "",
    show_if: Mapping[str, JSON] | None = None,
) -> FormDef:
    def mutate(definition: dict[str, Any]) -> None:
        step: dict[str, Any] = {"key": key, "title": title, "intro": intro, "fields": []}
        if show_if:
            step["show_if"] = dict(show_if)
        definition["steps"].append(step)

    return _change_form(actor=actor, service_id=service_id, what=f"add step {key}", mutate=mutate)


@transaction.atomic
def form_step_update(
    *,
    actor: Any,
    service_id: int,
    step_key: str,
    title: str,
    intro: str = "",
    show_if: Mapping[str, JSON] | None = None,
) -> FormDef:
    def mutate(definition: dict[str, Any]) -> None:
        step = definition["steps"][_step_index(definition, step_key)]
        step.update(title=title, intro=intro)
        step.pop("show_if", None)
        if show_if:
            step["show_if"] = dict(show_if)

    return _change_form(
        actor=actor, service_id=service_id, what=f"change step {step_key}", mutate=mutate
    )


@transaction.atomic
def form_step_move(*, actor: Any, service_id: int, step_key: str, direction: int) -> FormDef:
    def mutate(definition: dict[str, Any]) -> None:
        _move(definition["steps"], _step_index(definition, step_key), direction)

    return _change_form(
        actor=actor, service_id=service_id, what=f"move step {step_key}", mutate=mutate
    )


@transaction.atomic
def form_step_remove(*, actor: Any, service_id: int, step_key: str) -> FormDef:
    def mutate(definition: dict[str, Any]) -> None:
        del definition["steps"][_step_index(definition, step_key)]

    return _change_form(
        actor=actor, service_id=service_id, what=f"remove step {step_key}", mutate=mutate
    )


@transaction.atomic
def form_field_save(
    *,
    actor: Any,
    service_id: int,
    step_key: str,
    field: Mapping[str, JSON],
    original_key: str | None = None,
) -> FormDef:
    """Add a question to a step (``original_key`` None) or replace one."""

    def mutate(definition: dict[str, Any]) -> None:
        step = definition["steps"][_step_index(definition, step_key)]
        step.setdefault("fields", [])
        if original_key is None:
            step["fields"].append(dict(field))
        else:
            step["fields"][_field_index(step, original_key)] = dict(field)

    what = f"{'add' if original_key is None else 'change'} question {field.get('key')}"
    return _change_form(actor=actor, service_id=service_id, what=what, mutate=mutate)


@transaction.atomic
def form_field_move(
    *, actor: Any, service_id: int, step_key: str, field_key: str, direction: int
) -> FormDef:
    def mutate(definition: dict[str, Any]) -> None:
        step = definition["steps"][_step_index(definition, step_key)]
        _move(step["fields"], _field_index(step, field_key), direction)

    return _change_form(
        actor=actor, service_id=service_id, what=f"move question {field_key}", mutate=mutate
    )


@transaction.atomic
def form_field_remove(*, actor: Any, service_id: int, step_key: str, field_key: str) -> FormDef:
    def mutate(definition: dict[str, Any]) -> None:
        step = definition["steps"][_step_index(definition, step_key)]
        del step["fields"][_field_index(step, field_key)]

    return _change_form(
        actor=actor, service_id=service_id, what=f"remove question {field_key}", mutate=mutate
    )


@transaction.atomic
def form_version_publish(*, actor: Any, service_id: int) -> int:
    """Publish the working copy as the form residents fill in from now on; cases
    already submitted keep the version they were filled in with. Returns the version."""
    service = _lock_service(actor, service_id)
    row = FormDefinition.objects.filter(service=service, published_at__isnull=True).first()
    if row is None:
        raise DomainError(_("There are no changes to publish."))
    formengine.definition_parse(row.definition, version=row.version)
    row.published_at = timezone.now()
    row.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=service,
        changes={"form_version": row.version, "change": "publish"},
    )
    return row.version


@transaction.atomic
def form_working_copy_discard(*, actor: Any, service_id: int) -> None:
    service = _lock_service(actor, service_id)
    deleted, _rows = FormDefinition.objects.filter(
        service=service, published_at__isnull=True
    ).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=service,
            changes={"change": "discard form changes"},
        )


# --- Filling in a form ---------------------------------------------------------------


def _upload_store(service: Service, owner_key: str) -> formengine.UploadStore:
    def store(*, field_key: str, file: UploadedFile, content_type: str) -> UploadInfo:
        token = secrets.token_urlsafe(32)
        extension = _EXTENSIONS.get(content_type, "bin")
        row = FormUpload(
            token=token,
            owner_key=owner_key,
            service=service,
            field_key=field_key,
            original_name=(file.name or "upload")[-200:],
            content_type=content_type,
            size=file.size or 0,
        )
        # The stored name is random: it says nothing about the resident or the file.
        name = f"{secrets.token_hex(16)}.{extension}"
        try:
            row.file.save(name, file, save=False)
        except OSError:
            # A full disk leaves what the storage had written so far: remove it, so a
            # failed upload leaves neither a row nor a partial file.
            with suppress(OSError):
                row.file.storage.delete(row.file.field.generate_filename(row, name))
            raise
        row.save()
        return UploadInfo(
            token=token, name=row.original_name, content_type=content_type, size=row.size
        )

    return store


def _upload_load(owner_key: str) -> formengine.UploadLoad:
    def load(*, token: str) -> UploadInfo | None:
        row = FormUpload.objects.filter(token=token, owner_key=owner_key).first()
        if row is None:
            return None
        return UploadInfo(
            token=row.token, name=row.original_name, content_type=row.content_type, size=row.size
        )

    return load


def form_step_validate(
    *,
    service: Service,
    definition: FormDef,
    step_key: str,
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    known: Mapping[str, Fact] | None = None,
    answers: Mapping[str, JSON] | None = None,
    owner_key: str,
) -> StepResult:
    """Validate one posted step of a service's form. Accepted uploads are stored (under
    a random name, owned by ``owner_key``: see ``selectors.form_owner_key``) and kept as
    references, so a step with an error elsewhere does not lose them. Merge a valid
    result into the form's answers with ``form_answers_merge``."""
    with transaction.atomic():
        return formengine.step_validate(
            definition,
            step_key=step_key,
            data=data,
            files=files,
            known=known,
            answers=answers,
            store=_upload_store(service, owner_key),
            load=_upload_load(owner_key),
        )


def form_answers_merge(
    *, definition: FormDef, answers: Mapping[str, JSON], result: StepResult
) -> dict[str, JSON]:
    """The form's answers with those of a valid step put in (pure, nothing stored)."""
    return formengine.answers_merge(definition, answers, result)


def _upload_tokens(value: JSON) -> list[str]:
    """The upload tokens inside answers (file answers are ``{"upload": token, ...}``)."""
    if isinstance(value, Mapping):
        token = value.get("upload")
        found = [token] if isinstance(token, str) and token else []
        return found + [
            t for v in value.values() if isinstance(v, Mapping | list) for t in _upload_tokens(v)
        ]
    if isinstance(value, list):
        return [t for v in value for t in _upload_tokens(v)]
    return []


@transaction.atomic
def form_uploads_claim(*, answers: Mapping[str, JSON], owner_key: str) -> int:
    """Mark the files in these answers as taken by a submitted request, so they are
    kept; call it in the transaction that creates the case. Returns how many."""
    tokens = _upload_tokens(dict(answers))
    if not tokens:
        return 0
    return FormUpload.objects.filter(
        token__in=tokens, owner_key=owner_key, claimed_at__isnull=True
    ).update(claimed_at=timezone.now())


UPLOAD_KEEP_UNCLAIMED = timedelta(days=30)
_PRUNE_BATCH = 500


def form_uploads_prune(*, now: datetime | None = None) -> int:
    """Delete files that no request took within ``UPLOAD_KEEP_UNCLAIMED`` (abandoned
    forms); a draft resumed later asks for the file again. Returns how many."""
    cutoff = (now or timezone.now()) - UPLOAD_KEEP_UNCLAIMED
    deleted = 0
    while True:
        batch = list(
            FormUpload.objects.filter(claimed_at__isnull=True, created_at__lt=cutoff).order_by(
                "pk"
            )[:_PRUNE_BATCH]
        )
        if not batch:
            return deleted
        for upload in batch:
            with transaction.atomic():
                if FormUpload.objects.filter(pk=upload.pk, claimed_at__isnull=True).delete()[0]:
                    upload.file.delete(save=False)
                    deleted += 1


@transaction.atomic
def form_draft_save(
    *,
    user: Any,
    service: Service,
    form_version: int,
    answers: Mapping[str, JSON],
    current_step: str,
    party_kind: str = "person",
    party_id: int = 0,
    revision: str | None = None,
) -> str:
    """Keep what a resident answered so far, to resume later; returns the new revision.

    Pass the ``revision`` the page was built from: when the draft changed since (in
    another tab), ``StaleDraft`` is raised and nothing is overwritten."""
    draft = (
        FormDraft.objects.select_for_update()
        .filter(user_id=user.pk, service=service, party_kind=party_kind, party_id=party_id)
        .first()
    )
    if draft is not None and revision is not None and draft.updated_at.isoformat() != revision:
        raise StaleDraft(
            _(
                "You changed this request in another window in the meantime. We show you "
                "the latest version: check it and continue."
            )
        )
    if draft is None:
        draft = FormDraft(
            user_id=user.pk, service=service, party_kind=party_kind, party_id=party_id
        )
    draft.form_version = form_version
    draft.data = dict(answers)
    draft.current_step = current_step
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:  # a parallel first save won
        raise StaleDraft(
            _("This request was just saved in another window. Check it and continue.")
        ) from None
    return draft.updated_at.isoformat()


@transaction.atomic
def form_draft_discard(
    *, user: Any, service: Service, party_kind: str = "person", party_id: int = 0
) -> bool:
    """Drop a draft (after the case was submitted, or when the resident starts over)."""
    deleted, _rows = FormDraft.objects.filter(
        user_id=user.pk, service=service, party_kind=party_kind, party_id=party_id
    ).delete()
    return bool(deleted)


# --- Life events and target groups ---------------------------------------------------


def _life_event_ensure(*, slug: str, name: str, description: str = "", order: int = 0) -> LifeEvent:
    event, _created = LifeEvent.objects.update_or_create(
        slug=slug, defaults={"name": name, "description": description, "order": order}
    )
    return event


def _target_group_ensure(*, slug: str, name: str, order: int = 0) -> TargetGroup:
    group, _created = TargetGroup.objects.update_or_create(
        slug=slug, defaults={"name": name, "order": order}
    )
    return group


# --- CPSV-AP import ------------------------------------------------------------------


@transaction.atomic
def catalog_import_jsonld(
    *, actor: Any, document: Any, default_department_id: int | None = None
) -> tuple[int, int, tuple[str, ...]]:
    """Create or update services from a CPSV-AP JSON-LD document, matched on their
    identifier (importing the same file twice changes nothing the second time).
    Returns (created, updated, identifiers). Raises ``CatalogImportError`` (a
    ``DomainError``) for malformed input, before anything is written."""
    from loket.catalog import jsonld

    records = jsonld.parse_document(document)
    created = updated = 0
    identifiers = []
    for record in records:
        existing = Service.objects.filter(identifier=record.identifier).first()
        department_id = (
            existing.department_id
            if existing is not None
            else jsonld.department_for(record, default_department_id)
        )
        events = [
            LifeEvent.objects.get_or_create(slug=slug, defaults={"name": name, "order": 100})[0].pk
            for slug, name in record.life_events
        ]
        groups = [
            TargetGroup.objects.get_or_create(slug=slug, defaults={"name": name, "order": 100})[
                0
            ].pk
            for slug, name in record.target_groups
        ]
        data = ServiceInput(
            slug=record.slug if existing is None else existing.slug,
            title=record.title,
            summary=record.summary,
            department_id=department_id,
            description=record.description,
            who_can_apply=record.who_can_apply,
            conditions=record.conditions,
            procedure=record.procedure,
            cost_text=record.cost_text,
            output=record.output,
            legal_basis=record.legal_basis,
            channels=record.channels,
            login_level=record.login_level,
            target_group_ids=tuple(groups),
            life_event_ids=tuple(events),
            is_published=existing.is_published if existing is not None else False,
            ipdc_code=record.ipdc_code,
            identifier=record.identifier,
            translations=record.translations,
            fee=FeeInput(**record.fee) if record.fee is not None else None,
        )
        if existing is None:
            service_create(actor=actor, data=data)
            created += 1
        else:
            _service, changed = _service_update(actor=actor, service_id=existing.pk, data=data)
            updated += int(changed)
        identifiers.append(record.identifier)
    return created, updated, tuple(identifiers)


# --- Demo catalogue ------------------------------------------------------------------


def catalog_seed_demo(*, department_ids: Mapping[str, int] | None = None) -> int:
    """Life events, target groups and the demo services with their forms (published).
    Idempotent: a service that exists is left as it is. ``department_ids`` maps the
    demo's department slugs to ids (found by slug when left out). Returns how many
    services were created."""
    from loket.catalog.demo import seed

    return seed(department_ids=department_ids)


def _departments_by_slug(slugs: Sequence[str]) -> dict[str, int]:
    from loket.core.selectors import department_list

    found: dict[str, int] = {}
    for department in (
        department_list().filter(slug__in=slugs).order_by("organisation__is_primary", "pk")
    ):
        found.setdefault(department.slug, department.pk)
    return found


def _service_seed(
    *,
    spec: Mapping[str, Any],
    department_id: int,
    life_events: Mapping[str, LifeEvent],
    target_groups: Mapping[str, TargetGroup],
) -> bool:
    """One demo service, its form and its fee, as the system (no actor). False if it
    existed (a fee it lacks is still added)."""
    existing = Service.objects.filter(slug=spec["slug"]).first()
    if existing is not None:
        quantity = spec.get("fee", {}).get("quantity_field", "")
        if (
            "fee" in spec
            and not Fee.objects.filter(service=existing).exists()
            and (not quantity or quantity in (_question_keys(existing) or ()))
        ):
            Fee.objects.create(service=existing, **spec["fee"])
        return False
    service = Service.objects.create(
        slug=spec["slug"],
        identifier=f"urn:loket:service:{spec['slug']}",
        ipdc_code=spec.get("ipdc_code", ""),
        title=spec["title"],
        summary=spec["summary"],
        description=spec.get("description", ""),
        who_can_apply=spec.get("who_can_apply", ""),
        conditions=spec.get("conditions", ""),
        procedure=spec.get("procedure", ""),
        cost_text=spec.get("cost_text", ""),
        output=spec.get("output", ""),
        legal_basis=spec.get("legal_basis", ""),
        channels=list(spec.get("channels", [Channel.ONLINE, Channel.COUNTER])),
        login_level=spec.get("login_level", LoginLevel.SUBSTANTIAL),
        department_id=department_id,
        is_published=True,
        translations=spec.get("translations", {}),
    )
    service.life_events.set(
        [life_events[s] for s in spec.get("life_events", ()) if s in life_events]
    )
    service.target_groups.set(
        [target_groups[s] for s in spec.get("target_groups", ()) if s in target_groups]
    )
    if "fee" in spec:
        Fee.objects.create(service=service, **spec["fee"])
    if "form" in spec:
        parsed = formengine.definition_parse(spec["form"], version=1)
        FormDefinition.objects.create(
            service=service,
            version=1,
            definition=formengine.definition_dump(parsed),
            published_at=timezone.now(),
        )
    audit_record(actor=None, action=AuditAction.CREATE, target=service, reason="demo catalogue")
    return True


# --- Unfinished requests: one reminder, then removal --------------------------------

from urllib.parse import urlencode  # noqa: E402

from django.conf import settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from loket.accounts.selectors import resident_account_get  # noqa: E402
from loket.catalog import selectors  # noqa: E402
from loket.notifications.selectors import recipients_for  # noqa: E402
from loket.notifications.services import notify_after_commit  # noqa: E402

DRAFT_REMIND_AFTER = timedelta(days=3)
DRAFT_KEEP_FOR = timedelta(days=30)
EVENT_DRAFT_REMINDER = "draft-reminder"
_DRAFT_BATCH = 500


def _draft_resume_url(draft: FormDraft) -> str:
    """Where the resident continues: the request page (it loads the draft), at the
    step after the last one they completed."""
    base = str(getattr(settings, "LOKET_BASE_URL", "") or "").rstrip("/")
    url = base + reverse("cases:request", kwargs={"slug": draft.service.slug})
    definition = selectors.form_definition_get(service=draft.service)
    if definition is not None and draft.current_step:
        following = formengine.step_after(definition, draft.current_step, draft.data)
        url += "?" + urlencode({"stap": following.key if following else draft.current_step})
    return url


def _draft_service_title(service: Service, language: str) -> str:
    texts = (service.translations or {}).get(language) or {}
    title = texts.get("title") if isinstance(texts, Mapping) else None
    return str(title or service.title)


def _draft_resumable(draft: FormDraft) -> bool:
    """The service is still published online and its form is the one the draft was
    typed in (a draft of an older version cannot be resumed: the form starts over)."""
    if not draft.service.is_published:
        return False
    definition = selectors.form_definition_get(service=draft.service)
    return definition is not None and definition.version == draft.form_version


def form_drafts_remind(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Remind residents once of a request they started and left for
    ``DRAFT_REMIND_AFTER`` (on their channel and in the portal inbox), with a link to
    continue and the day until which the draft is kept. Not for a service no longer
    published, never twice for the same draft. Returns how many reminders were sent."""
    now = now or timezone.now()
    # Every candidate (ids only): a draft that cannot be reminded (no register entry,
    # an older form version) must not hold back the others behind a fixed limit.
    candidates = list(
        FormDraft.objects.filter(
            reminded_at__isnull=True,
            updated_at__lte=now - DRAFT_REMIND_AFTER,
            updated_at__gt=now - DRAFT_KEEP_FOR,
            service__is_published=True,
        )
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for draft_id in candidates:
        with transaction.atomic():
            draft = (
                FormDraft.objects.select_for_update(of=("self",))
                .select_related("service", "user")
                .filter(pk=draft_id, reminded_at__isnull=True)
                .first()
            )
            # Resumed in the meantime, or already reminded by a parallel run: skip.
            if draft is None or draft.updated_at > now - DRAFT_REMIND_AFTER:
                continue
            if not _draft_resumable(draft):
                continue
            account = resident_account_get(user=draft.user)
            person = account.person if account is not None else None
            if person is None:  # nobody in the register to write to
                continue
            person_id = person.pk
            # ``update`` leaves ``updated_at`` (the draft's revision) as it is.
            FormDraft.objects.filter(pk=draft.pk).update(reminded_at=now)
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                target=draft,
                subject_person_id=person_id,
                changes={"reminded_at": now.isoformat()},
            )
            recipient = recipients_for(person_ids=[person_id]).get(person_id)
            language = (recipient.language if recipient is not None else "") or person.language
            kept_until = timezone.localtime(draft.updated_at + DRAFT_KEEP_FOR).date()
            context = {
                "service_title": _draft_service_title(draft.service, language),
                "resume_url": _draft_resume_url(draft),
                "kept_until": kept_until.strftime("%d/%m/%Y"),
            }
            notify_after_commit(
                person_id=person_id,
                idempotency_key=f"catalog:draft-reminder:{draft.pk}",
                attempts=[(EVENT_DRAFT_REMINDER, context)],
                about=f"draft {draft.pk}",
            )
            sent += 1
    return sent


def form_drafts_prune(*, now: datetime | None = None) -> int:
    """Delete drafts left untouched for ``DRAFT_KEEP_FOR``, with the files uploaded in
    them that no request took. Returns how many drafts."""
    cutoff = (now or timezone.now()) - DRAFT_KEEP_FOR
    deleted = 0
    while True:
        batch = list(
            FormDraft.objects.filter(updated_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:_DRAFT_BATCH]
        )
        if not batch:
            return deleted
        for draft_id in batch:
            with transaction.atomic():
                draft = (
                    FormDraft.objects.select_for_update()
                    .filter(pk=draft_id, updated_at__lt=cutoff)
                    .first()
                )
                if draft is None:  # resumed in the meantime
                    continue
                uploads = list(
                    FormUpload.objects.filter(
                        token__in=_upload_tokens(dict(draft.data)),
                        owner_key=selectors.form_owner_key(user_id=draft.user_id),
                        claimed_at__isnull=True,
                    )
                )
                FormUpload.objects.filter(pk__in=[u.pk for u in uploads]).delete()
                audit_record(
                    actor=None,
                    action=AuditAction.DELETE,
                    target=draft,
                    reason="unfinished request kept 30 days",
                    changes={"uploads": len(uploads)},
                )
                draft.delete()
                files = [u.file for u in uploads]

                def remove(files: list[Any] = files) -> None:
                    for file in files:
                        with suppress(OSError):
                            file.delete(save=False)

                transaction.on_commit(remove)
                deleted += 1
