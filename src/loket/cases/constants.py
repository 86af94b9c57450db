"""Names of the cases module: channels, confidentiality, workflow vocabulary."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a request reached the municipality."""

    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    PHONE = "phone", _("By phone")
    SOCIAL_MEDIA = "social_media", _("Social media")


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SENSITIVE = "sensitive", _("Sensitive")
    SOCIAL = "social", _("Social file (OCMW)")


class DeadlineKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


class WaitsFor(models.TextChoices):
    """Whose move it is while a case is in a status."""

    MUNICIPALITY = "municipality", _("The municipality")
    RESIDENT = "resident", _("The resident")
    ADVICE = "advice", _("Advice of other departments")
    PAYMENT = "payment", _("Payment")
    NOBODY = "nobody", _("Nobody (closed)")


class ActorKind(models.TextChoices):
    """Who may take a transition: staff in the back office, the resident in the
    portal, or the system itself (automatic completion)."""

    STAFF = "staff", _("Staff")
    RESIDENT = "resident", _("Resident")
    SYSTEM = "system", _("System")


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")
    ASSOCIATION = "association", _("Association")
    ANONYMOUS = "anonymous", _("Anonymous")


class PaymentStatus(models.TextChoices):
    NONE = "none", _("No payment needed")
    REQUESTED = "requested", _("Payment requested")
    RECEIVED = "received", _("Paid")


class AdviceStatus(models.TextChoices):
    OPEN = "open", _("Asked")
    ANSWERED = "answered", _("Answered")


class TimelineKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    STATUS = "status", _("Status changed")
    MESSAGE = "message", _("Message")
    INFO_PROVIDED = "info_provided", _("Information added")
    ADVICE_REQUESTED = "advice_requested", _("Advice asked")
    ADVICE_ANSWERED = "advice_answered", _("Advice given")
    ASSIGNED = "assigned", _("Assigned")
    DOCUMENT = "document", _("Document issued")
    PAYMENT = "payment", _("Payment")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Queue(models.TextChoices):
    """The back office's work queues."""

    MINE = "mine", _("Assigned to me")
    UNASSIGNED = "unassigned", _("Unassigned")
    DEPARTMENTS = "departments", _("My departments")
    OVERDUE = "overdue", _("Overdue")
    WAITING = "waiting", _("Waiting for the resident")
    ADVICE = "advice", _("Advice asked of my department")
    ALL = "all", _("All cases I may see")


# The permission codes of loket.core.constants.Permission that this module uses.
# Kept as plain strings so the cases module reads them from one place.
PERM_BACKOFFICE = "backoffice.enter"
PERM_VIEW = "cases.view"
PERM_HANDLE = "cases.handle"
PERM_ASSIGN = "cases.assign"
PERM_VIEW_ALL = "cases.view_all"
PERM_CONFIGURE = "cases.configure"
PERM_SOCIAL = "people.view_social_file"
PERM_COUNTER = "counter.serve"

# Guard keys a transition may list (``required_data:<field>`` takes a field name).
GUARD_REQUIRED_DATA = "required_data"
GUARD_PAYMENT_RECEIVED = "payment_received"
GUARD_DOCUMENT_ISSUED = "document_issued"
GUARD_ADVICE_RECEIVED = "advice_received"
GUARD_ASSIGNED = "assigned"
GUARDS = (
    GUARD_REQUIRED_DATA,
    GUARD_PAYMENT_RECEIVED,
    GUARD_DOCUMENT_ISSUED,
    GUARD_ADVICE_RECEIVED,
    GUARD_ASSIGNED,
)

# Action keys a transition may list (``request_advice:<slug,slug>``,
# ``generate_document:<template>`` take an argument).
ACTION_NOTIFY = "notify_resident"
ACTION_REQUEST_ADVICE = "request_advice"
ACTION_REQUEST_PAYMENT = "request_payment"
ACTION_PAYMENT_RECEIVED = "payment_received"
ACTION_GENERATE_DOCUMENT = "generate_document"
ACTION_CLOSE = "close_with_result"
ACTIONS = (
    ACTION_NOTIFY,
    ACTION_REQUEST_ADVICE,
    ACTION_REQUEST_PAYMENT,
    ACTION_PAYMENT_RECEIVED,
    ACTION_GENERATE_DOCUMENT,
    ACTION_CLOSE,
)

# Transition keys with a meaning outside the back office's buttons.
TRANSITION_AUTO_COMPLETE = "auto_complete"
TRANSITION_WITHDRAW = "withdraw"
TRANSITION_REOPEN = "reopen"
TRANSITION_PROVIDE_INFO = "provide_info"

# Notification events (created by the notifications module; missing ones are skipped).
EVENT_STATUS_CHANGED = "case-status-changed"
EVENT_SUBMITTED = "case-submitted"
EVENT_MESSAGE = "case-message"
EVENT_INFO_REQUESTED = "case-info-requested"
EVENT_REMINDER = "case-reminder"

PAGE_SIZE = 50
RESIDENT_PAGE_SIZE = 20
DEADLINE_WARNING_DAYS = 3

# The transitions a case page shows as buttons are kept in the cache framework per case
# type and status, with the "workflow epoch" they were read in; saving or deleting a
# case type, status or transition moves the epoch on. The time to live bounds what a
# cache that is not shared between processes can leave behind.
TRANSITIONS_KEY = "cases:transitions:{case_type_id}:{status_id}"
WORKFLOW_EPOCH_KEY = "cases:workflow-epoch"
TRANSITIONS_TTL_SECONDS = 300
