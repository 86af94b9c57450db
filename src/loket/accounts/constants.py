"""Names and levels of the resident login."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Keys in the (server-side, database-backed) session.
SESSION_LOGIN = "loket.resident_login"  # dialect, acr, level, auth_time, sid, timestamps
SESSION_PENDING = "loket.oidc_pending"  # state -> nonce, PKCE verifier, level, next

# FAS assurance levels (the number at the end of the acr).
LEVEL_ITSME = 450
LEVEL_EID = 500
FAS_ACR = "urn:be:fedict:iam:fas:Level{level}"
# A login must be at least this strong to reach the resident's own data.
LEVEL_MY_DATA = LEVEL_ITSME


class LoginMethod(models.TextChoices):
    EID = "eid", _("eID card reader")
    ITSME = "itsme", _("itsme")


METHOD_LEVELS = {LoginMethod.EID: LEVEL_EID, LoginMethod.ITSME: LEVEL_ITSME}


class LoginFailure(models.TextChoices):
    """Why a login did not succeed; the label is what the resident reads."""

    CANCELLED = "cancelled", _("You cancelled logging in. Nothing has changed.")
    STATE = (
        "state",
        _(
            "This login attempt is no longer valid, for example because it was started in "
            "another window or took too long. Please log in again."
        ),
    )
    PROVIDER_ERROR = (
        "provider_error",
        _("The login service could not log you in. Please try again later."),
    )
    UNREACHABLE = (
        "unreachable",
        _("The login service cannot be reached right now. Try again later."),
    )
    CODE = "code", _("Your login could not be completed. Please log in again.")
    TOKEN = (
        "token",
        _(
            "We could not verify your login. For your safety you have not been logged in. "
            "Please log in again."
        ),
    )
    LEVEL = (
        "level",
        _(
            "This login method is not secure enough for what you asked. Log in with a "
            "stronger method, such as your eID."
        ),
    )
    IDENTITY = "identity", _("The login service did not tell us who you are. Please try again.")
    DISABLED = "disabled", _("Logging in with eID or itsme is not available right now.")


class SessionEnd(models.TextChoices):
    LOGOUT = "logout", _("logged out")
    EVERYWHERE = "everywhere", _("logged out on all devices")
    IDLE = "idle", _("inactive too long")
    ABSOLUTE = "absolute", _("maximum session length reached")
    STEP_UP = "step_up", _("logged in again with a stronger method")


# --- Acting on behalf of someone else, and counter mode ------------------------------

# Session keys: on whose behalf a resident acts, and the counter visit a clerk runs.
SESSION_ACTING = "loket.acting_party"  # {"kind", "id", "via", "mandate_id"}
SESSION_COUNTER = "loket.counter_visit"  # id of the open CounterVisit


class PartyKind(models.TextChoices):
    PERSON = "person", _("person")
    COMPANY = "company", _("company")
    ASSOCIATION = "association", _("association")


class ActingVia(models.TextChoices):
    """Why someone may act for a party."""

    SELF = "self", _("yourself")
    MANDATE = "mandate", _("mandate")
    PARENT = "parent", _("parent")
    REPRESENTATIVE = "representative", _("representative")
    COUNTER = "counter", _("at the counter")
    STAFF = "staff", _("by staff (post, phone or social media)")


class MandateStatus(models.TextChoices):
    PLANNED = "planned", _("not started yet")
    ACTIVE = "active", _("valid")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


# Counter mode: this many wrong identity card numbers for one resident within the
# window lock that resident's counter check until the window has passed.
COUNTER_MAX_FAILURES = 5
COUNTER_FAILURE_WINDOW_MINUTES = 15
# A counter visit counts as ended this many hours after it started (a clerk who forgot
# to end it does not keep acting for the resident the next day).
COUNTER_VISIT_MAX_HOURS = 8

# Kinds of audit line this module writes about acting on behalf (``changes["event"]``).
EVENT_MANDATE_GRANTED = "mandate_granted"
EVENT_MANDATE_REVOKED = "mandate_revoked"
EVENT_ACTING_STARTED = "acting_started"
EVENT_ACTING_ENDED = "acting_ended"
EVENT_ACTING_REFUSED = "acting_refused"
EVENT_COUNTER_STARTED = "counter_visit_started"
EVENT_COUNTER_ENDED = "counter_visit_ended"
EVENT_COUNTER_REFUSED = "counter_check_failed"
