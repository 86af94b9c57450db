"""Who may see the delivery log, run bulk messages and edit message templates."""

from __future__ import annotations

from typing import Any

from loket.core.constants import Permission
from loket.core.selectors import staff_has_permission


def can_view_delivery_log(user: Any) -> bool:
    """The delivery log names residents: ``notifications.view`` only."""
    return bool(
        user.is_authenticated
        and user.is_staff
        and staff_has_permission(user=user, permission=Permission.NOTIFICATIONS_VIEW)
    )


def can_send_bulk(user: Any) -> bool:
    """The communication cell and administrators start bulk messages."""
    return can_view_delivery_log(user) and staff_has_permission(
        user=user, permission=Permission.NOTIFICATIONS_BULK
    )


def can_edit_templates(user: Any) -> bool:
    return can_view_delivery_log(user) and staff_has_permission(
        user=user, permission=Permission.NOTIFICATIONS_TEMPLATES
    )
