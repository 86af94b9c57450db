from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from loket.backoffice.permissions import can_use_backoffice


class StaffLoginForm(AuthenticationForm):
    """Django's login form with clear messages; refuses accounts without back-office
    access at the door instead of after logging them in."""

    error_messages = {
        "invalid_login": _(
            "Your user name or password is not right. Check both and try again. "
            "Capital letters count."
        ),
        "inactive": _("This account is blocked. Ask the functional administrator for help."),
        "no_backoffice_access": _(
            "This account has no access to the back office. Log in with your staff account."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].error_messages["required"] = _("Fill in your user name.")
        self.fields["username"].widget.attrs.update(autocapitalize="none", spellcheck="false")
        self.fields["password"].label = _("Password")
        self.fields["password"].error_messages["required"] = _("Fill in your password.")

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not can_use_backoffice(user):
            raise forms.ValidationError(
                self.error_messages["no_backoffice_access"], code="no_backoffice_access"
            )
