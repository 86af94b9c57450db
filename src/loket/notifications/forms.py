from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.notifications.constants import SelectionKind
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
