from __future__ import annotations

import errno
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from loket.core.constants import CONTENT_SECURITY_POLICY

logger = logging.getLogger(__name__)

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"


class SecurityHeadersMiddleware:
    """Headers that Django's SecurityMiddleware does not set itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` before host validation and the HTTPS redirect.

    Load balancers probe each machine over plain HTTP by its address, which is neither
    in ALLOWED_HOSTS nor HTTPS. The answer holds no data worth a host check. Must be the
    first middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            from loket.core.views import healthz

            return healthz(request)
        return self.get_response(request)


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the visitor chose another language with the language switcher.

    A Flemish municipality addresses residents in Dutch (the language laws); French,
    English and German are a courtesy the visitor asks for explicitly. So the browser's
    Accept-Language header is not consulted, only the language cookie.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else ""
        except LookupError:
            language = ""
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


# --- The database is unreachable ------------------------------------------------------

# Seconds a visitor (or an API client) is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30
# A POST's fields are put back in the "try again" form only up to these sizes.
KEEP_FIELDS_MAX = 200
KEEP_BYTES_MAX = 200_000
# Never written back into a page, even to the person who typed it: passwords, second
# factor and recovery codes, national numbers, PINs, tokens, account and card numbers.
_SECRET_FIELD_PARTS = (
    "password",
    "wachtwoord",
    "secret",
    "otp",
    "totp",
    "code",
    "national_number",
    "nationalnumber",
    "rijksregister",
    "insz",
    "pin",
    "token",
    "credential",
    "iban",
    "card",
)
# Harmless names that contain one of those parts; the CSRF token must be sent again
# for the form to work at all.
_KEPT_FIELD_NAMES = frozenset({"csrfmiddlewaretoken", "postcode", "postal_code"})
# Login and identity-check pages: nothing typed there is written back at all.
_NO_FIELDS_PATHS = (
    "/backoffice/aanmelden/",  # staff login, second step, enrolment, passkeys, SSO
    "/aanmelden/",  # resident login
    "/backoffice/balie/",  # the counter: finding the resident and checking their identity
)


def _is_secret_field(name: str) -> bool:
    if name in _KEPT_FIELD_NAMES:
        return False
    lowered = name.lower()
    return any(part in lowered for part in _SECRET_FIELD_PARTS)


# Headers the other middleware set on the failed response and the answer keeps.
_KEPT_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Strict-Transport-Security",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)
_MARK = "_loket_unavailable"
DATABASE, STORAGE = "database", "storage"
_STORAGE_FULL = (errno.ENOSPC, errno.EDQUOT)


def unavailable_part(error: BaseException | None) -> str:
    """``DATABASE`` when ``error`` (or what caused it) says the database cannot be
    reached (a lost connection, a server restarting, a locked or missing SQLite file),
    ``STORAGE`` when the disk or quota for files is full, else ``""``."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OperationalError | InterfaceError):
            return DATABASE
        if isinstance(error, OSError) and error.errno in _STORAGE_FULL:
            return STORAGE
        error = error.__cause__ or error.__context__
        seen += 1
    return ""


def database_unavailable(error: BaseException | None) -> bool:
    return unavailable_part(error) == DATABASE


def _remember_database_error(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Django turns an exception anywhere in the middleware chain or the view into a
    500 response at the layer where it happened, and sends this signal from inside its
    ``except`` block. Mark the request, so DatabaseUnavailableMiddleware can answer 503
    instead of 500 whatever layer failed (a session read, the view, a session save)."""
    part = unavailable_part(sys.exc_info()[1]) if request is not None else ""
    if part:
        setattr(request, _MARK, part)


got_request_exception.connect(
    _remember_database_error, weak=False, dispatch_uid="loket.database_unavailable"
)


def _kept_fields(request: HttpRequest) -> tuple[list[tuple[str, str]], bool]:
    """The submitted form fields to post again, and whether files had to be dropped."""
    if request.method != "POST":
        return [], False
    if request.path_info.startswith(_NO_FIELDS_PATHS):
        return [], False
    try:
        pairs = [(name, value) for name, values in request.POST.lists() for value in values]
        had_files = bool(request.FILES)
    except Exception:  # an unreadable body: nothing to keep
        return [], False
    kept = [(name, value) for name, value in pairs if not _is_secret_field(name)]
    if len(kept) > KEEP_FIELDS_MAX or sum(len(n) + len(v) for n, v in kept) > KEEP_BYTES_MAX:
        return [], had_files
    return kept, had_files


def database_unavailable_response(request: HttpRequest, part: str = DATABASE) -> HttpResponse:
    """503 with Retry-After: a clear "try again in a moment" page, or a problem+json
    answer for the API. A POST's fields come back in a form that sends them again, so
    nothing typed is lost. Renders without the database (no context processors)."""
    language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        if request.path_info.startswith("/api/"):
            body = {
                "type": "about:blank",
                "title": "Service Unavailable",
                "status": 503,
                "detail": _("The service is briefly unavailable. Please try again in a moment."),
                "code": f"{part}_unavailable",
            }
            response = HttpResponse(
                json.dumps(body), status=503, content_type="application/problem+json"
            )
        else:
            fields, dropped_files = _kept_fields(request)
            html = loader.render_to_string(
                "503.html",
                {
                    "fields": fields,
                    "dropped_files": dropped_files,
                    "action": request.get_full_path(),
                    "is_post": request.method == "POST",
                    "storage_full": part == STORAGE,
                    "retry_after": RETRY_AFTER_SECONDS,
                    "language_code": translation.get_language(),
                },
            )
            response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached (restart, failover, network, a locked
    SQLite file) the visitor gets a 503 "try again in a moment" page with Retry-After
    instead of a 500, and what they submitted is offered to be sent again. The
    transaction of the failed request was rolled back, so nothing is half-written.
    The same when the storage for files is full (ENOSPC, EDQUOT) during an upload.

    Put it right after HealthCheckMiddleware: outside the session middleware, whose
    save can be what fails."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        part = getattr(request, _MARK, "")
        if not part or response.status_code != 500:
            return response
        logger.warning(
            "%s unavailable during %s %s: answered 503",
            part,
            request.method,
            request.path_info[:200],
        )
        answer = database_unavailable_response(request, part)
        for header in _KEPT_HEADERS:
            if header in response.headers:
                answer.headers[header] = response.headers[header]
        # When a middleware inside failed, the ones that set these never saw the answer.
        answer.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        answer.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        answer.headers.setdefault("X-Frame-Options", "DENY")
        answer.headers.setdefault("X-Content-Type-Options", "nosniff")
        return answer
