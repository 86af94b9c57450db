"""Choices of the catalogue and its form engine."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a resident can ask for a service (CPSV-AP ``cv:hasChannel``)."""

    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    PHONE = "phone", _("By phone")


class LoginLevel(models.IntegerChoices):
    """The login a resident needs before applying (FAS assurance levels, as in
    ``loket.accounts.constants``: 450 is itsme and up, 500 the eID card reader)."""

    NONE = 0, _("No login needed")
    LOW = 400, _("Log in with a low level (e.g. username and password)")
    SUBSTANTIAL = 450, _("Log in with itsme or eID")
    HIGH = 500, _("Log in with your eID card reader")


class FieldType(models.TextChoices):
    """The kinds of question a form without code can ask."""

    TEXT = "text", _("Short text")
    TEXTAREA = "textarea", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    CHOICE = "choice", _("Choice (one answer)")
    MULTIPLE_CHOICE = "multichoice", _("Multiple choice")
    CHECKBOX = "checkbox", _("Tick box")
    YES_NO = "yesno", _("Yes or no")
    ADDRESS = "address", _("Address")
    FILE = "file", _("File upload")
    PERSON = "person", _("Person (co-applicant)")
    KNOWN = "known", _("Known fact (shown for confirmation)")


class ChoiceWidget(models.TextChoices):
    RADIO = "radio", _("Radio buttons")
    SELECT = "select", _("Drop-down list")


# What a form may prefill from the municipality's records ("once-only"). A field with
# one of these keys is shown for confirmation and not asked again when the fact is known.
class PrefillKey(models.TextChoices):
    FULL_NAME = "person.full_name", _("Full name")
    FIRST_NAME = "person.first_name", _("First name")
    LAST_NAME = "person.last_name", _("Last name")
    BIRTH_DATE = "person.birth_date", _("Date of birth")
    ADDRESS = "person.address", _("Address")
    EMAIL = "person.email", _("E-mail address")
    PHONE = "person.phone", _("Phone number")
    HOUSEHOLD = "household.members", _("Members of the household")


# Uploads: what a file field accepts when its definition says nothing.
DEFAULT_ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
# No file field may accept more than this, whatever its definition says.
ABSOLUTE_MAX_SIZE = 25 * 1024 * 1024

# MIME types staff may choose for an upload field (what ``filetype`` can recognise).
UPLOAD_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
    "image/webp": "WebP",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.oasis.opendocument.text": "OpenDocument (.odt)",
}
