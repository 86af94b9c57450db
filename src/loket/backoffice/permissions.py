"""Who may use the back office, and which parts of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import user_passes_test

from loket.core.constants import StaffRole

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def can_use_backoffice(user: Any) -> bool:
    """Active staff members only; residents log in elsewhere and never get in here."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_view_audit_log(user: Any, *, roles: frozenset[str]) -> bool:
    """The audit log names residents: only functional administrators and superusers
    read it on the overview. ``roles`` are the user's roles in any department."""
    return bool(user.is_superuser or StaffRole.ADMINISTRATOR in roles)


def staff_required(view: ViewFunc) -> ViewFunc:
    """Send anyone who may not use the back office to the staff login page."""
    return user_passes_test(can_use_backoffice, login_url="backoffice:login")(view)
