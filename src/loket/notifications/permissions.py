"""Who may see the delivery log and run bulk messages."""

from __future__ import annotations

from typing import Any

from loket.core.constants import StaffRole
from loket.core.selectors import membership_list_for_staff


def can_view_delivery_log(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_send_bulk(user: Any) -> bool:
    """Superusers, administrators and communication liaisons start bulk messages."""
    if not can_view_delivery_log(user):
        return False
    if user.is_superuser:
        return True
    roles = {m.role for m in membership_list_for_staff(user=user)}
    return bool(roles & {StaffRole.ADMINISTRATOR, StaffRole.COMMUNICATION_LIAISON})
