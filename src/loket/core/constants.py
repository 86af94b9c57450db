from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    OCMW = "ocmw", _("Public centre for social welfare (OCMW)")


class Permission(models.TextChoices):
    """What a role allows. Roles (``core.Role``) are data: a list of these codes each,
    granted per department through ``DepartmentMembership``."""

    BACKOFFICE = "backoffice.enter", _("Use the back office")
    PEOPLE_VIEW = "people.view", _("Look up residents and open their file")
    SOCIAL_FILE_VIEW = "people.view_social_file", _("See social files (OCMW)")
    CASES_VIEW = "cases.view", _("See the dossiers of own departments")
    CASES_HANDLE = "cases.handle", _("Handle dossiers")
    CASES_ASSIGN = "cases.assign", _("Assign dossiers to colleagues")
    CASES_VIEW_ALL = "cases.view_all", _("Read every dossier (council, college)")
    CASES_CONFIGURE = "cases.configure", _("Configure case types and workflows")
    CATALOG_EDIT = "catalog.edit", _("Edit the catalogue of services")
    COUNTER_SERVE = "counter.serve", _("Serve residents at the counter")
    NOTIFICATIONS_VIEW = "notifications.view", _("See the message delivery log")
    NOTIFICATIONS_BULK = "notifications.bulk", _("Send bulk messages")
    NOTIFICATIONS_TEMPLATES = "notifications.templates", _("Edit message templates")
    AUDIT_VIEW = "audit.view", _("Read the audit log")
    STAFF_MANAGE = "staff.manage", _("Manage staff, departments and roles")
    MANDATES_ASSIST = "mandates.assist", _("Assist residents under a mandate (volunteer)")
    PAYMENTS_VIEW = "payments.view", _("See orders and payments of own departments")
    PAYMENTS_RECORD = "payments.record", _("Record counter payments and send payment links")
    PAYMENTS_MANAGE = (
        "payments.manage",
        _("Refund and cancel the payments of own departments"),
    )
    PAYMENTS_ALL_DEPARTMENTS = (
        "payments.all_departments",
        _("See and handle the payments of every department"),
    )


class RoleSlug(models.TextChoices):
    """The roles every deployment starts with (``Role.is_system``); a municipality may
    add its own roles in the configuration."""

    HANDLER = "handler", _("Case handler")
    COORDINATOR = "coordinator", _("Coordinator")
    HEAD = "head", _("Head of department")
    ADMINISTRATOR = "administrator", _("Functional administrator")
    COMMUNICATION = "communication", _("Communication cell")
    SOCIAL_WORKER = "social_worker", _("Social worker (OCMW)")
    COUNCIL_MEMBER = "council_member", _("Council member")
    COLLEGE_MEMBER = "college_member", _("College member")
    VOLUNTEER = "volunteer", _("Volunteer helper")
    COUNTER_CLERK = "counter_clerk", _("Counter clerk")
    FINANCE = "finance", _("Finance department")


_P = Permission
SYSTEM_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    RoleSlug.HANDLER: (
        _P.BACKOFFICE,
        _P.PEOPLE_VIEW,
        _P.CASES_VIEW,
        _P.CASES_HANDLE,
        _P.PAYMENTS_VIEW,
        _P.PAYMENTS_RECORD,
    ),
    RoleSlug.COORDINATOR: (
        _P.BACKOFFICE,
        _P.PEOPLE_VIEW,
        _P.CASES_VIEW,
        _P.CASES_HANDLE,
        _P.CASES_ASSIGN,
        _P.PAYMENTS_VIEW,
        _P.PAYMENTS_RECORD,
    ),
    RoleSlug.HEAD: (
        _P.BACKOFFICE,
        _P.PEOPLE_VIEW,
        _P.CASES_VIEW,
        _P.CASES_HANDLE,
        _P.CASES_ASSIGN,
        _P.AUDIT_VIEW,
        _P.PAYMENTS_VIEW,
        _P.PAYMENTS_RECORD,
        _P.PAYMENTS_MANAGE,
    ),
    RoleSlug.ADMINISTRATOR: tuple(
        p for p in Permission if p not in (_P.SOCIAL_FILE_VIEW, _P.MANDATES_ASSIST)
    ),
    RoleSlug.COMMUNICATION: (
        _P.BACKOFFICE,
        _P.NOTIFICATIONS_VIEW,
        _P.NOTIFICATIONS_BULK,
        _P.NOTIFICATIONS_TEMPLATES,
    ),
    RoleSlug.SOCIAL_WORKER: (
        _P.BACKOFFICE,
        _P.PEOPLE_VIEW,
        _P.SOCIAL_FILE_VIEW,
        _P.CASES_VIEW,
        _P.CASES_HANDLE,
    ),
    RoleSlug.COUNCIL_MEMBER: (_P.BACKOFFICE, _P.CASES_VIEW_ALL),
    RoleSlug.COLLEGE_MEMBER: (_P.BACKOFFICE, _P.CASES_VIEW_ALL),
    RoleSlug.VOLUNTEER: (_P.MANDATES_ASSIST,),
    RoleSlug.COUNTER_CLERK: (
        _P.BACKOFFICE,
        _P.COUNTER_SERVE,
        _P.PEOPLE_VIEW,
        _P.PAYMENTS_VIEW,
        _P.PAYMENTS_RECORD,
    ),
    RoleSlug.FINANCE: (
        _P.BACKOFFICE,
        _P.PAYMENTS_VIEW,
        _P.PAYMENTS_RECORD,
        _P.PAYMENTS_MANAGE,
        _P.PAYMENTS_ALL_DEPARTMENTS,
    ),
}
"""The permissions the system roles start with (migration 0003 seeds them). The
administrator gets everything except social files (OCMW social workers only: the
law on professional secrecy) and the volunteer's mandate assistance."""


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


# Everything is served from our own origin; no inline script is ever needed because
# every page works without JavaScript. Inline styles carry the municipality's colours.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

# Public pages (home, catalogue) keep their rendered content in the cache framework,
# keyed on an epoch that saving the municipality's details or the catalogue moves on
# (ADR 0019). Other processes see a change after at most this many seconds.
PUBLIC_CONTENT_EPOCH_KEY = "core:public-content-epoch"
PUBLIC_CONTENT_TTL_SECONDS = 60
