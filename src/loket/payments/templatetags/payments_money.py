"""``{{ cents|euro }}``: an amount in cents as Belgians write it (``€ 1.234,50``)."""

from __future__ import annotations

from django import template

from loket.payments.types import format_euros

register = template.Library()


@register.filter
def euro(cents: object) -> str:
    try:
        value = int(cents)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    return format_euros(value, separator="\u00a0")
