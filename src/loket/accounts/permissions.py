"""Who may do what with a resident login: assurance levels, and the back office
that a resident-login session never enters."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from loket.accounts.constants import SESSION_LOGIN

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def resident_login_of(request: HttpRequest) -> dict[str, Any] | None:
    """The resident login of this session (dialect, acr, level, ...), or None when the
    session was not created by the resident login."""
    if not request.user.is_authenticated:
        return None
    data = request.session.get(SESSION_LOGIN)
    return data if isinstance(data, dict) else None


def session_level(request: HttpRequest) -> int:
    login = resident_login_of(request)
    return int(login.get("level", 0)) if login else 0


def may_enter_staff_area(request: HttpRequest) -> bool:
    """The back office and the configuration take staff logins only: a session made by
    the resident login (eID/itsme) is refused there, even for a staff member."""
    return resident_login_of(request) is None


def assurance_required(level: int) -> Callable[[ViewFunc], ViewFunc]:
    """The view needs a resident login of at least ``level`` (FAS: 450 itsme, 500 eID).

    Anonymous visitors go to the login page; a resident logged in at a lower level is
    sent to log in again with a stronger method (step-up), and comes back here.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            here = request.get_full_path()
            if resident_login_of(request) is None:
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': here})}")
            if session_level(request) < level:
                query = urlencode({"level": level, "next": here})
                return redirect(f"{reverse('accounts:start')}?{query}")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
