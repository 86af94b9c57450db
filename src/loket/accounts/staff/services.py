"""Writes of the staff login: the password step, second factors, lock-outs.

Every login, failure, lock-out and change of a factor writes an audit line; none of
them ever holds a password, a code or a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from loket.accounts.models import LoginSession
from loket.accounts.providers.oidc import OidcError, ProviderConfig, end_session_url
from loket.accounts.services import login_session_end
from loket.accounts.staff.constants import (
    AUDIT_OBJECT_TYPE,
    AUTH_KIND_STAFF,
    FAILURE_WINDOW,
    FAILURES_PER_ADDRESS,
    FAILURES_PER_USER,
    LOCK_DURATION,
    RECOVERY_CODE_COUNT,
    SESSION_AUTH_KIND,
    SESSION_NEW_RECOVERY_CODES,
    SESSION_PENDING,
    SESSION_SSO_LOGIN,
    SESSION_STAFF_FACTOR,
    SESSION_TOTP_SETUP,
    SESSION_WEBAUTHN_CHALLENGE,
    TOTP_INTERVAL,
    TOTP_VALID_WINDOW,
    Factor,
    SsoFailure,
    StaffAuthAudit,
)
from loket.accounts.staff.models import LoginThrottle, Passkey, RecoveryCode, TotpDevice
from loket.accounts.staff.selectors import (
    address_is_locked,
    client_address,
    staff_factor_summary,
    staff_password_login_enabled,
    staff_sso_session,
    throttle_keys,
    webauthn_relying_party,
)
from loket.core.constants import AuditAction
from loket.core.services import DomainError, audit_record

__all__ = [
    "AccountDisabled",
    "CodeRefused",
    "LastFactor",
    "LoginLocked",
    "LoginRefused",
    "PasskeyRefused",
    "PasswordLoginOff",
    "SsoRefused",
    "demo_totp_device_create",
    "passkey_authenticate",
    "passkey_authentication_options",
    "passkey_register",
    "passkey_registration_options",
    "resident_sessions_end",
    "staff_factor_remove",
    "staff_login_begin",
    "staff_login_complete",
    "staff_login_without_factor",
    "staff_logout",
    "staff_password_verify",
    "staff_rate_limit_record",
    "staff_recovery_code_login",
    "staff_recovery_codes_renew",
    "staff_sso_failure_record",
    "staff_sso_login",
    "staff_sso_user",
    "staff_totp_confirm",
    "staff_totp_login",
    "staff_totp_setup_secret",
]


class LoginRefused(DomainError):
    """User name or password not right (or unknown user: the same answer)."""


class LoginLocked(LoginRefused):
    """Too many failures for this user name or address: refused for a while."""


class AccountDisabled(LoginRefused):
    """The password is right but the account is blocked (is_active false)."""


class PasswordLoginOff(LoginRefused):
    """LOKET_STAFF_PASSWORD_LOGIN is off: staff log in with single sign-on only."""


class SsoRefused(DomainError):
    """A single sign-on that cannot log anyone in; ``failure`` is an ``SsoFailure``."""

    def __init__(self, failure: str, detail: str = "") -> None:
        super().__init__(f"{failure}: {detail}")
        self.failure = failure
        self.detail = detail


class CodeRefused(DomainError):
    """A second-factor code that is wrong, expired or already used."""


class PasskeyRefused(DomainError):
    """A WebAuthn response that does not verify."""


def _clock() -> float:
    """Seconds since the epoch for TOTP (a seam for tests)."""
    return time.time()


# --- Throttle -----------------------------------------------------------------------


def _audit(
    *, action: str, user: Any | None, label: str, reason: str, stage: str, ip_address: str
) -> None:
    audit_record(
        actor=user,
        action=action,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=str(user.pk) if user is not None else "",
        object_label=label,
        reason=reason,
        changes={"stage": stage, "ip": ip_address},
    )


def _audit_account(
    *,
    actor: Any,
    user: Any,
    action: str,
    reason: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """One audit line about a staff account's login or factors (never a secret)."""
    audit_record(
        actor=actor,
        action=action,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=str(user.pk),
        object_label=user.get_username(),
        reason=reason,
        changes=changes,
    )


def _user_label(user: Any | None) -> str:
    return user.get_username() if user is not None else "(unknown user name)"


def _login_failure_record(
    *, username: str, ip_address: str, user: Any | None, stage: str, reason: str
) -> bool:
    """Count one failure for the user name, and for the address when the user name is
    unknown (``user`` is None); lock either when it reaches its limit. Failures for
    known user names count only against that name (FAILURES_PER_USER protects each
    account), so that one shared address cannot lock out every staff member. Returns
    whether this failure caused a lock-out."""
    now = timezone.now()
    user_key, ip_key = throttle_keys(username=username, ip_address=ip_address)
    counters = [(user_key, FAILURES_PER_USER)]
    if user is None:
        counters.append((ip_key, FAILURES_PER_ADDRESS))
    locked = False
    with transaction.atomic():
        for key, limit in counters:
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now}
            )
            if row.window_started_at <= now - FAILURE_WINDOW:
                row.failures = 0
                row.window_started_at = now
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + LOCK_DURATION
                row.failures = 0
                row.window_started_at = now
                locked = True
            row.save(update_fields=["failures", "window_started_at", "locked_until"])
        label = _user_label(user)
        _audit(
            action=StaffAuthAudit.LOGIN_FAILED,
            user=user,
            label=label,
            reason=reason,
            stage=stage,
            ip_address=ip_address,
        )
        if locked:
            _audit(
                action=StaffAuthAudit.LOCKED_OUT,
                user=user,
                label=label,
                reason="too many failed attempts",
                stage=stage,
                ip_address=ip_address,
            )
    return locked


def _user_name_lock(*, username: str) -> bool:
    """Create or row-lock the failure counter of this user name, inside the caller's
    transaction, and say whether the name is locked out. The caller checks the
    password or code and records a failure before that transaction ends, so parallel
    attempts for one user name run one after the other: the check and the count are
    one step, and no more than FAILURES_PER_USER guesses get through."""
    now = timezone.now()
    user_key, _ = throttle_keys(username=username, ip_address="")
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(
        key=user_key, defaults={"window_started_at": now}
    )
    return row.locked_until is not None and row.locked_until > now


def _refuse_locked(*, request: HttpRequest, user: Any | None, stage: str) -> None:
    """Refuse an attempt for a locked user name: audit it, end a pending login."""
    with transaction.atomic():
        _audit(
            action=StaffAuthAudit.REFUSED_LOCKED,
            user=user,
            label=_user_label(user),
            reason="locked out",
            stage=stage,
            ip_address=client_address(request=request),
        )
    request.session.pop(SESSION_PENDING, None)
    raise LoginLocked("locked")


def _factor_failure_record(*, request: HttpRequest, user: Any, stage: str, reason: str) -> bool:
    """A wrong code or passkey: count it (inside the caller's transaction)."""
    return _login_failure_record(
        username=user.get_username(),
        ip_address=client_address(request=request),
        user=user,
        stage=stage,
        reason=reason,
    )


def _factor_locked(*, request: HttpRequest) -> None:
    """At the limit the pending login ends (back to the password step)."""
    request.session.pop(SESSION_PENDING, None)
    raise LoginLocked("locked")


# --- Password step ------------------------------------------------------------------


def staff_password_verify(*, request: HttpRequest, username: str, password: str) -> Any:
    """Step 1: check user name and password, under the lock-out rules. Returns the
    user; raises LoginLocked, AccountDisabled or LoginRefused."""
    if not staff_password_login_enabled():
        raise PasswordLoginOff("password login is off")
    user_model = get_user_model()
    known = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    ip_address = client_address(request=request)
    disabled = locked = False
    user = None
    with transaction.atomic():
        if _user_name_lock(username=username):
            refused = True
        else:
            refused = False
            user = authenticate(request, username=username, password=password)
            if user is None:
                disabled = (
                    known is not None and not known.is_active and known.check_password(password)
                )
                if disabled:
                    _audit(
                        action=StaffAuthAudit.LOGIN_FAILED,
                        user=known,
                        label=_user_label(known),
                        reason="account disabled",
                        stage="password",
                        ip_address=ip_address,
                    )
                else:
                    locked = _login_failure_record(
                        username=username,
                        ip_address=ip_address,
                        user=known,
                        stage="password",
                        reason="wrong user name or password",
                    )
    if refused:
        _refuse_locked(request=request, user=known, stage="password")
    if user is None:
        if disabled:
            raise AccountDisabled("disabled")
        if locked or address_is_locked(ip_address=ip_address):
            # Also for known user names, so the answer does not tell them apart.
            request.session.pop(SESSION_PENDING, None)
            raise LoginLocked("locked")
        raise LoginRefused("refused")
    with transaction.atomic():
        _audit(
            action=StaffAuthAudit.PASSWORD_ACCEPTED,
            user=user,
            label=_user_label(user),
            reason="password accepted, second factor next",
            stage="password",
            ip_address=ip_address,
        )
    return user


def staff_login_begin(*, request: HttpRequest, user: Any, next_url: str) -> None:
    """Remember, in a new, empty session, who passed the password step. Nothing of an
    earlier login in this browser (a half-finished set-up secret, a WebAuthn
    challenge, new recovery codes, another user's login) carries over."""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    request.session.flush()
    request.user = AnonymousUser()
    request.session[SESSION_PENDING] = {
        "user_id": user.pk,
        "started": time.time(),
        "next": next_url,
    }


def staff_login_complete(*, request: HttpRequest, user: Any, factor: str) -> None:
    """Log the user in and record which second factor they passed."""
    ip_address = client_address(request=request)
    with transaction.atomic():
        user_key, _ = throttle_keys(username=user.get_username(), ip_address=ip_address)
        LoginThrottle.objects.filter(key=user_key, locked_until__isnull=True).delete()
        _audit_account(
            actor=user,
            user=user,
            action=AuditAction.LOGIN,
            reason=f"staff login with {factor}",
            changes={"stage": "complete", "factor": factor, "ip": ip_address},
        )
    request.session.pop(SESSION_PENDING, None)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session[SESSION_AUTH_KIND] = AUTH_KIND_STAFF
    request.session[SESSION_STAFF_FACTOR] = factor


def staff_login_without_factor(*, request: HttpRequest, user: Any) -> None:
    """Only where LOKET_STAFF_2FA_REQUIRED is off and the user has no factor yet."""
    if settings.LOKET_STAFF_2FA_REQUIRED or staff_factor_summary(user=user).has_any:
        raise LoginRefused("a second factor is required")
    staff_login_complete(request=request, user=user, factor=Factor.NONE)


# --- TOTP ---------------------------------------------------------------------------


def _totp_match(secret: str, code: str, *, after_step: int | None) -> int | None:
    """The time step (±1) whose code matches, if it is later than ``after_step``."""
    code = "".join(code.split())
    # Only ASCII digits: other digits (Arabic-Indic, full-width, superscript) pass
    # isdigit() but are never what an app shows, and compare_digest refuses them.
    if not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL)
    now_step = int(_clock()) // TOTP_INTERVAL
    for step in range(now_step - TOTP_VALID_WINDOW, now_step + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if after_step is not None and step <= after_step:
                return None  # replay: this code (or a later one) was used already
            return step
    return None


def _totp_accept(*, user: Any, code: str) -> bool:
    """Accept a code of the user's app once; inside the caller's transaction."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    step = _totp_match(device.secret, code, after_step=device.last_used_step)
    if step is None:
        return False
    device.last_used_step = step
    device.last_used_at = timezone.now()
    device.save(update_fields=["last_used_step", "last_used_at"])
    return True


def _recovery_hash(*, user: Any, code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"loket-staff-recovery:{user.pk}:{normalised}".encode()).hexdigest()


def _recovery_accept(*, user: Any, code: str) -> bool:
    if not code.isascii():
        return False  # recovery codes are ASCII; anything else is a wrong code
    row = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, code_hash=_recovery_hash(user=user, code=code), used_at__isnull=True)
        .first()
    )
    if row is None:
        return False
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return True


def staff_totp_login(*, request: HttpRequest, user: Any, code: str) -> None:
    """Step 2 with the authenticator app. Raises CodeRefused or LoginLocked."""
    _code_login(request=request, user=user, code=code, accept=_totp_accept, factor=Factor.TOTP)


def staff_recovery_code_login(*, request: HttpRequest, user: Any, code: str) -> None:
    """Step 2 with a recovery code: each works once."""
    _code_login(
        request=request, user=user, code=code, accept=_recovery_accept, factor=Factor.RECOVERY
    )


def _code_login(
    *,
    request: HttpRequest,
    user: Any,
    code: str,
    accept: Callable[..., bool],
    factor: Factor,
) -> None:
    """Check a second-factor code under the user name's lock row, so the lock-out check,
    the code check and the failure count are one step even for parallel attempts."""
    stage = str(factor)
    accepted = locked = False
    with transaction.atomic():
        refused = _user_name_lock(username=user.get_username())
        if not refused:
            accepted = accept(user=user, code=code)
            if not accepted:
                locked = _factor_failure_record(
                    request=request, user=user, stage=stage, reason="second factor refused"
                )
    if refused:
        _refuse_locked(request=request, user=user, stage=stage)
    if locked:
        _factor_locked(request=request)
    if not accepted:
        raise CodeRefused("wrong code")
    staff_login_complete(request=request, user=user, factor=factor)


def staff_totp_setup_secret(*, request: HttpRequest) -> str:
    """The secret being set up in this session (a new one the first time)."""
    secret = request.session.get(SESSION_TOTP_SETUP)
    if not isinstance(secret, str):
        secret = pyotp.random_base32()
        request.session[SESSION_TOTP_SETUP] = secret
    return secret


def _recovery_codes_create(*, user: Any) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_recovery_hash(user=user, code=code)) for code in codes
    )
    return codes


def staff_totp_confirm(*, request: HttpRequest, user: Any, code: str) -> list[str]:
    """Finish setting up the authenticator app with its first code. Returns new
    recovery codes when the user had none left (shown once), else an empty list."""
    secret = request.session.get(SESSION_TOTP_SETUP)
    if not isinstance(secret, str):
        raise CodeRefused("no set-up in progress")
    step = _totp_match(secret, code, after_step=None)
    if step is None:
        raise CodeRefused("wrong code")
    with transaction.atomic():
        TotpDevice.objects.select_for_update().filter(user=user).delete()
        device = TotpDevice.objects.create(
            user=user, secret=secret, last_used_step=step, last_used_at=timezone.now()
        )
        codes: list[str] = []
        if not RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists():
            codes = _recovery_codes_create(user=user)
        _audit_account(
            actor=user,
            user=user,
            action=StaffAuthAudit.FACTOR_ADDED,
            reason="authenticator app added",
            changes={"factor": Factor.TOTP, "device": device.pk},
        )
    request.session.pop(SESSION_TOTP_SETUP, None)
    if codes:
        request.session[SESSION_NEW_RECOVERY_CODES] = codes
    return codes


def demo_totp_device_create(*, user: Any, secret: str) -> None:
    """The demo's authenticator for a demo staff member, with the published demo secret."""
    with transaction.atomic():
        TotpDevice.objects.create(user=user, secret=secret, is_demo=True)
        _audit_account(
            actor=None,
            user=user,
            action=StaffAuthAudit.FACTOR_ADDED,
            reason="demo authenticator app seeded",
            changes={"factor": Factor.TOTP},
        )


# --- Managing factors ----------------------------------------------------------------


def _current_code_check(*, request: HttpRequest, user: Any, code: str, stage: str) -> None:
    accepted = False
    with transaction.atomic():
        refused = _user_name_lock(username=user.get_username())
        if not refused:
            accepted = _totp_accept(user=user, code=code) or _recovery_accept(user=user, code=code)
            if not accepted:
                _factor_failure_record(
                    request=request, user=user, stage=stage, reason="code refused"
                )
    if refused:
        _refuse_locked(request=request, user=user, stage=stage)
    if not accepted:
        raise CodeRefused("wrong code")


class LastFactor(DomainError):
    """Removing this factor would leave a required second factor without any."""


def staff_factor_remove(
    *, request: HttpRequest, user: Any, factor: str, passkey_id: int | None, code: str
) -> None:
    """Remove the app or one passkey, after a current code (app or recovery code)."""
    summary = staff_factor_summary(user=user)
    if settings.LOKET_STAFF_2FA_REQUIRED and summary.count <= 1:
        raise LastFactor("last factor")
    _current_code_check(request=request, user=user, code=code, stage="remove")
    with transaction.atomic():
        if factor == Factor.TOTP:
            deleted, _ = TotpDevice.objects.filter(user=user).delete()
            what = "authenticator app removed"
        else:
            deleted, _ = Passkey.objects.filter(user=user, pk=passkey_id or 0).delete()
            what = "passkey removed"
        if deleted:
            _audit_account(
                actor=user,
                user=user,
                action=StaffAuthAudit.FACTOR_REMOVED,
                reason=what,
                changes={"factor": factor},
            )


def staff_recovery_codes_renew(*, request: HttpRequest, user: Any, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a current code."""
    _current_code_check(request=request, user=user, code=code, stage="recovery_renew")
    with transaction.atomic():
        codes = _recovery_codes_create(user=user)
        _audit_account(
            actor=user,
            user=user,
            action=StaffAuthAudit.RECOVERY_RENEWED,
            reason="recovery codes renewed",
        )
    request.session[SESSION_NEW_RECOVERY_CODES] = codes
    return codes


# --- Passkeys (WebAuthn) -------------------------------------------------------------


def _take_challenge(request: HttpRequest, purpose: str) -> bytes:
    stored = request.session.pop(SESSION_WEBAUTHN_CHALLENGE, None)
    if not isinstance(stored, dict) or stored.get("purpose") != purpose:
        raise PasskeyRefused("no ceremony in progress")
    return base64url_to_bytes(str(stored["challenge"]))


def _put_challenge(request: HttpRequest, purpose: str, challenge: bytes) -> None:
    request.session[SESSION_WEBAUTHN_CHALLENGE] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
    }


def _descriptors(user: Any) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for passkey in Passkey.objects.filter(user=user):
        transports = []
        for name in passkey.transports or []:
            try:
                transports.append(AuthenticatorTransport(name))
            except ValueError:
                continue
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(passkey.credential_id), transports=transports or None
            )
        )
    return descriptors


def passkey_registration_options(*, request: HttpRequest, user: Any) -> str:
    """Options for navigator.credentials.create(), as JSON; the challenge stays in the
    session for the verification."""
    rp_id, _ = webauthn_relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name="Loket",
        user_name=user.get_username(),
        user_id=f"loket-staff-{user.pk}".encode(),
        user_display_name=user.get_full_name() or user.get_username(),
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    _put_challenge(request, "register", options.challenge)
    return options_to_json(options)


def passkey_register(*, request: HttpRequest, user: Any, name: str, credential: str) -> Passkey:
    """Verify the authenticator's attestation and store the new credential."""
    challenge = _take_challenge(request, "register")
    rp_id, origin = webauthn_relying_party()
    try:
        parsed = parse_registration_credential_json(credential)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise PasskeyRefused(str(exc)) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    transports = [str(t.value) for t in (parsed.response.transports or [])]
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise PasskeyRefused("credential already registered")
        passkey = Passkey.objects.create(
            user=user,
            name=(name.strip() or "Passkey")[:100],
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
        )
        _audit_account(
            actor=user,
            user=user,
            action=StaffAuthAudit.FACTOR_ADDED,
            reason="passkey added",
            changes={"factor": Factor.PASSKEY, "passkey": passkey.pk, "name": passkey.name},
        )
    return passkey


def passkey_authentication_options(*, request: HttpRequest, user: Any) -> str:
    rp_id, _ = webauthn_relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _put_challenge(request, "authenticate", options.challenge)
    return options_to_json(options)


def _passkey_verify(*, request: HttpRequest, user: Any, credential: str) -> Passkey | None:
    challenge = _take_challenge(request, "authenticate")
    rp_id, origin = webauthn_relying_party()
    with transaction.atomic():
        try:
            parsed = parse_authentication_credential_json(credential)
        except (WebAuthnException, ValueError, KeyError, TypeError):
            return None
        passkey = (
            Passkey.objects.select_for_update()
            .filter(user=user, credential_id=bytes_to_base64url(parsed.raw_id))
            .first()
        )
        if passkey is None:
            return None
        try:
            verified = verify_authentication_response(
                credential=parsed,
                expected_challenge=challenge,
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError):
            return None
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


def passkey_authenticate(*, request: HttpRequest, user: Any, credential: str) -> None:
    """Step 2 with a passkey: verify the assertion (challenge, origin, relying party,
    signature, sign counter) and log in. Raises PasskeyRefused or LoginLocked."""
    passkey = None
    locked = False
    with transaction.atomic():
        refused = _user_name_lock(username=user.get_username())
        if not refused:
            passkey = _passkey_verify(request=request, user=user, credential=credential)
            if passkey is None:
                locked = _factor_failure_record(
                    request=request, user=user, stage="passkey", reason="second factor refused"
                )
    if refused:
        _refuse_locked(request=request, user=user, stage="passkey")
    if locked:
        _factor_locked(request=request)
    if passkey is None:
        raise PasskeyRefused("assertion refused")
    staff_login_complete(request=request, user=user, factor=Factor.PASSKEY)


# --- Single sign-on (the municipality's identity provider) ----------------------------


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip()[:254] if isinstance(value, str) else ""


def staff_sso_user(*, claims: dict[str, Any]) -> Any:
    """The existing staff member that the provider's checked claims name: by
    ``preferred_username`` or by ``email`` (LOKET_STAFF_OIDC_MATCH). Never creates one.
    Raises SsoRefused (identity, unknown or disabled)."""
    user_model = get_user_model()
    manager = user_model._default_manager
    if settings.LOKET_STAFF_OIDC_MATCH == "email":
        value = _claim(claims, "email")
        if not value:
            raise SsoRefused(SsoFailure.IDENTITY, "no email claim")
        matches = list(manager.filter(email__iexact=value, is_staff=True)[:2])
    else:
        value = _claim(claims, "preferred_username")
        if not value:
            raise SsoRefused(SsoFailure.IDENTITY, "no preferred_username claim")
        matches = list(
            manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": value, "is_staff": True})[:2]
        )
    if len(matches) != 1:
        # None, or two staff accounts that one login could be: refuse both.
        raise SsoRefused(SsoFailure.UNKNOWN, value if not matches else f"{value} (ambiguous)")
    user = matches[0]
    if not user.is_active:
        raise SsoRefused(SsoFailure.DISABLED, user.get_username())
    return user


def _provider_used_mfa(claims: dict[str, Any]) -> bool:
    """Whether the provider says the login used more than a password."""
    if not settings.LOKET_STAFF_OIDC_REQUIRE_MFA:
        return False
    amr = claims.get("amr")
    methods = {str(item) for item in amr} if isinstance(amr, list) else set()
    if methods & set(settings.LOKET_STAFF_OIDC_MFA_AMR):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in settings.LOKET_STAFF_OIDC_MFA_ACR


def staff_sso_failure_record(
    *, request: HttpRequest, failure: str, detail: str = "", user: Any | None = None
) -> None:
    """The audit line of a single sign-on that logged nobody in."""
    with transaction.atomic():
        _audit(
            action=StaffAuthAudit.LOGIN_FAILED,
            user=user,
            label=_user_label(user) if user is not None else "(single sign-on)",
            reason=f"single sign-on refused: {failure} {detail}".strip()[:500],
            stage="sso",
            ip_address=client_address(request=request),
        )


def staff_sso_login(*, request: HttpRequest, claims: dict[str, Any], next_url: str) -> bool:
    """Log in the staff member that the provider vouched for. Returns True when the
    login is complete (the provider used several factors); False when Loket's own
    second factor follows (the session then holds a pending login, as after the
    password). Raises SsoRefused for an unknown or blocked account."""
    try:
        user = staff_sso_user(claims=claims)
    except SsoRefused as refused:
        staff_sso_failure_record(request=request, failure=refused.failure, detail=refused.detail)
        raise
    mfa = _provider_used_mfa(claims)
    with transaction.atomic():
        _audit_account(
            actor=user,
            user=user,
            action=StaffAuthAudit.SSO_ACCEPTED,
            reason=(
                "single sign-on with a second factor at the provider"
                if mfa
                else "single sign-on, second factor in Loket next"
            ),
            changes={
                "stage": "sso",
                "ip": client_address(request=request),
                "amr": [str(item) for item in claims.get("amr") or []][:10]
                if isinstance(claims.get("amr"), list)
                else [],
            },
        )
    staff_login_begin(request=request, user=user, next_url=next_url)
    request.session[SESSION_SSO_LOGIN] = {"sid": _claim(claims, "sid"), "at": time.time()}
    if mfa:
        staff_login_complete(request=request, user=user, factor=Factor.SSO)
        return True
    return False


def staff_logout(*, request: HttpRequest) -> str | None:
    """End this staff session. Returns where to send the browser to end the session
    at the municipality's identity provider too (RP-initiated logout, with client_id
    and the provider's sid as logout_hint), or None when it was no single sign-on or
    the provider offers no end_session_endpoint."""
    sso = staff_sso_session(request=request)
    logout(request)
    if sso is None or settings.LOKET_STAFF_SSO != "oidc":
        return None
    try:
        return end_session_url(
            ProviderConfig.for_staff(),
            sid=str(sso.get("sid") or ""),
            post_logout_redirect_uri=request.build_absolute_uri(reverse("backoffice:login")),
            state=secrets.token_urlsafe(16),
        )
    except OidcError:
        return None


def staff_rate_limit_record(*, request: HttpRequest, scope: str) -> None:
    """The audit line when an address goes over a login rate limit (once per window)."""
    with transaction.atomic():
        _audit(
            action=StaffAuthAudit.RATE_LIMITED,
            user=None,
            label=f"login rate limit: {scope}",
            reason="too many requests from one address",
            stage=scope,
            ip_address=client_address(request=request),
        )


# --- Resident sessions, ended from the configuration ----------------------------------

ADMIN_END_REASON = "admin"  # fits LoginSession.end_reason


def resident_sessions_end(*, actor: Any, session_ids: list[int]) -> int:
    """End these open resident login sessions (a lost phone, a shared computer): the
    Django sessions are deleted from the session store, so the next request on that
    device is anonymous. One audit line per session, in the administrator's name."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    with transaction.atomic():
        rows = list(
            LoginSession.objects.select_for_update().filter(pk__in=session_ids, ended_at=None)
        )
        for row in rows:
            store(session_key=row.session_key).delete()
            ended += login_session_end(session_key=row.session_key, reason=ADMIN_END_REASON)
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=row,
                reason="session ended by an administrator",
            )
    return ended
