from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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
