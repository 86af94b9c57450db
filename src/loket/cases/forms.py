"""Forms of the cases pages: they check the shape of the input; the services decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.cases.constants import Channel, Queue
from loket.cases.models import CaseType


def data_form_class(case_type: CaseType) -> type[forms.Form]:
    """A form built from the case type's field list (text, textarea, date, number)."""
    fields: dict[str, forms.Field] = {}
    for spec in case_type.fields or ():
        name = str(spec.get("name"))
        label = str(spec.get("label") or name)
        required = bool(spec.get("required"))
        kind = spec.get("kind", "text")
        field: forms.Field
        if kind == "textarea":
            field = forms.CharField(
                label=label,
                required=required,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        elif kind == "date":
            field = forms.DateField(
                label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
            )
        elif kind == "number":
            field = forms.IntegerField(
                label=label, required=required, min_value=0, max_value=10_000_000
            )
        else:
            field = forms.CharField(label=label, required=required, max_length=500)
        fields[name] = field
    return type(f"{case_type.slug.title().replace('-', '')}Form", (forms.Form,), fields)


def plain_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Cleaned data as JSON: dates as ISO text, empty values as ''."""
    return {
        key: value.isoformat() if isinstance(value, dt.date) else ("" if value is None else value)
        for key, value in cleaned.items()
    }


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("Why?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(VersionForm):
    reason = forms.CharField(
        label=_("Why do you withdraw your request? (optional)"), required=False, max_length=1000
    )


class InfoForm(VersionForm):
    comment = forms.CharField(
        label=_("The information that was asked"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ContactForm(forms.Form):
    contact_email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("Only to ask you something about your report."),
    )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"), max_length=20, help_text=_("For example ABCD-EFGH-JKLM.")
    )


class TransitionForm(VersionForm):
    transition = forms.SlugField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Explanation for the resident (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AdviceForm(forms.Form):
    departments = forms.MultipleChoiceField(
        label=_("Departments"), widget=forms.CheckboxSelectMultiple
    )
    question = forms.CharField(
        label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, department_choices: Sequence[tuple[Any, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = department_choices  # type: ignore[attr-defined]


class AdviceAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your advice"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("Handler"), coerce=int, required=False, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, staff_choices: Sequence[tuple[Any, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("— nobody —")), *staff_choices]  # type: ignore[attr-defined]


class QueueFilterForm(forms.Form):
    wachtrij = forms.ChoiceField(label=_("Queue"), choices=Queue.choices, required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Kind of case"), required=False)
    status = forms.SlugField(label=_("Status (code)"), required=False)
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All")), *Channel.choices], required=False
    )
    deadline = forms.DateField(
        label=_("Deadline before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        type_choices: Sequence[tuple[Any, str]] = (),
        department_choices: Sequence[tuple[Any, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All")), *type_choices]  # type: ignore[attr-defined]
        self.fields["department"].choices = [("", _("All")), *department_choices]  # type: ignore[attr-defined]


class FileForm(forms.Form):
    """Staff record a request made at the counter, by post or by phone."""

    case_type = forms.ChoiceField(label=_("Kind of request"))
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (c.value, c.label)
            for c in (Channel.COUNTER, Channel.POST, Channel.PHONE, Channel.SOCIAL_MEDIA)
        ],
    )
    national_number = forms.CharField(
        label=_("National number of the resident"),
        max_length=20,
        required=False,
        help_text=_("Leave empty when the resident at the counter is already selected."),
    )

    def __init__(
        self, *args: Any, type_choices: Sequence[tuple[Any, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_type"].choices = type_choices  # type: ignore[attr-defined]
