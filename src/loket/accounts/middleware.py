"""Resident sessions: idle and absolute timeouts, and no way into the staff areas."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from loket.accounts.constants import SESSION_ACTING, SESSION_LOGIN, SessionEnd
from loket.accounts.permissions import may_enter_staff_area, resident_login_of
from loket.accounts.selectors import resident_account_of_request
from loket.accounts.services import acting_party_revalidate, login_session_end

# The last-seen time is written at most this often (seconds), not on every request.
TOUCH_EVERY = 60
STAFF_PREFIXES = ("/backoffice/", "/admin/")


class ResidentSessionMiddleware:
    """Ends a resident's session after ``LOKET_SESSION_IDLE_MINUTES`` without a request
    or ``LOKET_SESSION_ABSOLUTE_HOURS`` after logging in; refuses resident-login
    sessions in the back office and the configuration (403). Sets
    ``request.resident_login`` for the templates. Staff sessions are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        login = resident_login_of(request)
        request.resident_login = login is not None  # type: ignore[attr-defined]
        if login is not None:
            now = time.time()
            started = float(login.get("started_at", 0))
            last_seen = float(login.get("last_seen", 0))
            reason = ""
            if now - started > settings.LOKET_SESSION_ABSOLUTE_HOURS * 3600:
                reason = SessionEnd.ABSOLUTE
            elif now - last_seen > settings.LOKET_SESSION_IDLE_MINUTES * 60:
                reason = SessionEnd.IDLE
            if reason:
                login_session_end(session_key=request.session.session_key or "", reason=reason)
                logout(request)  # flushes the session, ID token included
                request.resident_login = False  # type: ignore[attr-defined]
                messages.info(
                    request,
                    _("You were logged out because you were inactive for too long.")
                    if reason == SessionEnd.IDLE
                    else _("You were logged out because you were logged in for too long."),
                )
                return redirect("accounts:login")
            if now - last_seen > TOUCH_EVERY:
                request.session[SESSION_LOGIN] = {**login, "last_seen": now}
            if request.path_info.startswith(STAFF_PREFIXES) and not may_enter_staff_area(request):
                return render(request, "accounts/staff_area_refused.html", status=403)
            if request.session.get(SESSION_ACTING):
                _recheck_acting(request)
        return _allow_forms_to_reach_the_provider(self.get_response(request))


def _recheck_acting(request: HttpRequest) -> None:
    """Acting on someone's behalf is checked again on every request: a mandate revoked
    or expired meanwhile sends the resident back to acting for themselves."""
    account = resident_account_of_request(request)
    if account is None or account.person_id is None:
        request.session.pop(SESSION_ACTING, None)
        return
    party = acting_party_revalidate(
        user=request.user,  # type: ignore[arg-type]
        person_id=account.person_id,
        session=request.session,
    )
    if party is None:
        messages.warning(
            request,
            _(
                "The mandate under which you acted for someone else was revoked or has "
                "expired. You now act for yourself again."
            ),
        )
    else:
        request._loket_acting_party = party  # type: ignore[attr-defined]


def _allow_forms_to_reach_the_provider(response: HttpResponse) -> HttpResponse:
    """Browsers apply CSP ``form-action`` to the redirects after a form post too: the
    login and logout forms end at the identity provider, so its origin is allowed."""
    policy = response.headers.get("Content-Security-Policy", "")
    if settings.LOKET_OIDC_ENABLED and "form-action 'self'" in policy:
        parts = urlsplit(settings.LOKET_OIDC_ISSUER)
        if parts.scheme and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            response.headers["Content-Security-Policy"] = policy.replace(
                "form-action 'self'", f"form-action 'self' {origin}", 1
            )
    return response
