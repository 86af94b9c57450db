from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    OCMW = "ocmw", _("Public centre for social welfare (OCMW)")


class StaffRole(models.TextChoices):
    """What a staff member may do within one department."""

    CLERK = "clerk", _("Clerk")
    MANAGER = "manager", _("Head of department")
    COMMUNICATION_LIAISON = "liaison", _("Communication liaison")
    COUNCIL_MEMBER = "council", _("Council member")
    ADMINISTRATOR = "admin", _("Functional administrator")


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    VIEW = "view", _("viewed")
    LOGIN = "login", _("logged in")
    EXPORT = "export", _("exported")


WEEKDAYS = (
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
)
