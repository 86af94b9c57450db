from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from loket.core.selectors import organisation_primary

_CACHE_KEY = "loket:municipality:v1"


def municipality(request: HttpRequest) -> dict[str, Any]:
    """The main organisation's name and design tokens, for every template.

    Cached for a minute: it is read on every page and changes rarely.
    """
    data = cache.get(_CACHE_KEY)
    if data is None:
        organisation = organisation_primary()
        data = {
            "name": organisation.name if organisation else "Loket",
            "primary_colour": organisation.primary_colour if organisation else "#1d4f91",
            "accent_colour": organisation.accent_colour if organisation else "#ffd200",
            "logo_url": organisation.logo.url if organisation and organisation.logo else "",
        }
        cache.set(_CACHE_KEY, data, 60)
    return {"municipality": data, "loket_demo": settings.LOKET_DEMO}
