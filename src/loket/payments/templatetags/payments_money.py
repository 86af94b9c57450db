"""``{{ cents|euro }}``: an amount in cents as Belgians write it (``€ 1.234,50``)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def euro(cents: object) -> str:
    try:
        value = int(cents)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    euros, rest = divmod(abs(value), 100)
    grouped = f"{euros:,}".replace(",", ".")
    return f"{'-' if value < 0 else ''}€\u00a0{grouped},{rest:02d}"
