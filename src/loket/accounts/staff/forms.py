from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """One code: from the authenticator app or a recovery code."""

    code = forms.CharField(max_length=32, strip=True)

    def __init__(self, *args: Any, label: str = "", recovery: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = label or _("Code from your authenticator app")
        field.error_messages["required"] = _("Fill in the code.")
        attrs = {
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "autocapitalize": "none",
            "autofocus": True,
        }
        if not recovery:
            attrs.update(inputmode="numeric", pattern="[0-9 ]*")
            field.help_text = _("The 6 digits your app shows now.")
        else:
            field.help_text = _("One of the recovery codes you printed or wrote down.")
        field.widget.attrs.update(attrs)


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the passkey"),
        max_length=100,
        help_text=_("So you recognise it later, e.g. “laptop at the counter”."),
    )
