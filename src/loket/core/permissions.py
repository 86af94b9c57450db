"""Generic permission helpers on top of the role data (``core.Role``).

Modules keep their own policy in their ``permissions.py``; these helpers are the
building blocks: ``require_*`` raise ``PermissionDenied`` (403: the user knows the thing
exists but may not do this), ``access_*`` raise ``Http404`` (the user may not even learn
that the object exists).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from loket.core.selectors import staff_department_ids, staff_has_permission


def require_permission(user: Any, permission: str, *, department_id: int | None = None) -> None:
    """403 unless ``user`` has ``permission`` (in ``department_id``, or in any)."""
    if not staff_has_permission(user=user, permission=permission, department_id=department_id):
        raise PermissionDenied(permission)


def access_in_department(user: Any, permission: str, *, department_id: int | None) -> None:
    """404 unless ``user`` has ``permission`` in the object's department. An object
    without a department is reachable only with the permission in some department."""
    if not staff_has_permission(user=user, permission=permission, department_id=department_id):
        raise Http404


def departments_with(user: Any, permission: str) -> frozenset[int]:
    """The departments whose objects ``user`` may reach with ``permission`` (to filter
    a list with ``department_id__in``)."""
    return staff_department_ids(user=user, permission=permission)
