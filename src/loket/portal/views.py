from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from loket.catalog.selectors import life_event_list
from loket.core.selectors import department_list, organisation_list_public
from loket.portal.display import organisation_overviews


def home(request: HttpRequest) -> HttpResponse:
    """What the municipality offers, its opening hours, contact details and departments."""
    overviews = organisation_overviews(
        list(organisation_list_public()),
        department_list(),
        today=timezone.localdate().weekday(),
    )
    return render(
        request,
        "portal/home.html",
        {"organisations": overviews, "life_events": list(life_event_list())},
    )
