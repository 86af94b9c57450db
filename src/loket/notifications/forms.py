from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.notifications.constants import ContactKind, SelectionKind
from loket.notifications.models import NotificationEvent


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class FanOutForm(forms.Form):
    # A fresh one-time token each time the form is shown; the fan-out keeps it, so the
    # same form sent twice starts one bulk message, not two.
    form_token = forms.CharField(
        widget=forms.HiddenInput, initial=new_form_token, min_length=16, max_length=64
    )
    event = forms.ModelChoiceField(
        label=_("Message"), queryset=NotificationEvent.objects.all(), to_field_name="key"
    )
    selection_kind = forms.ChoiceField(label=_("To whom"), choices=SelectionKind.choices)
    selection_value = forms.CharField(
        label=_("Street, postcode, age group (e.g. 65-79) or topic"),
        required=False,
        max_length=200,
    )
    context = forms.JSONField(
        label=_("Values for the placeholders (JSON)"), required=False, initial=dict
    )
    urgent = forms.BooleanField(label=_("Urgent (also during quiet hours)"), required=False)

    def clean_context(self) -> dict[str, Any]:
        context = self.cleaned_data.get("context")
        if context in (None, ""):
            return {}
        if not isinstance(context, dict):
            raise forms.ValidationError(
                _('Write the values as a JSON object, e.g. {"alert_title": "Storm"}.'),
                code="not_an_object",
            )
        return context


# --- portal: the resident's own settings ---------------------------------------------------


class RadioGroup(forms.RadioSelect):
    """Radio buttons whose field points at the first option, so the error summary at the
    top of the form links to the group (Django leaves it empty for radio buttons)."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class CheckboxGroup(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class PreferencesForm(forms.Form):
    """How a resident wants to hear from the municipality."""

    use_email = forms.BooleanField(label=_("By e-mail"), required=False)
    use_sms = forms.BooleanField(label=_("By text message"), required=False)
    paper_only = forms.TypedChoiceField(
        label=_("Letters"),
        choices=[
            ("no", _("Send me messages digitally when you can")),
            ("yes", _("Only on paper: send me a letter by post")),
        ],
        coerce=lambda value: value == "yes",
        widget=RadioGroup,
    )
    language = forms.ChoiceField(label=_("Language of our messages"), required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        help_text=_("For example 22:00. Urgent messages still come through."),
        widget=forms.TimeInput(format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        help_text=_("For example 07:00."),
        widget=forms.TimeInput(format="%H:%M"),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        required=False,
        widget=CheckboxGroup,
    )

    def __init__(
        self,
        *args: Any,
        register_language_label: str,
        topic_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        from loket.notifications.models import LANGUAGE_CHOICES

        language = self.fields["language"]
        topics = self.fields["topics"]
        assert isinstance(language, forms.ChoiceField)
        assert isinstance(topics, forms.ChoiceField)
        language.choices = [
            (
                "",
                _("As in the population register (%(language)s)")
                % {"language": register_language_label},
            ),
            *LANGUAGE_CHOICES,
        ]
        topics.choices = topic_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if "quiet_start" in data and "quiet_end" in data:
            if (start is None) != (end is None):
                self.add_error(
                    "quiet_end" if end is None else "quiet_start",
                    _("Give both the start and the end of your quiet hours, or neither."),
                )
            elif start is not None and start == end:
                self.add_error("quiet_end", _("Quiet hours cannot start and end at the same time."))
        return data


class ContactAddForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you want to add?"),
        choices=ContactKind.choices,
        widget=RadioGroup,
        initial=ContactKind.EMAIL,
    )
    value = forms.CharField(
        label=_("E-mail address or mobile number"),
        max_length=254,
        help_text=_("For example name@example.be or 0470 12 34 56."),
    )

    def clean(self) -> dict[str, Any]:
        from loket.core.services import DomainError
        from loket.notifications.services import contact_point_normalise

        data = super().clean() or {}
        if data.get("kind") and data.get("value"):
            try:
                data["value"] = contact_point_normalise(kind=data["kind"], value=data["value"])
            except DomainError as error:
                self.add_error("value", str(error))
        return data


class ContactVerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits we sent you."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data.get("code", "")).split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("Enter the 6 digits of the code."), code="format")
        return code
