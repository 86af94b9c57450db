"""Frozen data of the catalogue and its form engine, for other modules (the request
wizard of ``cases``) and for templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = Any  # a value that json.dumps accepts


# --- Form definitions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldOption:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One question of a form. See docs/architecture.md, "Catalogue and forms", for the
    JSON it is read from."""

    key: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    options: tuple[FieldOption, ...] = ()
    widget: str = "radio"
    min: str | None = None  # numbers: a number; dates: ISO date, "today" or "today+30"
    max: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str = ""
    pattern_message: str = ""
    max_size: int | None = None  # files: bytes
    allowed_types: tuple[str, ...] = ()  # files: MIME types, checked on the content
    max_items: int = 1  # persons: how many co-applicants may be named
    show_if: Mapping[str, JSON] = field(default_factory=dict)
    prefill: str = ""

    @property
    def is_input(self) -> bool:
        return self.type != "known"


@dataclass(frozen=True, slots=True)
class StepDef:
    key: str
    title: str
    intro: str = ""
    fields: tuple[FieldDef, ...] = ()
    show_if: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FormDef:
    """A parsed, valid form definition of one version of a service's form."""

    version: int
    steps: tuple[StepDef, ...]

    def step(self, key: str) -> StepDef | None:
        return next((step for step in self.steps if step.key == key), None)

    def fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for step in self.steps for f in step.fields)

    def field(self, key: str) -> FieldDef | None:
        return next((f for f in self.fields() if f.key == key), None)


# --- Prefill ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    """Something the municipality already knows about the applicant ("once-only").

    ``value`` is what ends up in the answers; ``display`` is how it is shown.
    """

    key: str
    value: JSON
    display: str
    source: str = "register"


# --- Validation and rendering -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepResult:
    """The outcome of validating one step.

    ``answers`` are the cleaned values of the step's visible fields (JSON-ready), to be
    merged into the answers of the whole form; ``values`` are the typed values by input
    name, to show again when there are errors (uploaded files as references); ``errors``
    maps a field key (or ``""`` for the whole step) to messages.
    """

    step_key: str
    answers: Mapping[str, JSON]
    values: Mapping[str, JSON]
    errors: Mapping[str, tuple[str, ...]]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class RenderedField:
    """Everything ``templates/catalog/_form_step.html`` needs to draw one question."""

    definition: FieldDef
    name: str  # the input name (sub-inputs add "-postcode", "-0-nn", ...)
    id: str
    value: JSON
    errors: tuple[str, ...]
    fact: Fact | None = None  # known: shown for confirmation, not asked
    condition_text: str = ""  # "Only if ...", for conditions within the same step
    upload: Mapping[str, JSON] | None = None  # a file already uploaded
    rows: tuple[Mapping[str, str], ...] = ()  # persons: one mapping per row
    accept: str = ""

    @property
    def type(self) -> str:
        return self.definition.type

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def describedby(self) -> str:
        ids = []
        if self.definition.hint:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)


@dataclass(frozen=True, slots=True)
class RenderedStep:
    step: StepDef
    fields: tuple[RenderedField, ...]
    errors: tuple[str, ...]  # errors about the whole step (stale form, ...)
    version: int
    position: int  # 1-based, among the visible steps
    count: int
    has_files: bool

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(f.errors for f in self.fields)


@dataclass(frozen=True, slots=True)
class FormSubmission:
    """What a finished form hands to the case: the answers of every visible step, the
    facts that were confirmed instead of asked, and the form version."""

    service_id: int
    version: int
    answers: Mapping[str, JSON]
    facts: Mapping[str, JSON]
    incomplete_step: str | None  # the first step still missing answers, if any

    @property
    def complete(self) -> bool:
        return self.incomplete_step is None


@dataclass(frozen=True, slots=True)
class UploadInfo:
    token: str
    name: str
    content_type: str
    size: int

    def as_json(self) -> dict[str, JSON]:
        return {
            "upload": self.token,
            "name": self.name,
            "content_type": self.content_type,
            "size": self.size,
        }


@dataclass(frozen=True, slots=True)
class DraftInfo:
    service_id: int
    form_version: int
    party_kind: str
    party_id: int
    answers: Mapping[str, JSON]
    current_step: str
    revision: str  # pass back to form_draft_save to detect a stale form


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int
    identifiers: tuple[str, ...]
