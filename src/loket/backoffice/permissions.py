"""Who may use the back office, and which parts of it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from loket.accounts.staff.selectors import staff_session_is_verified
from loket.core.constants import StaffRole

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def can_use_backoffice(user: Any) -> bool:
    """Active staff members only; residents log in elsewhere and never get in here."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def has_backoffice_session(request: HttpRequest) -> bool:
    """A staff member whose session comes from the staff login (never the resident
    login) and who passed the second factor there."""
    return can_use_backoffice(request.user) and staff_session_is_verified(request=request)


def can_view_audit_log(user: Any, *, roles: frozenset[str]) -> bool:
    """The audit log names residents: only functional administrators and superusers
    read it on the overview. ``roles`` are the user's roles in any department."""
    return bool(user.is_superuser or StaffRole.ADMINISTRATOR in roles)


def staff_required(view: ViewFunc) -> ViewFunc:
    """Send anyone without a complete staff session to the staff login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_backoffice_session(request):
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        return cast(HttpResponse, view(request, *args, **kwargs))

    return cast(ViewFunc, wrapper)
