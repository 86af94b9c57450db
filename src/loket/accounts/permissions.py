"""Who may do what with a resident login: assurance levels, and the back office
that a resident-login session never enters."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount
from loket.accounts.staff.selectors import staff_session_is_verified
from loket.core.constants import Permission
from loket.core.selectors import staff_has_permission

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


def resident_person_id(request: HttpRequest) -> int | None:
    """The register's id of the logged-in resident (None for a limited account)."""
    if resident_login_of(request) is None:
        return None
    return (
        ResidentAccount.objects.filter(user_id=int(request.user.pk or 0))
        .values_list("person_id", flat=True)
        .first()
    )


def access_mandate(mandate: Any, *, person_id: int | None) -> Any:
    """A mandate is seen by its grantor and its mandatary only: 404 for anyone else."""
    if mandate is None or person_id is None:
        raise Http404
    if person_id not in (mandate.grantor_id, mandate.mandatary_id):
        raise Http404
    return mandate


def may_serve_at_counter(request: HttpRequest) -> bool:
    """Counter mode needs a verified staff session (staff login with its second factor,
    never the resident login) and the permission ``counter.serve``."""
    user = request.user
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and may_enter_staff_area(request)
        and staff_session_is_verified(request=request)
        and staff_has_permission(user=user, permission=Permission.COUNTER_SERVE)
    )


def counter_required(view: ViewFunc) -> ViewFunc:
    """Anyone without a verified staff session goes to the staff login; staff without
    ``counter.serve`` get a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (
            user.is_authenticated
            and user.is_staff
            and may_enter_staff_area(request)
            and staff_session_is_verified(request=request)
        ):
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        if not may_serve_at_counter(request):
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
