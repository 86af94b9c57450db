"""Forms of acting on behalf (mandates, the choice of party) and of counter mode. They
check the shape of the input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.people.types import IdentityCardNumber, NationalNumber

SCOPE_ALL = "all"
SCOPE_SOME = "some"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MandateForm(forms.Form):
    mandatary_national_number = forms.CharField(
        label=_("National number of the person you authorise"),
        max_length=20,
        help_text=_("11 digits, as on the back of their identity card: YY.MM.DD-XXX.CC."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    mandatary_last_name = forms.CharField(
        label=_("Their last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label=_("For which services?"),
        choices=[
            (SCOPE_ALL, _("All services")),
            (SCOPE_SOME, _("Only the services I name below")),
        ],
        initial=SCOPE_ALL,
        widget=forms.RadioSelect,
    )
    services = forms.CharField(
        label=_("Services"),
        required=False,
        max_length=2000,
        help_text=_(
            "One service per line, as named in the list of services. Add “documenten” "
            "to also give access to your documents (certificates and decision letters)."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Leave empty for a mandate until you revoke it."),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()

    def clean_mandatary_national_number(self) -> str:
        value = self.cleaned_data["mandatary_national_number"]
        return NationalNumber.parse(value).value

    def service_list(self) -> list[str]:
        text = self.cleaned_data.get("services") or ""
        return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and start < timezone.localdate():
            self.add_error("valid_from", _("A mandate cannot start in the past."))
        if start and end and end < start:
            self.add_error("valid_until", _("The end date comes before the start date."))
        if data.get("scope") == SCOPE_SOME and not self.service_list():
            self.add_error("services", _("Name at least one service, or choose all services."))
        return data


class CounterSearchForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the resident"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())


class CounterCheckForm(forms.Form):
    card_number = forms.CharField(
        label=_("Number of the identity card"),
        max_length=20,
        help_text=_("12 digits, on the front of the eID card, e.g. 592-1234567-89."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    purpose = forms.CharField(
        label=_("Purpose of the visit"),
        max_length=200,
        help_text=_("The resident sees this, e.g. 'Apply for a parking card'."),
    )

    def clean_card_number(self) -> str:
        return IdentityCardNumber.parse(self.cleaned_data["card_number"]).value
