"""Who may edit the catalogue: ``catalog.edit``, per department of the service."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from loket.catalog.models import Service
from loket.catalog.selectors import service_get_for_staff
from loket.core.constants import Permission
from loket.core.selectors import staff_has_permission


def can_edit_catalog(user: Any, *, department_id: int | None = None) -> bool:
    """Staff with ``catalog.edit`` (in this department, or in any when None)."""
    return bool(
        user.is_authenticated
        and user.is_staff
        and staff_has_permission(
            user=user, permission=Permission.CATALOG_EDIT, department_id=department_id
        )
    )


def access_service(user: Any, service_id: int) -> Service:
    """The service to edit; 404 for a service outside the user's departments, so its
    existence is not revealed."""
    if not can_edit_catalog(user):
        raise Http404
    service = service_get_for_staff(user=user, service_id=service_id)
    if service is None:
        raise Http404
    return service
