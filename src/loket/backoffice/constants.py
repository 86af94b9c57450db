from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """Why a staff member opens a resident's file; the resident reads it."""

    HANDLE_CASE = "case", _("Handling a dossier")
    COUNTER = "counter", _("A question at the counter")
    CHECK = "check", _("A check")
    SOCIAL = "social", _("Social support (OCMW)")
    OTHER = "other", _("Another reason")


RESIDENTS_PER_PAGE = 25
STAFF_PER_PAGE = 25
