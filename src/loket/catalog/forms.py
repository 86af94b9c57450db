"""Forms of the catalogue pages: they check the shape of input; the services check the
rules (and the form definition as a whole)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from loket.catalog.constants import (
    ABSOLUTE_MAX_SIZE,
    UPLOAD_TYPES,
    Channel,
    ChoiceWidget,
    FieldType,
    LoginLevel,
    PrefillKey,
)
from loket.catalog.fees import FeeKind, VatRate, parse_euros
from loket.catalog.formengine import KEY_PATTERN
from loket.catalog.types import JSON, FieldDef, FormDef, StepDef

MAX_IMPORT_BYTES = 5 * 1024 * 1024

key_validator = RegexValidator(
    KEY_PATTERN.pattern,
    _("Use lower-case letters, digits and underscores; start with a letter."),
)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search a service"), required=False, max_length=100)


class ServiceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=100,
        help_text=_("Lower-case letters, digits and hyphens, e.g. bewijs-van-woonst."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two short sentences in clear language."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    who_can_apply = forms.CharField(
        label=_("Who can apply"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    procedure = forms.CharField(
        label=_("Procedure"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cost_text = forms.CharField(
        label=_("Cost"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    output = forms.CharField(
        label=_("What you receive"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    login_level = forms.TypedChoiceField(
        label=_("Login required"), choices=LoginLevel.choices, coerce=int
    )
    department = forms.TypedChoiceField(label=_("Responsible department"), coerce=int)
    target_groups = forms.TypedMultipleChoiceField(
        label=_("Target groups"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    life_events = forms.TypedMultipleChoiceField(
        label=_("Life events"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    ipdc_code = forms.CharField(
        label=_("IPDC product number"),
        required=False,
        max_length=20,
        validators=[RegexValidator(r"^\d*$", _("Digits only."))],
    )
    title_fr = forms.CharField(label=_("Title in French"), required=False, max_length=200)
    title_en = forms.CharField(label=_("Title in English"), required=False, max_length=200)
    title_de = forms.CharField(label=_("Title in German"), required=False, max_length=200)
    is_published = forms.BooleanField(label=_("Published on the residents' site"), required=False)
    # The fee (amounts in euro, VAT included; the service turns them into cents).
    fee_kind = forms.ChoiceField(
        label=_("What does a request cost?"),
        choices=FeeKind.choices,
        initial=FeeKind.NONE,
        required=False,
        widget=forms.RadioSelect,
    )
    fee_label = forms.CharField(
        label=_("Description on the bill"),
        required=False,
        max_length=200,
        help_text=_("E.g. “Huur polyvalente zaal”. Empty: the service's title."),
    )
    fee_amount = forms.CharField(
        label=_("Standard amount in euro"),
        required=False,
        max_length=20,
        help_text=_("VAT included, e.g. 15,00."),
    )
    fee_quantity_field = forms.CharField(
        label=_("Question in the form that asks how many"),
        required=False,
        max_length=100,
        validators=[key_validator],
        help_text=_("Only for an amount per item: the key of a number question, e.g. hours."),
    )
    fee_unit = forms.CharField(
        label=_("One item is"),
        required=False,
        max_length=50,
        help_text=_("As residents read it, e.g. uur, dag, jaar."),
    )
    fee_vat_rate = forms.ChoiceField(
        label=_("VAT rate"), choices=VatRate.choices, initial=VatRate.NONE, required=False
    )
    fee_resident = forms.CharField(
        label=_("Reduced tariff for residents of the municipality"),
        required=False,
        max_length=20,
        help_text=_("Empty: the standard amount. 0: free."),
    )
    fee_association = forms.CharField(
        label=_("Reduced tariff for associations"),
        required=False,
        max_length=20,
        help_text=_("Empty: the standard amount. 0: free."),
    )
    fee_senior = forms.CharField(
        label=_("Reduced tariff for seniors (65 and older)"),
        required=False,
        max_length=20,
        help_text=_("Empty: the standard amount. 0: free."),
    )
    fee_free_field = forms.CharField(
        label=_("Free when the question"),
        required=False,
        max_length=100,
        validators=[key_validator],
        help_text=_("The key of a question in the form, e.g. school_activity."),
    )
    fee_free_value = forms.CharField(
        label=_("has the answer"),
        required=False,
        max_length=200,
        help_text=_("E.g. yes, or the value of an option."),
    )

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[int, str]],
        target_groups: list[tuple[int, str]],
        life_events: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments  # type: ignore[attr-defined]
        self.fields["target_groups"].choices = target_groups  # type: ignore[attr-defined]
        self.fields["life_events"].choices = life_events  # type: ignore[attr-defined]

    def _euros(self, name: str, *, required: bool = False) -> int | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            if required:
                self.add_error(name, _("Fill in the amount."))
            return None
        try:
            return parse_euros(text)
        except ValueError:
            self.add_error(name, _("Write an amount in euro, e.g. 15,00."))
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("fee_kind") or FeeKind.NONE
        if kind == FeeKind.NONE:
            return data
        data["fee_amount_cents"] = self._euros("fee_amount", required=True)
        for name in ("fee_resident", "fee_association", "fee_senior"):
            data[f"{name}_cents"] = self._euros(name)
        if kind == FeeKind.PER_ITEM and not data.get("fee_quantity_field"):
            self.add_error("fee_quantity_field", _("Give the question that asks how many items."))
        if bool(data.get("fee_free_field")) != bool(data.get("fee_free_value")):
            self.add_error(
                "fee_free_value" if data.get("fee_free_field") else "fee_free_field",
                _("Give both the question and the answer that make a request free."),
            )
        return data


class StepForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        validators=[key_validator],
        help_text=_("A short technical name, e.g. traffic. It cannot change later."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    show_if_field = forms.ChoiceField(
        label=_("Show this step only if the question"), required=False
    )
    show_if_value = forms.CharField(
        label=_("has the answer"),
        required=False,
        max_length=200,
        help_text=_(
            "The value of an option, or yes / no. Several values: separate them with commas."
        ),
    )

    def __init__(self, *args: Any, earlier: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show_if_field"].choices = [("", _("(always show)")), *earlier]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("show_if_field") and not data.get("show_if_value"):
            self.add_error("show_if_value", _("Say which answer shows this."))
        return data

    def show_if(self) -> dict[str, JSON]:
        return show_if_from(self.cleaned_data)


def show_if_from(data: dict[str, Any]) -> dict[str, JSON]:
    field = data.get("show_if_field")
    if not field:
        return {}
    values = [v.strip() for v in str(data.get("show_if_value", "")).split(",") if v.strip()]
    return {field: values[0] if len(values) == 1 else values}


def show_if_initial(show_if: Any) -> dict[str, str]:
    if not show_if:
        return {}
    field, value = next(iter(dict(show_if).items()))
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if isinstance(value, bool):
        text = "yes" if value else "no"
    return {"show_if_field": field, "show_if_value": text}


class FieldForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        validators=[key_validator],
        help_text=_("A short technical name, e.g. visitors. Conditions refer to it."),
    )
    type = forms.ChoiceField(label=_("Kind of question"), choices=FieldType.choices)
    label = forms.CharField(label=_("Question"), max_length=300)
    hint = forms.CharField(label=_("Hint"), required=False, max_length=500)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For a choice: one option per line, as value | text shown, e.g. small | Small hall."
        ),
    )
    widget = forms.ChoiceField(
        label=_("Show a choice as"), choices=ChoiceWidget.choices, required=False
    )
    min = forms.CharField(
        label=_("Minimum"),
        required=False,
        max_length=30,
        help_text=_(
            "A number; for a date: a date (2026-12-31), today, or today+56 (days from today)."
        ),
    )
    max = forms.CharField(label=_("Maximum"), required=False, max_length=30)
    min_length = forms.IntegerField(
        label=_("Minimum length (characters)"), required=False, min_value=0
    )
    max_length = forms.IntegerField(
        label=_("Maximum length (characters)"), required=False, min_value=1
    )
    pattern = forms.CharField(
        label=_("Pattern (regular expression)"), required=False, max_length=300
    )
    pattern_message = forms.CharField(
        label=_("Message when the pattern does not match"), required=False, max_length=300
    )
    max_size_mb = forms.DecimalField(
        label=_("Maximum file size (MB)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(ABSOLUTE_MAX_SIZE // (1024 * 1024)),
        decimal_places=2,
    )
    allowed_types = forms.MultipleChoiceField(
        label=_("Accepted file types"),
        choices=list(UPLOAD_TYPES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Checked on the content of the file, not its name."),
    )
    max_items = forms.IntegerField(
        label=_("How many persons at most"), required=False, min_value=1, max_value=10
    )
    show_if_field = forms.ChoiceField(label=_("Ask only if the question"), required=False)
    show_if_value = forms.CharField(
        label=_("has the answer"),
        required=False,
        max_length=200,
        help_text=_(
            "The value of an option, or yes / no. Several values: separate them with commas."
        ),
    )
    prefill = forms.ChoiceField(
        label=_("Fill in from what we know"),
        required=False,
        help_text=_(
            "When the municipality knows this, the question is shown for confirmation "
            "and not asked."
        ),
    )

    def __init__(self, *args: Any, earlier: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show_if_field"].choices = [("", _("(always ask)")), *earlier]  # type: ignore[attr-defined]
        self.fields["prefill"].choices = [("", _("(nothing)")), *PrefillKey.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("show_if_field") and not data.get("show_if_value"):
            self.add_error("show_if_value", _("Say which answer makes this question appear."))
        if (
            data.get("type") in (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE)
            and not data.get("options", "").strip()
        ):
            self.add_error("options", _("A choice needs at least one option."))
        if data.get("type") == FieldType.KNOWN and not data.get("prefill"):
            self.add_error("prefill", _("Choose which known fact to show."))
        return data

    def as_definition(self) -> dict[str, JSON]:
        """The question as it goes in the form definition's JSON."""
        data = self.cleaned_data
        item: dict[str, JSON] = {"key": data["key"], "type": data["type"], "label": data["label"]}
        if data.get("hint"):
            item["hint"] = data["hint"]
        if data.get("required"):
            item["required"] = True
        options = []
        for line in (data.get("options") or "").splitlines():
            if not line.strip():
                continue
            value, _sep, text = line.partition("|")
            options.append({"value": value.strip(), "label": (text or value).strip()})
        if options and data["type"] in (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE):
            item["options"] = options
        if data.get("widget") and data["type"] == FieldType.CHOICE:
            item["widget"] = data["widget"]
        for name in ("min", "max", "pattern", "pattern_message", "prefill"):
            if data.get(name):
                item[name] = data[name]
        for name in ("min_length", "max_length"):
            if data.get(name) is not None:
                item[name] = data[name]
        if data.get("max_size_mb"):
            item["max_size"] = int(data["max_size_mb"] * 1024 * 1024)
        if data.get("allowed_types"):
            item["allowed_types"] = list(data["allowed_types"])
        if data.get("max_items"):
            item["max_items"] = data["max_items"]
        show_if = show_if_from(data)
        if show_if:
            item["show_if"] = show_if
        return item


def field_initial(field: FieldDef) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "key": field.key,
        "type": field.type,
        "label": field.label,
        "hint": field.hint,
        "required": field.required,
        "options": "\n".join(f"{o.value} | {o.label}" for o in field.options),
        "widget": field.widget,
        "min": field.min or "",
        "max": field.max or "",
        "min_length": field.min_length,
        "max_length": field.max_length,
        "pattern": field.pattern,
        "pattern_message": field.pattern_message,
        "max_size_mb": Decimal(field.max_size) / (1024 * 1024) if field.max_size else None,
        "allowed_types": list(field.allowed_types),
        "max_items": field.max_items if field.max_items != 1 else None,
        "prefill": field.prefill,
    }
    initial.update(show_if_initial(field.show_if))
    return initial


def step_initial(step: StepDef) -> dict[str, Any]:
    return {
        "key": step.key,
        "title": step.title,
        "intro": step.intro,
        **show_if_initial(step.show_if),
    }


def earlier_questions(
    form: FormDef, *, step_key: str, field_key: str | None = None
) -> list[tuple[str, str]]:
    """The questions a condition may refer to: those before this place in the form."""
    choices: list[tuple[str, str]] = []
    for step in form.steps:
        for field in step.fields:
            if step.key == step_key and field.key == field_key:
                return choices
            if field.type != FieldType.KNOWN:
                choices.append((field.key, f"{step.title} · {field.label}"))
        if step.key == step_key and field_key is None:
            return choices
    return choices


def earlier_steps_questions(form: FormDef, *, step_key: str | None) -> list[tuple[str, str]]:
    """For a step's condition: the questions of the steps before it."""
    choices: list[tuple[str, str]] = []
    for step in form.steps:
        if step.key == step_key:
            break
        choices += [
            (f.key, f"{step.title} · {f.label}") for f in step.fields if f.type != FieldType.KNOWN
        ]
    return choices


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CPSV-AP file (JSON-LD)"))
    department = forms.TypedChoiceField(
        label=_("Department for services whose department is not known here"),
        coerce=int,
    )

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise forms.ValidationError(_("This is not a JSON file.")) from None
