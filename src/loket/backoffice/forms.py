from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.backoffice.constants import Purpose

ERROR_MESSAGES = {
    "invalid_login": _(
        "Your user name or password is not right. Check both and try again. Capital letters count."
    ),
    "inactive": _("This account is blocked. Ask the functional administrator for help."),
    "no_backoffice_access": _(
        "This account has no access to the back office. Log in with your staff account."
    ),
}


class StaffLoginForm(forms.Form):
    """Step 1 of the staff login: user name and password. The shape only: the staff
    login service checks them, under its lock-out rules."""

    username = forms.CharField(max_length=150)
    password = forms.CharField(strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].error_messages["required"] = _("Fill in your user name.")
        self.fields["username"].widget.attrs.update(
            autocapitalize="none", spellcheck="false", autocomplete="username", autofocus=True
        )
        self.fields["password"].label = _("Password")
        self.fields["password"].error_messages["required"] = _("Fill in your password.")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


# --- Residents -----------------------------------------------------------------------

MIN_SEARCH_LENGTH = 2


class ResidentSearchForm(forms.Form):
    """Find a resident by name, or by full national number (posted only: numbers never
    travel in an address, where they would end up in logs and browser histories)."""

    q = forms.CharField(max_length=100, required=False)

    def __init__(self, *args: Any, allow_number: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_number = allow_number
        self.fields["q"].label = _("Name or national number")
        self.fields["q"].help_text = _(
            "For example: Peeters Jan. A national number finds only that exact person."
        )
        self.fields["q"].widget.attrs.update(autocomplete="off", spellcheck="false")

    def clean_q(self) -> str:
        query: str = self.cleaned_data["q"].strip()
        if query and len(query) < MIN_SEARCH_LENGTH:
            raise forms.ValidationError(_("Type at least two letters of the name."))
        if query and any(ch.isdigit() for ch in query) and not self.allow_number:
            raise forms.ValidationError(
                _("Type the national number in the search box and press Search.")
            )
        return query


class ViewPurposeForm(forms.Form):
    """Why a staff member opens a resident's file: the resident reads it in their
    access log ("Wie bekeek mijn gegevens?")."""

    purpose = forms.ChoiceField(choices=Purpose.choices, widget=forms.RadioSelect)
    details = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].label = _("Why do you open this file?")
        self.fields["purpose"].error_messages["required"] = _("Choose why you open this file.")
        self.fields["details"].label = _("Details (for example the dossier number)")
        self.fields["details"].help_text = _(
            "The resident can read this. Required for another reason."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("purpose") == Purpose.OTHER and not cleaned.get("details", "").strip():
            self.add_error("details", _("Say what the other reason is."))
        return cleaned

    def reason(self) -> str:
        """The line the resident reads: the purpose, and the details if any."""
        label = str(Purpose(self.cleaned_data["purpose"]).label)
        details = self.cleaned_data.get("details", "").strip()
        return f"{label}: {details}" if details else label


# --- Staff and roles -----------------------------------------------------------------


class MembershipAddForm(forms.Form):
    department = forms.TypedChoiceField(coerce=int)
    role = forms.ChoiceField()

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[int, str]],
        roles: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("Choose a department")),
            *departments,
        ]
        self.fields["department"].label = _("Department")
        self.fields["department"].error_messages["required"] = _("Choose a department.")
        self.fields["department"].error_messages["invalid_choice"] = _("Choose a department.")
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", _("Choose a role")), *roles]
        self.fields["role"].label = _("Role")
        self.fields["role"].error_messages["required"] = _("Choose a role.")
        self.fields["role"].error_messages["invalid_choice"] = _("Choose a role.")
