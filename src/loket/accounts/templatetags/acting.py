"""``{% load acting %}``: on whose behalf this request acts, for the banners.

- ``{% acting_party as party %}``: the ``Party`` of ``acting_party(request)`` (or None);
- ``{% acting_for_other as party %}``: that party only while acting for someone else;
- ``{% counter_visit as visit %}``: the clerk's open counter visit (or None).
"""

from __future__ import annotations

from typing import Any

from django import template

from loket.accounts.constants import SESSION_ACTING
from loket.accounts.selectors import acting_party as _acting_party
from loket.accounts.selectors import counter_visit_active
from loket.accounts.types import CounterVisitSummary, Party

register = template.Library()


@register.simple_tag(takes_context=True)
def acting_party(context: dict[str, Any]) -> Party | None:
    request = context.get("request")
    return _acting_party(request) if request is not None else None


@register.simple_tag(takes_context=True)
def acting_for_other(context: dict[str, Any]) -> Party | None:
    """The party while a resident acts for someone else, else None; costs no query
    when they act for themselves (the banner is on every portal page)."""
    request = context.get("request")
    session = getattr(request, "session", None)
    if request is None or session is None or not session.get(SESSION_ACTING):
        return None
    party = _acting_party(request)
    return party if party is not None and party.via not in ("self", "counter") else None


@register.simple_tag(takes_context=True)
def counter_visit(context: dict[str, Any]) -> CounterVisitSummary | None:
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return None
    return counter_visit_active(request)
