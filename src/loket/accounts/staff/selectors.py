"""Reads of the staff login: sessions, factors, locks."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pyotp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone

from loket.accounts.staff.constants import (
    AUTH_KIND_STAFF,
    PENDING_LIFETIME,
    SESSION_AUTH_KIND,
    SESSION_PENDING,
    SESSION_SSO_LOGIN,
    SESSION_STAFF_FACTOR,
    Factor,
)
from loket.accounts.staff.models import LoginThrottle, Passkey, RecoveryCode, TotpDevice
from loket.accounts.staff.types import FactorSummary, PasskeyInfo

__all__ = [
    "address_is_locked",
    "client_address",
    "login_is_locked",
    "staff_demo_code",
    "staff_factor_summary",
    "staff_password_login_enabled",
    "staff_pending_next",
    "staff_pending_user",
    "staff_session_factor",
    "staff_session_is_verified",
    "staff_sso_enabled",
    "staff_sso_session",
    "throttle_keys",
    "webauthn_relying_party",
]


def _is_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def staff_session_factor(*, request: HttpRequest) -> str | None:
    """The second factor this staff session passed, or None."""
    if request.session.get(SESSION_AUTH_KIND) != AUTH_KIND_STAFF:
        return None
    factor = request.session.get(SESSION_STAFF_FACTOR)
    return factor if isinstance(factor, str) else None


def staff_session_is_verified(*, request: HttpRequest) -> bool:
    """An active staff member who logged in at the staff login *and* passed a second
    factor (or, where LOKET_STAFF_2FA_REQUIRED is off, logged in without one). Sessions
    of the resident login (``loket_auth_kind == "resident"``) never qualify."""
    if not _is_staff(request.user):
        return False
    factor = staff_session_factor(request=request)
    if factor in (Factor.TOTP, Factor.PASSKEY, Factor.RECOVERY, Factor.SSO):
        return True
    return factor == Factor.NONE and not settings.LOKET_STAFF_2FA_REQUIRED


def staff_pending_user(*, request: HttpRequest) -> Any | None:
    """The staff member who passed the password step in this session and still has to
    pass the second factor, or None when there is none or it took too long."""
    pending = request.session.get(SESSION_PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("started", 0)) > PENDING_LIFETIME.total_seconds():
        return None
    user_id = pending.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    return user if _is_staff(user) else None


def staff_pending_next(*, request: HttpRequest) -> str:
    pending = request.session.get(SESSION_PENDING)
    return str(pending.get("next", "")) if isinstance(pending, dict) else ""


def staff_factor_summary(*, user: Any) -> FactorSummary:
    device = TotpDevice.objects.filter(user=user).first()
    passkeys = tuple(
        PasskeyInfo(id=p.pk, name=p.name, created_at=p.created_at, last_used_at=p.last_used_at)
        for p in Passkey.objects.filter(user=user).only("name", "created_at", "last_used_at")
    )
    left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    totp_used = device.last_used_at if device else None
    passkey_used = max((p.last_used_at for p in passkeys if p.last_used_at), default=None)
    if passkeys and (
        device is None or (passkey_used and (not totp_used or passkey_used > totp_used))
    ):
        last_used = Factor.PASSKEY
    else:
        last_used = Factor.TOTP
    return FactorSummary(
        totp_added_at=device.created_at if device else None,
        totp_last_used_at=totp_used,
        passkeys=passkeys,
        recovery_codes_left=left,
        last_used=str(last_used),
    )


def staff_demo_code(*, user: Any) -> str | None:
    """The current code of a demo user's seeded authenticator, shown only in the demo
    (LOKET_DEMO, which production refuses) so that the demo logins work without a phone."""
    if not settings.LOKET_DEMO:
        return None
    device = TotpDevice.objects.filter(user=user, is_demo=True).first()
    return pyotp.TOTP(device.secret).now() if device else None


def client_address(*, request: HttpRequest) -> str:
    """The visitor's IP address. Behind the trusted reverse proxy (LOKET_BEHIND_PROXY)
    it is the last address the proxy appended to X-Forwarded-For."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def throttle_keys(*, username: str, ip_address: str) -> tuple[str, str]:
    return f"user:{username.strip().casefold()[:150]}", f"ip:{ip_address}"


def login_is_locked(*, username: str) -> bool:
    """Whether this user name is locked out right now (too many failures for it)."""
    user_key, _ = throttle_keys(username=username, ip_address="")
    return LoginThrottle.objects.filter(key=user_key, locked_until__gt=timezone.now()).exists()


def address_is_locked(*, ip_address: str) -> bool:
    """Whether this address is locked for attempts that fail: it counts only failures
    for unknown user names (spraying, guessing names), and never stops a known user
    with the right password -- behind a proxy every client may share one address."""
    _, ip_key = throttle_keys(username="", ip_address=ip_address)
    return LoginThrottle.objects.filter(key=ip_key, locked_until__gt=timezone.now()).exists()


def webauthn_relying_party() -> tuple[str, str]:
    """(relying-party id, origin) from LOKET_BASE_URL."""
    parts = urlsplit(settings.LOKET_BASE_URL)
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def staff_sso_enabled() -> bool:
    """Whether staff may log in with their account of the municipality (LOKET_STAFF_SSO)."""
    return settings.LOKET_STAFF_SSO == "oidc"


def staff_password_login_enabled() -> bool:
    """Whether the password login of the back office is offered (and accepted)."""
    return bool(settings.LOKET_STAFF_PASSWORD_LOGIN) or not staff_sso_enabled()


def staff_sso_session(*, request: HttpRequest) -> dict[str, Any] | None:
    """What the single sign-on left in this session (the provider's sid), or None."""
    data = request.session.get(SESSION_SSO_LOGIN)
    return data if isinstance(data, dict) else None
