"""``{% load backoffice_menu %}{% staff_permission_codes as codes %}``: the current
user's permission codes, to show only the menu items they may open;
``{% configuration_link as shown %}``: whether the menu shows "Configuration"."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache

from loket.core.selectors import staff_permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_permission_codes(context: dict[str, Any]) -> frozenset[str]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return frozenset()
    return staff_permissions(user=user)


# Django's own permissions (given in the configuration) decide whether a staff member
# sees the "Configuration" link; reading them costs two queries with joins on every
# back-office page, so the answer is kept this long per user. The configuration itself
# checks the permissions on every request: a link shown a minute too long opens nothing.
CONFIGURATION_LINK_SECONDS = 60


@register.simple_tag(takes_context=True)
def configuration_link(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    key = f"backoffice:configuration-link:{user.pk}"
    shown = cache.get(key)
    if shown is None:
        shown = user.has_module_perms("core")
        cache.set(key, shown, CONFIGURATION_LINK_SECONDS)
    return bool(shown)
