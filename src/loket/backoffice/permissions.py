"""Who may use the back office, and which parts of it.

Every back-office view is guarded by ``permission_required(Permission.X)``: no complete
staff session → the staff login; a verified staff member without the permission → 403.
Objects a staff member may not see answer 404 (``access_*`` helpers)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from loket.accounts.staff.selectors import staff_session_is_verified
from loket.core.constants import Permission
from loket.core.selectors import staff_has_permission

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def can_use_backoffice(user: Any) -> bool:
    """Active staff members only; residents log in elsewhere and never get in here."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def has_backoffice_session(request: HttpRequest) -> bool:
    """A staff member whose session comes from the staff login (never the resident
    login) and who passed the second factor there."""
    return can_use_backoffice(request.user) and staff_session_is_verified(request=request)


def has_permission(user: Any, permission: str, *, department_id: int | None = None) -> bool:
    return staff_has_permission(user=user, permission=permission, department_id=department_id)


def staff_actor(request: HttpRequest) -> Any:
    """The staff member behind a request that passed ``permission_required``."""
    return request.user


def can_view_audit_log(user: Any) -> bool:
    """The audit log names residents: only ``audit.view`` reads it on the overview."""
    return has_permission(user, Permission.AUDIT_VIEW)


def permission_required(*permissions: str) -> Callable[[ViewFunc], ViewFunc]:
    """Guard a back-office view: a complete staff session (else the staff login), the
    right to use the back office and every permission named (else 403)."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_backoffice_session(request):
                return redirect_to_login(request.get_full_path(), "backoffice:login")
            for permission in (Permission.BACKOFFICE, *permissions):
                if not has_permission(request.user, permission):
                    raise PermissionDenied(permission)
            return cast(HttpResponse, view(request, *args, **kwargs))

        return cast(ViewFunc, wrapper)

    return decorate


def staff_required(view: ViewFunc) -> ViewFunc:
    """Any staff member who may use the back office (``backoffice.enter``)."""
    return permission_required()(view)


def access_social_file(user: Any) -> None:
    """404 unless ``user`` may see social files: the section does not exist for others."""
    if not has_permission(user, Permission.SOCIAL_FILE_VIEW):
        raise Http404
