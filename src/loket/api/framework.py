"""The REST framework parts every endpoint shares: bearer-token authentication, the
per-client rate limit, cursor pagination, a size-capped JSON parser, refusal of
unknown query parameters, the call log, and RFC 9457 problem details for every error."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from loket.api import selectors
from loket.api.permissions import client_identity
from loket.api.types import ClientIdentity
from loket.core.services import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"


# --- Authentication ----------------------------------------------------------------


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a token from ``/api/oauth/token``.

    ``request.user`` stays anonymous: a client is not a person. ``request.auth`` is the
    ``ClientIdentity``."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, ClientIdentity] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed access token.") from None
        identity = selectors.token_identity(token=token[:200])
        if identity is None:
            raise exceptions.AuthenticationFailed("The access token is invalid or expired.")
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), identity

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="loket"'


# --- Rate limit --------------------------------------------------------------------


class ClientRateThrottle(SimpleRateThrottle):
    """Each client's own ``rate_limit_per_minute``; callers without a token share a
    per-address limit (``LOKET_API_ANONYMOUS_RATE_PER_MINUTE``)."""

    scope = "api"

    def get_rate(self) -> str:
        return f"{settings.LOKET_API_ANONYMOUS_RATE_PER_MINUTE}/min"

    def allow_request(self, request: Any, view: Any) -> bool:
        identity = client_identity(request)
        if identity is not None:
            self.num_requests, self.duration = identity.rate_limit_per_minute, 60
        else:
            self.num_requests, self.duration = self.parse_rate(self.get_rate())
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str:
        identity = client_identity(request)
        if identity is not None:
            return f"loket-api-rate:client:{identity.client_id}"
        return f"loket-api-rate:ip:{self.get_ident(request)}"


# --- Pagination --------------------------------------------------------------------


class LoketCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "id"

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)


# --- Parsing -----------------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class CappedJSONParser(JSONParser):
    """JSON bodies up to ``LOKET_API_MAX_BODY_BYTES``; anything bigger is a 413."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        cap = settings.LOKET_API_MAX_BODY_BYTES
        raw = stream.read(cap + 1) if stream is not None else b""
        if len(raw) > cap:
            raise PayloadTooLarge
        try:
            return json.loads(raw.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError) as error:
            raise exceptions.ParseError(f"Malformed JSON: {error}") from None


def check_body_size(request: Any) -> None:
    cap = settings.LOKET_API_MAX_BODY_BYTES
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit():
        raise exceptions.ParseError("Malformed Content-Length.")
    if int(length) > cap:
        raise PayloadTooLarge


# --- Errors as problem details (RFC 9457) ------------------------------------------


def problem_response(
    *,
    status_code: int,
    title: str,
    detail: str = "",
    code: str = "",
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://loket.invalid/problems/{code or status_code}",
        "title": title,
        "status": status_code,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """Every error of every endpoint as ``application/problem+json``."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DomainError):
        exc = exceptions.ValidationError({"non_field_errors": [str(exc)]})
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handling logs it
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        request = context.get("request")
        view = context.get("view")
        if request is not None and view is not None:
            header = view.get_authenticate_header(request)
            if header:
                headers["WWW-Authenticate"] = header
    status_code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        errors = (
            _flatten(detail) if isinstance(detail, dict) else {"non_field_errors": _flatten(detail)}
        )
        return problem_response(
            status_code=status_code,
            title="Your request has invalid input.",
            code="invalid",
            errors=errors,
            headers=headers,
        )
    detail_text = exc.detail if isinstance(exc.detail, str) else json.dumps(_flatten(exc.detail))
    return problem_response(
        status_code=status_code,
        title=HTTPStatus(status_code).phrase,
        detail=str(detail_text),
        code=exc.default_code if isinstance(exc.default_code, str) else "",
        headers=headers,
    )
