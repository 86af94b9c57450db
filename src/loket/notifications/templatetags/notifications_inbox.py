"""``{% load notifications_inbox %}{% inbox_unread_count as unread %}``: how many
unread messages the logged-in resident has (0 for anyone else), for the portal header.

Kept in the cache between changes to inboxes (``inbox_unread_count_cached``): no
query on most pages."""

from __future__ import annotations

from typing import Any

from django import template

from loket.accounts.selectors import resident_account_of_request
from loket.notifications.selectors import inbox_unread_count_cached as count_unread
from loket.notifications.views_portal import resident_login_level

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread_count(context: dict[str, Any]) -> int:
    request = context.get("request")
    if request is None or resident_login_level(request) is None:
        return 0
    cached = getattr(request, "_loket_inbox_unread", None)
    if cached is not None:
        return int(cached)
    account = resident_account_of_request(request)
    unread = 0
    if account is not None and account.person_id is not None:
        unread = count_unread(person_id=account.person_id)
    request._loket_inbox_unread = unread
    return unread
