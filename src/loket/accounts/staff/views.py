"""The second login step, setting up factors and the "My security" page (thin views:
the rules are in services and selectors)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from loket.accounts.providers.oidc import (
    OidcError,
    ProviderConfig,
    authorization_request,
    complete_staff_login,
)
from loket.accounts.staff import selectors, services
from loket.accounts.staff.constants import (
    CODE_REFUSED_MESSAGE,
    LOCKED_MESSAGE,
    SESSION_NEW_RECOVERY_CODES,
    SESSION_SSO_LOGIN,
    SESSION_SSO_PENDING,
    SSO_MAX_PENDING,
    SSO_PENDING_LIFETIME,
    Factor,
    SsoFailure,
)
from loket.accounts.staff.forms import CodeForm, PasskeyNameForm
from loket.core.selectors import organisation_primary

LOGIN = "backoffice:login"
HOME = "backoffice:home"


def _verified_staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.staff_session_is_verified(request=request):
            return redirect_to_login(request.get_full_path(), LOGIN)
        return view(request, *args, **kwargs)

    return wrapper


def _after_login(request: HttpRequest, next_url: str) -> HttpResponse:
    if request.session.get(SESSION_NEW_RECOVERY_CODES):
        return redirect("staff_login:recovery_codes")
    # A path on this site only: redirect() would take any other word for a view name.
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(HOME)


def _start_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Log in again with your user name and password."))
    return redirect(LOGIN)


# --- Second step ---------------------------------------------------------------------


def verify(request: HttpRequest) -> HttpResponse:
    """Step 2: a code from the app, a passkey, or a recovery code."""
    user = selectors.staff_pending_user(request=request)
    if user is None:
        return _start_again(request)
    summary = selectors.staff_factor_summary(user=user)
    if not summary.has_any:
        return redirect("staff_login:enrol")
    method = request.GET.get("method") or summary.last_used
    if method == Factor.TOTP and not summary.has_totp:
        method = Factor.PASSKEY
    if method == Factor.PASSKEY and not summary.passkeys:
        method = Factor.TOTP
    if method not in (Factor.TOTP, Factor.PASSKEY, Factor.RECOVERY):
        method = summary.last_used
    recovery = method == Factor.RECOVERY
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        label=_("Recovery code") if recovery else "",
        recovery=recovery,
    )
    if request.method == "POST" and form.is_valid():
        next_url = selectors.staff_pending_next(request=request)
        login = services.staff_recovery_code_login if recovery else services.staff_totp_login
        try:
            login(request=request, user=user, code=form.cleaned_data["code"])
        except services.LoginLocked:
            messages.error(request, LOCKED_MESSAGE)
            return redirect(LOGIN)
        except services.CodeRefused:
            form.add_error("code", CODE_REFUSED_MESSAGE)
        else:
            return _after_login(request, next_url)
    return render(
        request,
        "accounts/staff/verify.html",
        {
            "form": form,
            "method": method,
            "summary": summary,
            "pending_user": user,
            "after_sso": selectors.staff_sso_session(request=request) is not None,
            "demo_code": selectors.staff_demo_code(user=user) if not recovery else None,
        },
    )


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


@require_POST
def passkey_login_options(request: HttpRequest) -> HttpResponse:
    user = selectors.staff_pending_user(request=request)
    if user is None:
        return JsonResponse({"redirect": reverse(LOGIN)}, status=403)
    options = services.passkey_authentication_options(request=request, user=user)
    return HttpResponse(options, content_type="application/json")


@require_POST
def passkey_login(request: HttpRequest) -> HttpResponse:
    user = selectors.staff_pending_user(request=request)
    if user is None:
        return JsonResponse({"redirect": reverse(LOGIN)}, status=403)
    next_url = selectors.staff_pending_next(request=request)
    credential = json.dumps(_json_body(request).get("credential", {}))
    try:
        services.passkey_authenticate(request=request, user=user, credential=credential)
    except services.LoginLocked:
        messages.error(request, LOCKED_MESSAGE)
        return JsonResponse({"redirect": reverse(LOGIN)}, status=403)
    except services.PasskeyRefused:
        return JsonResponse(
            {"error": _("The passkey was not accepted. Try again or use a code from your app.")},
            status=400,
        )
    return JsonResponse({"redirect": _after_login(request, next_url)["Location"]})


# --- Setting up the app ---------------------------------------------------------------


def _qr_svg(uri: str) -> str:
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, border=4, omitsize=True)
    label = _("QR code to scan with your authenticator app")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="qr" ', 1)


def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: right after the password for staff without any
    factor, or from "My security" in a verified session."""
    verified = selectors.staff_session_is_verified(request=request)
    user: Any = request.user if verified else selectors.staff_pending_user(request=request)
    if user is None:
        return _start_again(request)
    summary = selectors.staff_factor_summary(user=user)
    if not verified and summary.has_any:
        return redirect("staff_login:verify")  # a factor exists: pass it first
    if verified and summary.has_totp:
        messages.info(request, _("You already use an authenticator app. Remove it first."))
        return redirect("staff_login:security")
    secret = services.staff_totp_setup_secret(request=request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        next_url = selectors.staff_pending_next(request=request)
        try:
            services.staff_totp_confirm(request=request, user=user, code=form.cleaned_data["code"])
        except services.CodeRefused:
            form.add_error("code", CODE_REFUSED_MESSAGE)
        else:
            if not verified:
                services.staff_login_complete(request=request, user=user, factor=Factor.TOTP)
                return _after_login(request, next_url)
            messages.success(request, _("Your authenticator app is ready."))
            if request.session.get(SESSION_NEW_RECOVERY_CODES):
                return redirect("staff_login:recovery_codes")
            return redirect("staff_login:security")
    organisation = organisation_primary()
    issuer = organisation.name if organisation else "Loket"
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=issuer)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "accounts/staff/enrol.html",
        {"form": form, "qr_svg": _qr_svg(uri), "secret": grouped, "verified": verified},
    )


# --- My security ---------------------------------------------------------------------


@_verified_staff_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once: they are taken out of the session here."""
    codes = request.session.pop(SESSION_NEW_RECOVERY_CODES, None)
    if not codes:
        return redirect("staff_login:security")
    return render(request, "accounts/staff/recovery_codes.html", {"codes": codes})


@_verified_staff_required
def security(request: HttpRequest) -> HttpResponse:
    summary = selectors.staff_factor_summary(user=request.user)
    return render(
        request,
        "accounts/staff/security.html",
        {
            "summary": summary,
            "factor": selectors.staff_session_factor(request=request),
            "code_form": CodeForm(label=_("Current code from your app or a recovery code")),
            "name_form": PasskeyNameForm(),
        },
    )


@_verified_staff_required
@require_POST
def factor_remove(request: HttpRequest) -> HttpResponse:
    factor = request.POST.get("factor", "")
    passkey_id = request.POST.get("passkey", "")
    if not passkey_id.isascii():
        passkey_id = ""  # int() takes other digits, or fails on some that isdigit() accepts
    if factor not in (Factor.TOTP, Factor.PASSKEY) or (
        factor == Factor.PASSKEY and not passkey_id.isdigit()
    ):
        return redirect("staff_login:security")
    try:
        services.staff_factor_remove(
            request=request,
            user=request.user,
            factor=factor,
            passkey_id=int(passkey_id) if passkey_id.isdigit() else None,
            code=request.POST.get("code", ""),
        )
    except services.LastFactor:
        messages.error(
            request,
            _("This is your only second factor. Add another one before you remove this one."),
        )
    except services.LoginLocked:
        messages.error(request, LOCKED_MESSAGE)
    except services.CodeRefused:
        messages.error(request, CODE_REFUSED_MESSAGE)
    else:
        messages.success(request, _("The second factor was removed."))
    return redirect("staff_login:security")


@_verified_staff_required
@require_POST
def recovery_renew(request: HttpRequest) -> HttpResponse:
    try:
        services.staff_recovery_codes_renew(
            request=request, user=request.user, code=request.POST.get("code", "")
        )
    except services.LoginLocked:
        messages.error(request, LOCKED_MESSAGE)
    except services.CodeRefused:
        messages.error(request, CODE_REFUSED_MESSAGE)
    else:
        return redirect("staff_login:recovery_codes")
    return redirect("staff_login:security")


@_verified_staff_required
@require_POST
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    options = services.passkey_registration_options(request=request, user=request.user)
    return HttpResponse(options, content_type="application/json")


@_verified_staff_required
@require_POST
def passkey_register_view(request: HttpRequest) -> HttpResponse:
    body = _json_body(request)
    form = PasskeyNameForm({"name": body.get("name", "")})
    if not form.is_valid():
        return JsonResponse({"error": _("Give the passkey a name.")}, status=400)
    try:
        services.passkey_register(
            request=request,
            user=request.user,
            name=form.cleaned_data["name"],
            credential=json.dumps(body.get("credential", {})),
        )
    except services.PasskeyRefused:
        return JsonResponse({"error": _("The passkey could not be added. Try again.")}, status=400)
    messages.success(request, _("The passkey was added."))
    return JsonResponse({"redirect": reverse("staff_login:security")})


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The configuration (Django admin) has no login of its own: staff log in at the
    back office, with their second factor."""
    return redirect_to_login(request.GET.get("next", reverse("admin:index")), LOGIN)


# --- Single sign-on with the municipality's identity provider --------------------------


def _sso_failed(
    request: HttpRequest, failure: str, detail: str = "", *, recorded: bool = False
) -> HttpResponse:
    """A clear message, an audit line, and no session."""
    try:
        message = SsoFailure(failure).label
    except ValueError:
        failure, message = SsoFailure.TOKEN.value, SsoFailure.TOKEN.label
    if not recorded:
        services.staff_sso_failure_record(request=request, failure=failure, detail=detail[:200])
    if not selectors.staff_session_is_verified(request=request):
        request.session.flush()
        request.user = AnonymousUser()
    cancelled = failure == SsoFailure.CANCELLED
    refused = failure in (SsoFailure.UNKNOWN, SsoFailure.DISABLED)
    status = 200 if cancelled else 403 if refused else 400
    return render(
        request,
        "accounts/staff/sso_failed.html",
        {"message": message, "failure": failure, "cancelled": cancelled},
        status=status,
    )


@require_POST
@never_cache
def sso_start(request: HttpRequest) -> HttpResponse:
    """ "Log in with your account of the municipality": off to the identity provider."""
    if not selectors.staff_sso_enabled():
        return _sso_failed(request, SsoFailure.OFF)
    redirect_uri = request.build_absolute_uri(reverse("staff_login:sso_callback"))
    try:
        auth = authorization_request(
            ProviderConfig.for_staff(),
            redirect_uri=redirect_uri,
            acr_values=" ".join(settings.LOKET_STAFF_OIDC_MFA_ACR),
        )
    except OidcError as error:
        return _sso_failed(request, error.code, error.detail)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    pending = dict(request.session.get(SESSION_SSO_PENDING, {}))
    pending[auth.state] = {
        "nonce": auth.nonce,
        "verifier": auth.code_verifier,
        "next": next_url,
        "redirect_uri": redirect_uri,
        "at": time.time(),
    }
    newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-SSO_MAX_PENDING:]
    request.session[SESSION_SSO_PENDING] = dict(newest)
    return redirect(auth.url)


@require_GET
@never_cache
def sso_callback(request: HttpRequest) -> HttpResponse:
    """The identity provider sends the browser back here with a code (or an error)."""
    if not selectors.staff_sso_enabled():
        return _sso_failed(request, SsoFailure.OFF)
    pending_all: dict[str, Any] = request.session.pop(SESSION_SSO_PENDING, {})
    state = request.GET.get("state", "")
    pending = pending_all.get(state) if state else None
    refused = request.GET.get("error", "")
    if refused:
        failure = SsoFailure.CANCELLED if refused == "access_denied" else SsoFailure.PROVIDER_ERROR
        return _sso_failed(request, failure, refused[:50])
    if not isinstance(pending, dict) or time.time() - float(pending["at"]) > SSO_PENDING_LIFETIME:
        return _sso_failed(request, SsoFailure.STATE)
    code = request.GET.get("code", "")
    if not code:
        return _sso_failed(request, SsoFailure.CODE, "no code")
    try:
        claims = complete_staff_login(
            ProviderConfig.for_staff(),
            code=code,
            redirect_uri=pending["redirect_uri"],
            code_verifier=pending["verifier"],
            nonce=pending["nonce"],
        )
    except OidcError as error:
        return _sso_failed(request, error.code, error.detail)
    try:
        complete = services.staff_sso_login(
            request=request, claims=claims, next_url=str(pending["next"])
        )
    except services.SsoRefused as refused_login:
        return _sso_failed(request, refused_login.failure, recorded=True)
    if complete:
        return _after_login(request, str(pending["next"]))
    user = selectors.staff_pending_user(request=request)
    if user is not None and selectors.staff_factor_summary(user=user).has_any:
        return redirect("staff_login:verify")
    if settings.LOKET_STAFF_2FA_REQUIRED or user is None:
        return redirect("staff_login:enrol")
    next_url = selectors.staff_pending_next(request=request)
    sso = request.session.get(SESSION_SSO_LOGIN)
    services.staff_login_without_factor(request=request, user=user)
    request.session[SESSION_SSO_LOGIN] = sso
    return _after_login(request, next_url)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out of the back office; after single sign-on, at the identity provider too."""
    was_logged_in = request.user.is_authenticated
    provider_url = services.staff_logout(request=request)
    if was_logged_in:
        messages.success(request, _("You have logged out. See you soon."))
    return redirect(provider_url or LOGIN)
