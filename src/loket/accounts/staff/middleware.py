"""The login rate limit in front of the login views of residents and staff, and the
staff identity provider's origin in the CSP ``form-action`` of the back office."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from loket.accounts.staff import ratelimit
from loket.accounts.staff.constants import RATE_LIMITED_MESSAGE
from loket.accounts.staff.selectors import client_address
from loket.accounts.staff.services import staff_rate_limit_record


class StaffLoginMiddleware:
    """Refuses a login step with 429 when one address asks it too often (see
    ``ratelimit.py``) and writes one audit line when an address first goes over.

    With staff single sign-on, the back office's login and logout forms end at the
    staff identity provider (browsers apply CSP ``form-action`` to the redirects after a
    form post too), so its origin is allowed there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.LOKET_STAFF_SSO == "oidc" and request.path_info.startswith("/backoffice/"):
            _allow_forms_to_reach(response, settings.LOKET_STAFF_OIDC_ISSUER)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        allowed = ratelimit.limit()
        match = request.resolver_match
        if allowed <= 0 or match is None:
            return None
        scope = ratelimit.scope_for(match.view_name, request.method or "GET")
        if scope is None:
            return None
        count, retry_after = ratelimit.hit(scope=scope, address=client_address(request=request))
        if count <= allowed:
            return None
        if count == allowed + 1:
            staff_rate_limit_record(request=request, scope=scope)
        if request.content_type == "application/json" or "json" in request.headers.get(
            "Accept", ""
        ):
            response: HttpResponse = JsonResponse({"error": str(RATE_LIMITED_MESSAGE)}, status=429)
        else:
            response = render(
                request,
                "accounts/staff/rate_limited.html",
                {"retry_after": retry_after, "staff": scope.startswith("staff")},
                status=429,
            )
        response["Retry-After"] = str(retry_after)
        return response


def _allow_forms_to_reach(response: HttpResponse, issuer: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    parts = urlsplit(issuer)
    if "form-action 'self'" in policy and parts.scheme and parts.netloc:
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}", 1
        )
