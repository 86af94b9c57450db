"""Back-office forms for API clients and webhook subscriptions (shape only; the
services check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.api.constants import Confidentiality, Scope
from loket.core.selectors import organisation_list_public
from loket.webhooks.constants import EventType


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("Name of the system"), max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=organisation_list_public(), empty_label=None
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Public data needs no scope. Give only what the system needs."),
    )
    max_confidentiality = forms.ChoiceField(
        label=_("Highest confidentiality it may read"),
        choices=Confidentiality.choices,
        initial=Confidentiality.NORMAL,
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("Calls per minute"), min_value=1, max_value=100_000, initial=120
    )


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name of the receiving system"), max_length=200)
    url = forms.URLField(
        label=_("Address that receives the events"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Loket posts signed CloudEvents to this address."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
