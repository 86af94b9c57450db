"""Names and limits of the staff login, shared with the back office and the resident login."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

# Session flag agreed with the resident login: which kind of login made this session.
SESSION_AUTH_KIND = "loket_auth_kind"
AUTH_KIND_STAFF = "staff"
AUTH_KIND_RESIDENT = "resident"

# Which second factor this staff session passed ("totp", "passkey", "recovery", or
# "none" when LOKET_STAFF_2FA_REQUIRED is false and the user has no factor).
SESSION_STAFF_FACTOR = "loket_staff_factor"
# Between the password step and the second factor: {"user_id", "started", "next"}.
SESSION_PENDING = "loket_staff_pending"
SESSION_TOTP_SETUP = "loket_staff_totp_setup"
SESSION_WEBAUTHN_CHALLENGE = "loket_staff_webauthn_challenge"
SESSION_NEW_RECOVERY_CODES = "loket_staff_new_recovery_codes"
# Single sign-on: the pending request (state -> nonce, PKCE verifier, next, time) and,
# after the login, the provider's sid for logging out there too.
SESSION_SSO_PENDING = "loket_staff_sso_pending"
SESSION_SSO_LOGIN = "loket_staff_sso"
SSO_PENDING_LIFETIME = 600  # seconds between leaving for the provider and coming back
SSO_MAX_PENDING = 5

# How long the second step may take after the password was accepted.
PENDING_LIFETIME = timedelta(minutes=10)

# Brute-force protection: failures within WINDOW lock the key for LOCK_DURATION.
FAILURES_PER_USER = 5
FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)

TOTP_DIGITS = 6
TOTP_INTERVAL = 30
# Codes one step before or after the current one are accepted (clock drift).
TOTP_VALID_WINDOW = 1

RECOVERY_CODE_COUNT = 10

# Audit actions of the staff login (the kernel's AuditAction covers "login"). The
# audit log never receives a password or a code.
AUDIT_OBJECT_TYPE = "accounts_staff.login"


class StaffAuthAudit(models.TextChoices):
    PASSWORD_ACCEPTED = "login_password", _("password accepted")
    LOGIN_FAILED = "login_failed", _("login failed")
    LOCKED_OUT = "login_locked", _("locked out")
    REFUSED_LOCKED = "login_refused", _("login refused")
    FACTOR_ADDED = "factor_added", _("second factor added")
    FACTOR_REMOVED = "factor_removed", _("second factor removed")
    RECOVERY_RENEWED = "recovery_renewed", _("recovery codes renewed")
    SSO_ACCEPTED = "login_sso", _("single sign-on accepted")
    RATE_LIMITED = "login_rate_limited", _("too many requests")


class Factor(models.TextChoices):
    TOTP = "totp", _("authenticator app")
    PASSKEY = "passkey", _("passkey")
    RECOVERY = "recovery", _("recovery code")
    # Single sign-on whose provider used several factors (LOKET_STAFF_OIDC_REQUIRE_MFA).
    SSO = "sso", _("single sign-on with a second factor")
    NONE = "none", _("none")


class SsoFailure(models.TextChoices):
    """Why a single sign-on did not succeed; the label is what the staff member reads."""

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
        _("The municipality's login service could not log you in. Please try again later."),
    )
    UNREACHABLE = (
        "unreachable",
        _("The municipality's login service cannot be reached right now. Try again later."),
    )
    CODE = "code", _("Your login could not be completed. Please log in again.")
    TOKEN = (
        "token",
        _(
            "We could not verify your login. For your safety you have not been logged in. "
            "Please log in again."
        ),
    )
    IDENTITY = (
        "identity",
        _("The municipality's login service did not tell us who you are. Please try again."),
    )
    UNKNOWN = (
        "unknown",
        _(
            "Your account of the municipality is not linked to a staff account in Loket. "
            "Ask the functional administrator to add you."
        ),
    )
    DISABLED = (
        "disabled",
        _("This staff account is blocked. Ask the functional administrator for help."),
    )
    OFF = "off", _("Logging in with your account of the municipality is not available.")


RATE_LIMITED_MESSAGE = _("You tried this too often in a short time. Wait a minute and try again.")


LOCKED_MESSAGE = _(
    "Too many attempts. For your safety, logging in is paused for 15 minutes. "
    "Try again later, or ask the functional administrator for help."
)
CODE_REFUSED_MESSAGE = _(
    "This code is not right, or it was used already. Wait for the next code in your "
    "app and try again."
)
