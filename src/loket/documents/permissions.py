"""Who may do what with documents (staff side; residents see only their own and those
of the party they act for).

- see and issue documents, revoke and re-issue: ``people.view`` and either
  ``cases.handle`` or ``counter.serve`` (handlers and counter clerks);
- edit document templates: ``catalog.edit`` or ``cases.configure``;
- print batches: ``notifications.view`` (the mail room: communication cell and
  administrators), the same people who see the letters in the delivery log.
"""

from __future__ import annotations

from typing import Any

from loket.core.constants import Permission
from loket.core.selectors import staff_has_permission


def _staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.is_active)


def _has(user: Any, permission: str) -> bool:
    return staff_has_permission(user=user, permission=permission)


def can_handle_documents(user: Any) -> bool:
    return (
        _staff(user)
        and _has(user, Permission.PEOPLE_VIEW)
        and (_has(user, Permission.CASES_HANDLE) or _has(user, Permission.COUNTER_SERVE))
    )


def can_edit_templates(user: Any) -> bool:
    return _staff(user) and (
        _has(user, Permission.CATALOG_EDIT) or _has(user, Permission.CASES_CONFIGURE)
    )


def can_run_print_batches(user: Any) -> bool:
    return _staff(user) and _has(user, Permission.NOTIFICATIONS_VIEW)


def can_enter(user: Any) -> bool:
    return can_handle_documents(user) or can_edit_templates(user) or can_run_print_batches(user)
