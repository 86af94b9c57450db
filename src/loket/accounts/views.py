"""Resident login over OpenID Connect (eID, itsme), "Mijn gegevens" and the access log.

The views are thin: the protocol is in ``providers/oidc.py``, the writes in
``services.py``, the rules in ``permissions.py``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.accounts.constants import (
    LEVEL_EID,
    LEVEL_ITSME,
    LEVEL_MY_DATA,
    METHOD_LEVELS,
    SESSION_LOGIN,
    SESSION_PENDING,
    LoginFailure,
    LoginMethod,
    SessionEnd,
)
from loket.accounts.permissions import assurance_required, resident_login_of
from loket.accounts.providers.oidc import (
    OidcError,
    ProviderConfig,
    authorization_request,
    complete_login,
    end_session_url,
)
from loket.accounts.selectors import access_log_page, my_details_get, resident_account_get
from loket.accounts.services import (
    login_failure_record,
    login_session_end,
    login_session_start,
    login_sessions_end_all,
    resident_login,
)
from loket.people.constants import HouseholdRelation, Language

MAX_PENDING = 5  # logins started in several tabs at once
PENDING_LIFETIME = 600  # seconds between starting a login and coming back
MODEL_BACKEND = settings.AUTHENTICATION_BACKENDS[0]


def _safe_next(request: HttpRequest, value: str | None) -> str:
    # A path on this site only: redirect() would take any other word for a view name.
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return ""


@require_GET
@never_cache
def login_page(request: HttpRequest) -> HttpResponse:
    """ "Aanmelden met eID of itsme": the choice of method, nothing else to fill in."""
    return render(
        request,
        "accounts/login.html",
        {
            "enabled": settings.LOKET_OIDC_ENABLED,
            "next": _safe_next(request, request.GET.get("next")),
            "methods": LoginMethod,
            "logged_in": resident_login_of(request) is not None,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def login_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider. POST from the login page (method
    eID or itsme); GET from a step-up (``?level=500&next=...``)."""
    if not settings.LOKET_OIDC_ENABLED:
        return _failed(request, LoginFailure.DISABLED)
    data = request.POST if request.method == "POST" else request.GET
    method = data.get("method", "")
    if method in METHOD_LEVELS:
        level = METHOD_LEVELS[LoginMethod(method)]
    else:
        level = LEVEL_EID if data.get("level", "") == str(LEVEL_EID) else LEVEL_ITSME
    redirect_uri = request.build_absolute_uri(reverse("accounts:callback"))
    try:
        auth = authorization_request(
            ProviderConfig.from_settings(), redirect_uri=redirect_uri, level=level
        )
    except OidcError as error:
        return _failed(request, error.code, error.detail)
    pending = dict(request.session.get(SESSION_PENDING, {}))
    pending[auth.state] = {
        "nonce": auth.nonce,
        "verifier": auth.code_verifier,
        "level": level,
        "next": _safe_next(request, data.get("next")),
        "redirect_uri": redirect_uri,
        "at": time.time(),
    }
    newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-MAX_PENDING:]
    request.session[SESSION_PENDING] = dict(newest)
    return redirect(auth.url)


@require_GET
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    """The identity provider sends the browser back here with a code (or an error)."""
    pending_all: dict[str, Any] = request.session.pop(SESSION_PENDING, {})
    state = request.GET.get("state", "")
    pending = pending_all.get(state) if state else None
    refused = request.GET.get("error", "")
    if refused:
        failure = (
            LoginFailure.CANCELLED if refused == "access_denied" else LoginFailure.PROVIDER_ERROR
        )
        return _failed(request, failure, refused[:50])
    if pending is None or time.time() - float(pending["at"]) > PENDING_LIFETIME:
        return _failed(request, LoginFailure.STATE)
    code = request.GET.get("code", "")
    if not code:
        return _failed(request, LoginFailure.CODE, "no code")
    try:
        verified = complete_login(
            ProviderConfig.from_settings(),
            code=code,
            redirect_uri=pending["redirect_uri"],
            code_verifier=pending["verifier"],
            nonce=pending["nonce"],
            min_level=int(pending["level"]),
        )
    except OidcError as error:
        return _failed(request, error.code, error.detail)

    result = resident_login(login=verified)
    user = get_user_model().objects.get(pk=result.user_id)
    replaces = request.session.session_key if resident_login_of(request) else ""
    login(request, user, backend=MODEL_BACKEND)
    if replaces and request.session.session_key == replaces:
        request.session.cycle_key()  # Django keeps the key for the same user; a new one
    now = time.time()
    request.session[SESSION_LOGIN] = {
        "dialect": verified.dialect,
        "acr": verified.acr,
        "level": verified.level,
        "auth_time": verified.auth_time.timestamp() if verified.auth_time else None,
        "sid": verified.sid,
        "started_at": now,
        "last_seen": now,
    }
    # The raw ID token (it may carry the national number) is never kept: logout at the
    # provider needs only our client_id and the provider's sid above.
    request.session.save()
    login_session_start(
        user_id=user.pk,
        session_key=request.session.session_key or "",
        login=verified,
        replaces=replaces or "",
    )
    if result.first_login:
        messages.success(
            request,
            _("Welcome! This is what the municipality already knows about you.")
            if not result.limited
            else _("Welcome! Your account is ready."),
        )
    return redirect(pending["next"] or "accounts:my_details")


def _failed(request: HttpRequest, failure: str, detail: str = "") -> HttpResponse:
    """A clear message, an audit line, and no session."""
    try:
        message = LoginFailure(failure).label
    except ValueError:
        failure, message = LoginFailure.TOKEN.value, LoginFailure.TOKEN.label
    login_failure_record(failure=failure, detail=detail)
    if not request.user.is_authenticated:
        request.session.flush()
    status = 200 if failure == LoginFailure.CANCELLED else 400
    return render(
        request,
        "accounts/login_failed.html",
        {"message": message, "failure": failure, "cancelled": failure == LoginFailure.CANCELLED},
        status=status,
    )


def _leave(request: HttpRequest) -> HttpResponse:
    """Log out here, then at the identity provider (RP-initiated logout with client_id
    and the provider's sid as logout_hint: no ID token travels through the browser)."""
    login_data = resident_login_of(request)
    logout(request)  # flushes the session
    if login_data is not None:
        url = end_session_url(
            ProviderConfig.from_settings(),
            sid=str(login_data.get("sid") or ""),
            post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:logged_out")),
            state=secrets.token_urlsafe(16),
        )
        if url:
            return redirect(url)
    return redirect("accounts:logged_out")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    login_session_end(session_key=request.session.session_key or "", reason=SessionEnd.LOGOUT)
    return _leave(request)


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """ "Afmelden op alle toestellen": every session of this resident ends."""
    if resident_login_of(request) is None:
        return redirect("accounts:login")
    login_sessions_end_all(user=request.user)  # type: ignore[arg-type]
    return _leave(request)


@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/logged_out.html")


@require_GET
@never_cache
@assurance_required(LEVEL_MY_DATA)
def my_details(request: HttpRequest) -> HttpResponse:
    """ "Mijn gegevens": what the municipality already knows; nothing to fill in."""
    login_data = resident_login_of(request) or {}
    details = my_details_get(user=request.user)  # type: ignore[arg-type]
    relations = dict(HouseholdRelation.choices)
    languages = dict(Language.choices)
    return render(
        request,
        "accounts/my_details.html",
        {
            "details": details,
            "level": login_data.get("level"),
            "language_label": languages.get(details.person.language, "") if details.person else "",
            "household": [
                {
                    "name": member.full_name,
                    "relation": relations.get(member.household_relation, ""),
                    "year": member.birth_date.year,
                }
                for member in details.household
            ],
        },
    )


@require_GET
@never_cache
@assurance_required(LEVEL_MY_DATA)
def access_log(request: HttpRequest) -> HttpResponse:
    """ "Wie bekeek mijn gegevens?": every audit line about this resident."""
    account = resident_account_get(user=request.user)  # type: ignore[arg-type]
    page = None
    if account is not None and account.person_id is not None:
        try:
            page = access_log_page(
                user=request.user,  # type: ignore[arg-type]
                person_id=account.person_id,
                after=request.GET.get("na") or None,
            )
        except ValueError:
            return redirect("accounts:access_log")
    return render(request, "accounts/access_log.html", {"page": page})
