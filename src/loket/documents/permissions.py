"""Who may do what with documents (staff side; residents see only their own and those
of the party they act for).

- see and issue documents, revoke and re-issue: ``people.view`` and either
  ``cases.handle`` or ``counter.serve`` (handlers and counter clerks); a document
  issued for a case carries the case's department and is seen only by staff with
  ``cases.handle`` or ``counter.serve`` in that department (``?case=``, the recent
  list, its page, PDF, revoking, re-issuing). Certificates issued outside a case (no
  department) are seen by everyone who may handle documents; a case's document whose
  department is not known, by superusers only;
- edit document templates: ``catalog.edit`` or ``cases.configure``;
- print batches: ``notifications.view`` (the mail room: communication cell and
  administrators), the same people who see the letters in the delivery log.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from loket.core.constants import Permission
from loket.core.selectors import staff_department_ids, staff_has_permission


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


def document_departments(user: Any) -> frozenset[int] | None:
    """The departments whose documents ``user`` may see (``None``: every department,
    for superusers). Empty for whoever may not handle documents at all."""
    if not can_handle_documents(user):
        return frozenset()
    if user.is_superuser:
        return None
    return staff_department_ids(
        user=user, permission=Permission.CASES_HANDLE
    ) | staff_department_ids(user=user, permission=Permission.COUNTER_SERVE)


def may_see_document(user: Any, document: Any) -> bool:
    """May ``user`` open this document (``document.department_id``, ``.case_id``)?"""
    if not can_handle_documents(user):
        return False
    departments = document_departments(user)
    if departments is None:
        return True
    if document.department_id is not None:
        return document.department_id in departments
    return document.case_id is None


def access_document(user: Any, document: Any) -> Any:
    """The document if ``user`` may see it; Http404 otherwise (or when there is none)."""
    if document is None or not may_see_document(user, document):
        raise Http404
    return document


def can_edit_templates(user: Any) -> bool:
    return _staff(user) and (
        _has(user, Permission.CATALOG_EDIT) or _has(user, Permission.CASES_CONFIGURE)
    )


def can_run_print_batches(user: Any) -> bool:
    return _staff(user) and _has(user, Permission.NOTIFICATIONS_VIEW)


def can_enter(user: Any) -> bool:
    return can_handle_documents(user) or can_edit_templates(user) or can_run_print_batches(user)
