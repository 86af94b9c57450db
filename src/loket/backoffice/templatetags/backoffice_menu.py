"""``{% load backoffice_menu %}{% staff_permission_codes as codes %}``: the current
user's permission codes, to show only the menu items they may open."""

from __future__ import annotations

from typing import Any

from django import template

from loket.core.selectors import staff_permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_permission_codes(context: dict[str, Any]) -> frozenset[str]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return frozenset()
    return staff_permissions(user=user)
