"""Forms of the documents pages (shape only; the services hold the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.documents.constants import LANGUAGES, UPLOAD_MAX_BYTES

LANGUAGE_CHOICES = [("", _("The resident's language"))] + [
    (code, code.upper()) for code in LANGUAGES
]


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("The 12 characters under the QR code, for example K7QM-3XPA-9TRW."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The PDF file"),
        help_text=_("At most 10 MB. The file is checked and not kept."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class RequestForm(forms.Form):
    template = forms.ChoiceField(label=_("Which document?"), widget=forms.RadioSelect)

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["template"].choices = choices  # type: ignore[attr-defined]


class IssueForm(forms.Form):
    national_number = forms.CharField(
        label=_("National number of the resident"),
        max_length=20,
        help_text=_("11 digits; dots and dashes are allowed."),
    )
    template = forms.ChoiceField(label=_("Document"))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    purpose = forms.CharField(
        label=_("Why do you issue it?"),
        max_length=200,
        help_text=_("The resident sees this on their access log."),
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["template"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the audit log and to the resident's file."),
    )


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body (HTML with placeholders)"),
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false"}),
        help_text=_(
            "Placeholders such as {{ person.full_name }}, {{ person.address }}, "
            "{{ household.members }}, {{ municipality.name }}, {{ case.reference }}, "
            "{{ today }}. The preview shows made-up data."
        ),
    )
    css = forms.CharField(
        label=_("Extra CSS"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
