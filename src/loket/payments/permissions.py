"""Who may do what with orders and payments (one policy for the module).

Staff see and handle the orders of the departments where their role carries the
permission: ``payments.manage`` of a head of department covers that department only.
Finance (``payments.all_departments``, a permission of its own) handles the money of
the whole municipality: every order, the bank statements, the unmatched bank lines and
the bookkeeping export. Orders without a department are otherwise open to anyone with
the permission in some department.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from loket.core.constants import Permission
from loket.core.selectors import staff_department_ids, staff_has_permission


def _everywhere(user: Any) -> bool:
    return staff_has_permission(user=user, permission=Permission.PAYMENTS_ALL_DEPARTMENTS)


def can_handle_all_departments(user: Any) -> bool:
    """Bank statements, unmatched bank lines and the export are the municipality's, not a
    department's: only for ``payments.all_departments`` (finance)."""
    if user is None:
        return False
    return _everywhere(user)


def may_on_order(user: Any, permission: str, department_id: int | None) -> bool:
    """May ``user`` use ``permission`` on an order of ``department_id``?"""
    if user is None:
        return False
    if _everywhere(user):
        return True
    departments = staff_department_ids(user=user, permission=permission)
    if department_id is None:
        return bool(departments)
    return department_id in departments


def orders_filter(user: Any, permission: str = Permission.PAYMENTS_VIEW) -> Q | None:
    """A filter on ``Order`` for the orders ``user`` may see; ``None``: none at all."""
    if _everywhere(user):
        return Q()
    departments = staff_department_ids(user=user, permission=permission)
    if not departments:
        return None
    return Q(department_id__in=departments) | Q(department__isnull=True)


def can_view(user: Any, department_id: int | None) -> bool:
    return may_on_order(user, Permission.PAYMENTS_VIEW, department_id)


def can_record(user: Any, department_id: int | None) -> bool:
    return may_on_order(user, Permission.PAYMENTS_RECORD, department_id)


def can_manage(user: Any, department_id: int | None) -> bool:
    return may_on_order(user, Permission.PAYMENTS_MANAGE, department_id)
