"""The form engine: forms without code.

A form definition (JSON, edited by staff in the back office) is a list of steps, each
with questions ("fields") of the kinds in ``FieldType``. This module parses and checks a
definition, decides which steps and questions apply (``show_if``), validates one step of
posted input into JSON-ready answers, and prepares what ``templates/catalog/_form_step.html``
draws. It does no writes of its own: uploads are stored through a callback that
``services`` provides. Other modules use it through ``loket.catalog.services`` and
``loket.catalog.selectors``. The JSON format is documented in docs/architecture.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import filetype
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from loket.catalog import uploadcheck
from loket.catalog.constants import (
    ABSOLUTE_MAX_SIZE,
    DEFAULT_ALLOWED_TYPES,
    DEFAULT_MAX_SIZE,
    UPLOAD_TYPES,
    ChoiceWidget,
    FieldType,
    PrefillKey,
)
from loket.catalog.types import (
    JSON,
    Fact,
    FieldDef,
    FieldOption,
    FormDef,
    RenderedField,
    RenderedStep,
    StepDef,
    StepResult,
    UploadInfo,
)
from loket.core.services import DomainError
from loket.people import selectors as people_selectors
from loket.people.types import NationalNumber

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
INPUT_PREFIX = "f-"
VERSION_INPUT = "form_version"
MAX_PERSONS = 10
SNIFF_BYTES = 8192
_PERSON_SALT = "loket.catalog.person-ref"

# The default length limits of free text, so no answer can grow without bound.
TEXT_MAX = 200
TEXTAREA_MAX = 5000


class DefinitionError(DomainError):
    """A form definition that cannot be used; ``problems`` says what to correct."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


# --- Callbacks for what the engine does not do itself -------------------------------


class UploadStore(Protocol):
    def __call__(self, *, field_key: str, file: UploadedFile, content_type: str) -> UploadInfo:
        """Store an accepted upload; return its reference."""


class UploadLoad(Protocol):
    def __call__(self, *, token: str) -> UploadInfo | None:
        """The upload with this token, if it exists and belongs to the same owner."""


@dataclass(frozen=True, slots=True)
class AddressCheck:
    checked: bool  # False: no register to check against, only the format was checked
    address_id: int | None = None
    label: str = ""


AddressLookup = Callable[[str, str, str, str], AddressCheck]


def address_lookup_default(postcode: str, street: str, number: str, box: str) -> AddressCheck:
    """Check an address against the people module's addresses, when it offers a lookup
    (``people.selectors.address_find``); otherwise only the format is checked."""
    find = getattr(people_selectors, "address_find", None)
    if find is None:
        return AddressCheck(checked=False)
    found = find(postcode=postcode, street_name=street, house_number=number, box_number=box)
    if found is None:
        return AddressCheck(checked=True)
    return AddressCheck(checked=True, address_id=found.id, label=found.label)


def _no_store(*, field_key: str, file: UploadedFile, content_type: str) -> UploadInfo:
    raise RuntimeError("this step has a file field: pass an upload store")


def _no_load(*, token: str) -> UploadInfo | None:
    return None


# --- Parsing a definition ------------------------------------------------------------


def _relative_date(text: str, today: date) -> date | None:
    """``today``, ``today+30``, ``today-7`` or an ISO date."""
    match = re.fullmatch(r"today(?:([+-])(\d{1,4}))?", text.strip())
    if match:
        sign, days = match.groups()
        offset = int(days or 0) * (-1 if sign == "-" else 1)
        return today + timedelta(days=offset)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _as_decimal(text: str) -> Decimal | None:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _optional_int(value: Any, name: str, problems: list[str], where: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems.append(_("%(where)s: %(name)s must be a whole number.") % locals())
        return None
    try:
        number = int(value)
    except ValueError:
        problems.append(_("%(where)s: %(name)s must be a whole number.") % locals())
        return None
    if number < 0:
        problems.append(_("%(where)s: %(name)s cannot be negative.") % locals())
        return None
    return number


def _parse_field(
    raw: Any, *, seen: list[str], step_title: str, problems: list[str]
) -> FieldDef | None:
    if not isinstance(raw, Mapping):
        problems.append(
            _("Step “%(step)s”: every question must be an object.") % {"step": step_title}
        )
        return None
    key = str(raw.get("key", ""))
    where = _("Question “%(key)s”") % {"key": key or "?"}
    if not KEY_PATTERN.fullmatch(key):
        problems.append(
            _(
                "%(where)s: the key must start with a lower-case letter and contain only "
                "lower-case letters, digits and underscores."
            )
            % {"where": where}
        )
    elif key in seen:
        problems.append(_("%(where)s: this key is used twice.") % {"where": where})
    kind = str(raw.get("type", ""))
    if kind not in FieldType.values:
        problems.append(_("%(where)s: unknown type “%(type)s”.") % {"where": where, "type": kind})
        return None
    label = str(raw.get("label", "")).strip()
    if not label:
        problems.append(_("%(where)s: a label is required.") % {"where": where})
    options: list[FieldOption] = []
    raw_options = raw.get("options") or []
    if not isinstance(raw_options, list):
        raw_options = []
    for option in raw_options:
        if isinstance(option, Mapping):
            value, text = str(option.get("value", "")).strip(), str(option.get("label", "")).strip()
        else:
            value = text = str(option).strip()
        if value:
            options.append(FieldOption(value=value, label=text or value))
    if kind in (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE):
        values = [o.value for o in options]
        if not options:
            problems.append(_("%(where)s: a choice needs at least one option.") % {"where": where})
        elif len(set(values)) != len(values):
            problems.append(_("%(where)s: two options have the same value.") % {"where": where})
    prefill = str(raw.get("prefill", "") or "")
    if prefill and prefill not in PrefillKey.values:
        problems.append(
            _("%(where)s: “%(prefill)s” is not something the municipality knows.")
            % {"where": where, "prefill": prefill}
        )
    if kind == FieldType.KNOWN and not prefill:
        problems.append(
            _("%(where)s: a known fact must say which fact to show (prefill).") % {"where": where}
        )
    minimum = raw.get("min")
    maximum = raw.get("max")
    for bound_name, bound in (("min", minimum), ("max", maximum)):
        if bound in (None, ""):
            continue
        if kind == FieldType.DATE and _relative_date(str(bound), timezone.localdate()) is None:
            problems.append(
                _("%(where)s: %(bound)s must be a date, “today” or “today+30”.")
                % {"where": where, "bound": bound_name}
            )
        elif kind == FieldType.NUMBER and _as_decimal(str(bound)) is None:
            problems.append(
                _("%(where)s: %(bound)s must be a number.") % {"where": where, "bound": bound_name}
            )
    pattern = str(raw.get("pattern", "") or "")
    if pattern:
        try:
            re.compile(pattern)
        except re.error:
            problems.append(
                _("%(where)s: the pattern is not a valid regular expression.") % {"where": where}
            )
    max_size = _optional_int(raw.get("max_size"), "max_size", problems, where)
    if max_size is not None and not 0 < max_size <= ABSOLUTE_MAX_SIZE:
        problems.append(
            _("%(where)s: the maximum file size must be between 1 byte and %(max)s MB.")
            % {"where": where, "max": ABSOLUTE_MAX_SIZE // (1024 * 1024)}
        )
        max_size = None
    allowed = raw.get("allowed_types") or []
    if not isinstance(allowed, list):
        allowed = []
    unknown_types = [t for t in allowed if t not in UPLOAD_TYPES]
    if unknown_types:
        problems.append(
            _("%(where)s: file types not supported: %(types)s.")
            % {"where": where, "types": ", ".join(map(str, unknown_types))}
        )
    max_items = _optional_int(raw.get("max_items"), "max_items", problems, where) or 1
    if not 1 <= max_items <= MAX_PERSONS:
        problems.append(
            _("%(where)s: at most %(max)s persons.") % {"where": where, "max": MAX_PERSONS}
        )
        max_items = 1
    show_if = raw.get("show_if") or {}
    if not isinstance(show_if, Mapping):
        problems.append(_("%(where)s: show_if must map a question to a value.") % {"where": where})
        show_if = {}
    for other in show_if:
        if other not in seen:
            problems.append(
                _("%(where)s: show_if refers to “%(other)s”, which is not an earlier question.")
                % {"where": where, "other": other}
            )
    widget = str(raw.get("widget", "") or ChoiceWidget.RADIO)
    if widget not in ChoiceWidget.values:
        widget = ChoiceWidget.RADIO
    seen.append(key)
    return FieldDef(
        key=key,
        type=kind,
        label=label,
        hint=str(raw.get("hint", "") or ""),
        required=bool(raw.get("required", False)),
        options=tuple(options),
        widget=widget,
        min=str(minimum) if minimum not in (None, "") else None,
        max=str(maximum) if maximum not in (None, "") else None,
        min_length=_optional_int(raw.get("min_length"), "min_length", problems, where),
        max_length=_optional_int(raw.get("max_length"), "max_length", problems, where),
        pattern=pattern,
        pattern_message=str(raw.get("pattern_message", "") or ""),
        max_size=max_size,
        allowed_types=tuple(t for t in allowed if t in UPLOAD_TYPES),
        max_items=max_items,
        show_if=dict(show_if),
        prefill=prefill,
    )


def definition_parse(raw: Any, *, version: int = 0) -> FormDef:
    """Check a form definition and turn it into a ``FormDef``.

    Raises ``DefinitionError`` listing every problem (unknown types, duplicate keys,
    conditions on later questions, ...).
    """
    problems: list[str] = []
    if not isinstance(raw, Mapping) or not isinstance(raw.get("steps", []), list):
        raise DefinitionError([_("A form definition is an object with a list of steps.")])
    steps: list[StepDef] = []
    seen_fields: list[str] = []
    seen_steps: set[str] = set()
    for raw_step in raw.get("steps", []):
        if not isinstance(raw_step, Mapping):
            problems.append(_("Every step must be an object."))
            continue
        key = str(raw_step.get("key", ""))
        title = str(raw_step.get("title", "")).strip()
        if not KEY_PATTERN.fullmatch(key):
            problems.append(
                _(
                    "Step “%(key)s”: the key must start with a lower-case letter and contain "
                    "only lower-case letters, digits and underscores."
                )
                % {"key": key or "?"}
            )
        elif key in seen_steps:
            problems.append(_("Step “%(key)s”: this key is used twice.") % {"key": key})
        seen_steps.add(key)
        if not title:
            problems.append(_("Step “%(key)s”: a title is required.") % {"key": key or "?"})
        show_if = raw_step.get("show_if") or {}
        if not isinstance(show_if, Mapping):
            show_if = {}
        for other in show_if:
            if other not in seen_fields:
                problems.append(
                    _(
                        "Step “%(key)s”: show_if refers to “%(other)s”, "
                        "not a question of an earlier step."
                    )
                    % {"key": key, "other": other}
                )
        raw_fields = raw_step.get("fields") or []
        if not isinstance(raw_fields, list):
            problems.append(_("Step “%(key)s”: fields must be a list.") % {"key": key})
            raw_fields = []
        fields = []
        for raw_field in raw_fields:
            parsed = _parse_field(raw_field, seen=seen_fields, step_title=title, problems=problems)
            if parsed is not None:
                fields.append(parsed)
        steps.append(
            StepDef(
                key=key,
                title=title,
                intro=str(raw_step.get("intro", "") or ""),
                fields=tuple(fields),
                show_if=dict(show_if),
            )
        )
    if problems:
        raise DefinitionError(problems)
    return FormDef(version=version, steps=tuple(steps))


def definition_dump(form: FormDef) -> dict[str, JSON]:
    """The JSON of a parsed definition (defaults left out), for storing and editing."""
    steps = []
    for step in form.steps:
        fields = []
        for f in step.fields:
            item: dict[str, JSON] = {"key": f.key, "type": f.type, "label": f.label}
            if f.hint:
                item["hint"] = f.hint
            if f.required:
                item["required"] = True
            if f.options:
                item["options"] = [{"value": o.value, "label": o.label} for o in f.options]
            if f.type == FieldType.CHOICE and f.widget != ChoiceWidget.RADIO:
                item["widget"] = f.widget
            for name in ("min", "max", "min_length", "max_length", "max_size"):
                if getattr(f, name) is not None:
                    item[name] = getattr(f, name)
            if f.pattern:
                item["pattern"] = f.pattern
            if f.pattern_message:
                item["pattern_message"] = f.pattern_message
            if f.allowed_types:
                item["allowed_types"] = list(f.allowed_types)
            if f.max_items != 1:
                item["max_items"] = f.max_items
            if f.show_if:
                item["show_if"] = dict(f.show_if)
            if f.prefill:
                item["prefill"] = f.prefill
            fields.append(item)
        step_item: dict[str, JSON] = {"key": step.key, "title": step.title, "fields": fields}
        if step.intro:
            step_item["intro"] = step.intro
        if step.show_if:
            step_item["show_if"] = dict(step.show_if)
        steps.append(step_item)
    return {"steps": steps}


# --- Conditions ----------------------------------------------------------------------


def _same(actual: JSON, expected: JSON) -> bool:
    if isinstance(actual, bool):
        if isinstance(expected, bool):
            return actual is expected
        return str(expected).lower() in (("yes", "true", "1") if actual else ("no", "false", "0"))
    return str(actual) == str(expected)


def condition_met(show_if: Mapping[str, JSON], answers: Mapping[str, JSON]) -> bool:
    """Whether every ``{question: value}`` of a condition holds. A value may be a list
    (any of them); a multiple-choice answer matches when one of its choices does."""
    for key, expected in show_if.items():
        if key not in answers or answers[key] in (None, "", []):
            return False
        wanted = expected if isinstance(expected, list) else [expected]
        actual = answers[key]
        given = actual if isinstance(actual, list) else [actual]
        if not any(_same(a, w) for a in given for w in wanted):
            return False
    return True


def steps_visible(form: FormDef, answers: Mapping[str, JSON]) -> list[StepDef]:
    """The steps that apply, given the answers so far."""
    return [step for step in form.steps if condition_met(step.show_if, answers)]


def step_after(form: FormDef, step_key: str, answers: Mapping[str, JSON]) -> StepDef | None:
    visible = steps_visible(form, answers)
    keys = [s.key for s in visible]
    if step_key not in keys:
        return visible[0] if visible else None
    index = keys.index(step_key)
    return visible[index + 1] if index + 1 < len(visible) else None


def step_before(form: FormDef, step_key: str, answers: Mapping[str, JSON]) -> StepDef | None:
    visible = steps_visible(form, answers)
    keys = [s.key for s in visible]
    if step_key not in keys or keys.index(step_key) == 0:
        return None
    return visible[keys.index(step_key) - 1]


def fact_for(field: FieldDef, known: Mapping[str, Fact]) -> Fact | None:
    """The known fact that replaces this question, if any: not asked again."""
    if field.prefill and field.prefill in known:
        return known[field.prefill]
    return None


# --- Validation ----------------------------------------------------------------------


def input_name(field: FieldDef, part: str = "") -> str:
    return f"{INPUT_PREFIX}{field.key}" + (f"-{part}" if part else "")


def _get(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    # NUL never belongs in an answer, and PostgreSQL refuses it in text and JSON.
    return str(value).replace("\x00", "") if value is not None else ""


def _getlist(data: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return [str(v).replace("\x00", "") for v in getlist(name)]
    value = data.get(name)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v).replace("\x00", "") for v in values]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB".replace(".", ",")
    return f"{max(1, size // 1024)} kB"


def _types_label(types: Sequence[str]) -> str:
    return ", ".join(UPLOAD_TYPES.get(t, t) for t in types)


def _sign_person(person_id: int) -> str:
    return signing.dumps(person_id, salt=_PERSON_SALT, compress=True)


def _unsign_person(ref: str) -> int | None:
    try:
        value = signing.loads(ref, salt=_PERSON_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


class _Context:
    def __init__(
        self,
        *,
        known: Mapping[str, Fact],
        store: UploadStore,
        load: UploadLoad,
        address_lookup: AddressLookup,
        today: date,
    ) -> None:
        self.known = known
        self.store = store
        self.load = load
        self.address_lookup = address_lookup
        self.today = today


def _validate_text(field: FieldDef, text: str, default_max: int) -> tuple[JSON, list[str]]:
    errors = []
    limit = field.max_length or default_max
    if len(text) > limit:
        errors.append(
            _("Use at most %(max)s characters (now %(n)s).") % {"max": limit, "n": len(text)}
        )
    if field.min_length and len(text) < field.min_length:
        errors.append(_("Use at least %(min)s characters.") % {"min": field.min_length})
    if field.pattern and not re.fullmatch(field.pattern, text):
        errors.append(field.pattern_message or _("This is not in the expected form."))
    return text, errors


def _validate_number(field: FieldDef, text: str) -> tuple[JSON, list[str]]:
    number = _as_decimal(text)
    if number is None:
        return None, [_("Enter a number, for example 150.")]
    errors = []
    low = _as_decimal(field.min) if field.min is not None else None
    high = _as_decimal(field.max) if field.max is not None else None
    if low is not None and number < low:
        errors.append(_("Enter a number of at least %(min)s.") % {"min": low})
    if high is not None and number > high:
        errors.append(_("Enter a number of at most %(max)s.") % {"max": high})
    value: JSON = int(number) if number == number.to_integral_value() else str(number)
    return value, errors


def _parse_date(text: str) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def _validate_date(field: FieldDef, text: str, today: date) -> tuple[JSON, list[str]]:
    day = _parse_date(text)
    if day is None:
        return None, [_("Enter a date as day/month/year, for example 21/07/2026.")]
    errors = []
    low = _relative_date(field.min, today) if field.min else None
    high = _relative_date(field.max, today) if field.max else None
    if low is not None and day < low:
        errors.append(
            _("Choose a date on or after %(date)s.") % {"date": date_format(low, "j F Y")}
        )
    if high is not None and day > high:
        errors.append(
            _("Choose a date on or before %(date)s.") % {"date": date_format(high, "j F Y")}
        )
    return day.isoformat(), errors


def _validate_phone(text: str) -> tuple[JSON, list[str]]:
    compact = re.sub(r"[\s./()-]", "", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not re.fullmatch(r"\+?\d{8,15}", compact):
        return None, [_("Enter a phone number of 9 to 15 digits, for example 051 23 45 67.")]
    return compact, []


def _validate_address(
    field: FieldDef, data: Mapping[str, Any], ctx: _Context
) -> tuple[JSON, JSON, list[str]]:
    parts = {
        part: _get(data, input_name(field, part)).strip()
        for part in ("postcode", "street", "number", "box")
    }
    if not any(parts.values()):
        return None, parts, ([_("Enter an address.")] if field.required else [])
    errors = []
    if not re.fullmatch(r"[1-9]\d{3}", parts["postcode"]):
        errors.append(_("Enter a postcode of 4 digits, for example 8770."))
    if not parts["street"]:
        errors.append(_("Enter the street."))
    if not parts["number"]:
        errors.append(_("Enter the house number."))
    if errors:
        return None, parts, errors
    check = ctx.address_lookup(parts["postcode"], parts["street"], parts["number"], parts["box"])
    if check.checked and check.address_id is None:
        return (
            None,
            parts,
            [
                _(
                    "We cannot find this address in the address register. Check the street, "
                    "the house number and the postcode."
                )
            ],
        )
    box = f" bus {parts['box']}" if parts["box"] else ""
    label = check.label or f"{parts['street']} {parts['number']}{box}, {parts['postcode']}"
    return {**parts, "address_id": check.address_id, "label": label}, parts, []


def _validate_file(
    field: FieldDef, data: Mapping[str, Any], files: Mapping[str, Any], ctx: _Context
) -> tuple[JSON, JSON, list[str]]:
    upload = files.get(input_name(field))
    token = _get(data, input_name(field, "token"))
    if upload is None or not getattr(upload, "name", ""):
        if token:
            info = ctx.load(token=token)
            if info is None:
                return (
                    None,
                    None,
                    [_("The file you uploaded earlier is no longer available: upload it again.")],
                )
            return info.as_json(), info.as_json(), []
        return None, None, ([_("Choose a file to upload.")] if field.required else [])
    limit = field.max_size or DEFAULT_MAX_SIZE
    allowed = field.allowed_types or DEFAULT_ALLOWED_TYPES
    previous = ctx.load(token=token) if token else None
    kept = previous.as_json() if previous else None
    if upload.size > limit:
        return (
            None,
            kept,
            [
                _("The file is too large (%(size)s): it may be at most %(max)s.")
                % {"size": _size_label(upload.size), "max": _size_label(limit)}
            ],
        )
    if upload.size == 0:
        return None, kept, [_("The file is empty.")]
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime not in allowed:
        return (
            None,
            kept,
            [
                _("This type of file is not accepted. Upload a file of type: %(types)s.")
                % {"types": _types_label(allowed)}
            ],
        )
    if (mime in uploadcheck.ZIP_TYPES and not uploadcheck.zip_is_safe(upload, upload.size)) or (
        mime == "application/pdf" and not uploadcheck.pdf_is_safe(upload)
    ):
        return (
            None,
            kept,
            [
                _(
                    "This file is not accepted: it contains parts that run by themselves "
                    "or unpack to far more than the file weighs. Save it again as a plain "
                    "file (for example: print it to PDF) and upload that."
                )
            ],
        )
    info = ctx.store(field_key=field.key, file=upload, content_type=mime)
    return info.as_json(), info.as_json(), []


def _validate_persons(field: FieldDef, data: Mapping[str, Any]) -> tuple[JSON, JSON, list[str]]:
    rows = []
    persons = []
    errors = []
    for index in range(field.max_items):
        nn = _get(data, input_name(field, f"{index}-nn")).strip()
        name = _get(data, input_name(field, f"{index}-name")).strip()
        ref = _get(data, input_name(field, f"{index}-ref")).strip()
        row = {"nn": nn, "name": name, "ref": "", "label": ""}
        if not nn and ref and (person_id := _unsign_person(ref)) is not None:
            person = people_selectors.person_get(person_id=person_id)
            if person is not None:
                row.update(ref=ref, label=f"{person.full_name} ({person.masked_national_number})")
                persons.append(
                    {
                        "person_id": person.id,
                        "name": person.full_name,
                        "masked": person.masked_national_number,
                    }
                )
            rows.append(row)
            continue
        if not nn and not name:
            rows.append(row)
            continue
        number = None
        if not nn:
            errors.append(_("Person %(n)s: enter the national number.") % {"n": index + 1})
        else:
            try:
                number = NationalNumber.parse(nn)
            except ValidationError as error:
                errors.append(
                    _("Person %(n)s: %(error)s")
                    % {"n": index + 1, "error": " ".join(error.messages)}
                )
        if not name:
            errors.append(_("Person %(n)s: enter the last name.") % {"n": index + 1})
        if number is not None and name:
            person = people_selectors.person_get_by_national_number(national_number=number.value)
            if person is None or _fold(person.last_name) != _fold(name) or person.is_deceased:
                errors.append(
                    _(
                        "Person %(n)s: this national number and last name do not belong to one "
                        "person in the population register. Check both."
                    )
                    % {"n": index + 1}
                )
            else:
                persons.append(
                    {
                        "person_id": person.id,
                        "name": person.full_name,
                        "masked": person.masked_national_number,
                    }
                )
        rows.append(row)
    if not persons and not errors and field.required:
        errors.append(_("Name at least one person."))
    ids = [p["person_id"] for p in persons]
    if len(set(ids)) != len(ids):
        errors.append(_("The same person is named twice."))
    return persons, rows, errors


def _validate_field(
    field: FieldDef, data: Mapping[str, Any], files: Mapping[str, Any], ctx: _Context
) -> tuple[JSON, JSON, list[str]]:
    """(cleaned answer, value to show again, errors) of one visible input field."""
    kind = field.type
    if kind == FieldType.ADDRESS:
        return _validate_address(field, data, ctx)
    if kind == FieldType.FILE:
        return _validate_file(field, data, files, ctx)
    if kind == FieldType.PERSON:
        return _validate_persons(field, data)
    if kind == FieldType.MULTIPLE_CHOICE:
        chosen = _getlist(data, input_name(field))
        allowed = {o.value for o in field.options}
        if any(c not in allowed for c in chosen):
            return None, chosen, [_("Choose from the options shown.")]
        if not chosen:
            return [], chosen, ([_("Choose at least one option.")] if field.required else [])
        return [o.value for o in field.options if o.value in chosen], chosen, []
    if kind == FieldType.CHECKBOX:
        ticked = _get(data, input_name(field)) in ("on", "1", "yes", "true")
        if field.required and not ticked:
            return False, ticked, [_("Tick this box to continue.")]
        return ticked, ticked, []
    text = _get(data, input_name(field))
    text = text.strip() if kind != FieldType.TEXTAREA else text.replace("\r\n", "\n").strip()
    if not text:
        if field.required:
            messages: dict[str, str] = {
                FieldType.CHOICE: _("Choose an option."),
                FieldType.YES_NO: _("Answer yes or no."),
            }
            message = messages.get(kind, _("This question is required."))
            return None, text, [message]
        return None, text, []
    if kind == FieldType.TEXT:
        value, errors = _validate_text(field, text, TEXT_MAX)
    elif kind == FieldType.TEXTAREA:
        value, errors = _validate_text(field, text, TEXTAREA_MAX)
    elif kind == FieldType.NUMBER:
        value, errors = _validate_number(field, text)
    elif kind == FieldType.DATE:
        value, errors = _validate_date(field, text, ctx.today)
    elif kind == FieldType.EMAIL:
        try:
            validate_email(text)
            value, errors = text, []
        except ValidationError:
            value, errors = None, [_("Enter an e-mail address, for example naam@voorbeeld.be.")]
    elif kind == FieldType.PHONE:
        value, errors = _validate_phone(text)
    elif kind == FieldType.CHOICE:
        if text not in {o.value for o in field.options}:
            value, errors = None, [_("Choose from the options shown.")]
        else:
            value, errors = text, []
    elif kind == FieldType.YES_NO:
        if text not in ("yes", "no"):
            value, errors = None, [_("Answer yes or no.")]
        else:
            value, errors = text == "yes", []
    else:  # pragma: no cover - parse_definition allows only known types
        value, errors = text, []
    return (value if not errors else None), text, errors


def step_validate(
    form: FormDef,
    *,
    step_key: str,
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    known: Mapping[str, Fact] | None = None,
    answers: Mapping[str, JSON] | None = None,
    store: UploadStore = _no_store,
    load: UploadLoad = _no_load,
    address_lookup: AddressLookup = address_lookup_default,
    today: date | None = None,
) -> StepResult:
    """Validate the posted input of one step.

    ``answers`` are those of the earlier steps (for conditions); ``known`` the facts
    that replace questions. Hidden questions (``show_if`` not met) are neither validated
    nor answered. A stale form (posted for another version) is refused with every typed
    value kept.
    """
    step = form.step(step_key)
    if step is None:
        return StepResult(
            step_key=step_key,
            answers={},
            values={},
            errors={
                "": (_("This step does not exist (any more). Start again from the first step."),)
            },
        )
    ctx = _Context(
        known=known or {},
        store=store,
        load=load,
        address_lookup=address_lookup,
        today=today or timezone.localdate(),
    )
    merged: dict[str, JSON] = dict(answers or {})
    result: dict[str, JSON] = {}
    values: dict[str, JSON] = {}
    errors: dict[str, tuple[str, ...]] = {}
    posted_version = _get(data, VERSION_INPUT)
    if posted_version and posted_version != str(form.version):
        errors[""] = (
            _(
                "This form was changed since you opened it. Your answers are kept: check "
                "them and continue."
            ),
        )
    for field in step.fields:
        if not condition_met(field.show_if, merged):
            merged.pop(field.key, None)
            continue
        fact = fact_for(field, ctx.known)
        if fact is not None:
            result[field.key] = merged[field.key] = fact.value
            continue
        if field.type == FieldType.KNOWN:
            continue  # nothing known to show, and nothing to ask
        value, shown, field_errors = _validate_field(field, data, files or {}, ctx)
        values[field.key] = shown
        if field_errors:
            errors[field.key] = tuple(field_errors)
            merged.pop(field.key, None)
            continue
        if value is not None and value != []:
            result[field.key] = merged[field.key] = value
        else:
            merged.pop(field.key, None)
    return StepResult(step_key=step_key, answers=result, values=values, errors=errors)


def answers_merge(
    form: FormDef, answers: Mapping[str, JSON], result: StepResult
) -> dict[str, JSON]:
    """The form's answers after a valid step: the step's questions replaced by its new
    answers (a question now unanswered or hidden drops out)."""
    step = form.step(result.step_key)
    merged = dict(answers)
    if step is not None:
        for field in step.fields:
            merged.pop(field.key, None)
    merged.update(result.answers)
    return merged


def answers_final(
    form: FormDef, answers: Mapping[str, JSON], known: Mapping[str, Fact]
) -> tuple[dict[str, JSON], dict[str, JSON], str | None]:
    """The answers of the visible steps only (answers to questions that no longer apply
    are dropped), the facts used, and the first step that still misses a required
    answer (None when complete)."""
    final: dict[str, JSON] = {}
    facts: dict[str, JSON] = {}
    incomplete: str | None = None
    for step in form.steps:
        if not condition_met(step.show_if, final):
            continue
        for field in step.fields:
            if not condition_met(field.show_if, final):
                continue
            fact = fact_for(field, known)
            if fact is not None:
                final[field.key] = fact.value
                facts[fact.key] = fact.value
                continue
            if field.key in answers and answers[field.key] not in (None, "", []):
                final[field.key] = answers[field.key]
            elif field.required and field.type != FieldType.KNOWN and incomplete is None:
                incomplete = step.key
    return final, facts, incomplete


# --- Rendering -----------------------------------------------------------------------


def _shown_from_answer(field: FieldDef, answer: JSON) -> JSON:
    """The value an input shows for an answer given earlier."""
    if answer is None:
        return [] if field.type in (FieldType.MULTIPLE_CHOICE,) else ""
    if field.type == FieldType.YES_NO:
        return "yes" if answer else "no"
    if field.type == FieldType.DATE:
        return str(answer)
    if field.type == FieldType.PERSON:
        rows = []
        for person in answer if isinstance(answer, list) else []:
            rows.append(
                {
                    "nn": "",
                    "name": "",
                    "ref": _sign_person(int(person["person_id"])),
                    "label": f"{person['name']} ({person['masked']})",
                }
            )
        return rows
    if field.type == FieldType.ADDRESS and isinstance(answer, Mapping):
        return {part: answer.get(part, "") for part in ("postcode", "street", "number", "box")}
    return answer


def _condition_text(form: FormDef, show_if: Mapping[str, JSON]) -> str:
    parts = []
    for key, expected in show_if.items():
        other = form.field(key)
        label = other.label if other else key
        wanted = expected if isinstance(expected, list) else [expected]
        names = []
        for value in wanted:
            option = next(
                (o for o in (other.options if other else ()) if o.value == str(value)), None
            )
            if option is not None:
                names.append(option.label)
            elif isinstance(value, bool) or str(value) in ("yes", "no"):
                names.append(_("Yes") if value in (True, "yes") else _("No"))
            else:
                names.append(str(value))
        parts.append(_("“%(label)s” is “%(value)s”") % {"label": label, "value": " / ".join(names)})
    return _("Only if %(conditions)s.") % {"conditions": _(" and ").join(parts)}


def step_render(
    form: FormDef,
    *,
    step_key: str,
    answers: Mapping[str, JSON] | None = None,
    known: Mapping[str, Fact] | None = None,
    result: StepResult | None = None,
    id_prefix: str = "id_",
) -> RenderedStep:
    """What the step template draws: each visible question with the value to show
    (the typed one after an error, else the earlier answer), its errors, or the known
    fact that replaces it."""
    step = form.step(step_key)
    if step is None:
        raise DomainError(_("This step does not exist (any more)."))
    known = known or {}
    answers = dict(answers or {})
    visible = steps_visible(form, answers)
    keys = [s.key for s in visible]
    rendered = []
    same_step: set[str] = set()
    for field in step.fields:
        references_this_step = any(k in same_step for k in field.show_if)
        same_step.add(field.key)
        if not references_this_step and not condition_met(field.show_if, answers):
            continue
        fact = fact_for(field, known)
        if field.type == FieldType.KNOWN and fact is None:
            continue
        if result is not None and field.key in result.values:
            value = result.values[field.key]
        else:
            value = _shown_from_answer(field, answers.get(field.key))
        upload = value if field.type == FieldType.FILE and isinstance(value, Mapping) else None
        rows: tuple[Mapping[str, str], ...] = ()
        if field.type == FieldType.PERSON:
            given = list(value) if isinstance(value, list) else []
            given += [{"nn": "", "name": "", "ref": "", "label": ""}] * (
                field.max_items - len(given)
            )
            rows = tuple(
                {**row, "index": str(i), "id": f"{id_prefix}{field.key}-{i}"}
                for i, row in enumerate(given[: field.max_items])
            )
        rendered.append(
            RenderedField(
                definition=field,
                name=input_name(field),
                id=f"{id_prefix}{field.key}",
                value=value,
                errors=tuple(result.errors.get(field.key, ())) if result else (),
                fact=fact,
                condition_text=_condition_text(form, field.show_if) if references_this_step else "",
                upload=upload,
                rows=rows,
                accept=",".join(field.allowed_types or DEFAULT_ALLOWED_TYPES)
                if field.type == FieldType.FILE
                else "",
            )
        )
    return RenderedStep(
        step=step,
        fields=tuple(rendered),
        errors=tuple(result.errors.get("", ())) if result else (),
        version=form.version,
        position=keys.index(step.key) + 1 if step.key in keys else 1,
        count=max(len(keys), 1),
        has_files=any(f.type == FieldType.FILE for f in step.fields),
    )
