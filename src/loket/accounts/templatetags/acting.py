"""``{% load acting %}``: on whose behalf this request acts, for the banners.

- ``{% acting_party as party %}``: the ``Party`` of ``acting_party(request)`` (or None);
- ``{% counter_visit as visit %}``: the clerk's open counter visit (or None).
"""

from __future__ import annotations

from typing import Any

from django import template

from loket.accounts.selectors import acting_party as _acting_party
from loket.accounts.selectors import counter_visit_active
from loket.accounts.types import CounterVisitSummary, Party

register = template.Library()


@register.simple_tag(takes_context=True)
def acting_party(context: dict[str, Any]) -> Party | None:
    request = context.get("request")
    return _acting_party(request) if request is not None else None


@register.simple_tag(takes_context=True)
def counter_visit(context: dict[str, Any]) -> CounterVisitSummary | None:
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return None
    return counter_visit_active(request)
