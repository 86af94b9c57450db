"""Enumerations of the people module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """Gender as the population register records it (the national number encodes M/F)."""

    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "X", _("Unknown")


class Language(models.TextChoices):
    """The language a resident is addressed in (letters, e-mails, the portal)."""

    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")


class HouseholdRelation(models.TextChoices):
    """A member's relation to the head of the household (referentiepersoon)."""

    HEAD = "head", _("Head of household")
    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER_RELATIVE = "relative", _("Other relative")
    NOT_RELATED = "other", _("Not related")


class LegalForm(models.TextChoices):
    """Legal forms of the Crossroads Bank for Enterprises (KBO) that a town meets most."""

    SOLE_TRADER = "sole", _("Sole trader")
    BV = "bv", _("Private limited company (BV)")
    NV = "nv", _("Public limited company (NV)")
    CV = "cv", _("Cooperative company (CV)")
    VOF = "vof", _("General partnership (VOF)")
    COMMV = "commv", _("Limited partnership (CommV)")
    VZW = "vzw", _("Non-profit association (VZW)")
    FOUNDATION = "foundation", _("Foundation")


# Age bands of the dashboard's population pyramid: (first age, last age or None).
AGE_GROUPS: tuple[tuple[int, int | None], ...] = (
    (0, 11),
    (12, 17),
    (18, 24),
    (25, 44),
    (45, 64),
    (65, 74),
    (75, 84),
    (85, None),
)
