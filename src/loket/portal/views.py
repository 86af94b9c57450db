from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from loket.catalog.selectors import life_event_list
from loket.core.constants import PUBLIC_CONTENT_TTL_SECONDS
from loket.core.selectors import department_list, organisation_list_public, public_content_epoch
from loket.portal.display import organisation_overviews


def home(request: HttpRequest) -> HttpResponse:
    """What the municipality offers, its opening hours, contact details and departments.

    The content is the same for every visitor: it is kept rendered (``{% cache %}``,
    keyed on the public content epoch, the language and the weekday), and read from the
    database only when it is rendered again (ADR 0019)."""
    weekday = timezone.localdate().weekday()
    return render(
        request,
        "portal/home.html",
        {
            "organisations": SimpleLazyObject(
                lambda: organisation_overviews(
                    list(organisation_list_public()), department_list(), today=weekday
                )
            ),
            "life_events": SimpleLazyObject(lambda: list(life_event_list())),
            "public_epoch": public_content_epoch(),
            "public_ttl": PUBLIC_CONTENT_TTL_SECONDS,
            "weekday": weekday,
        },
    )
