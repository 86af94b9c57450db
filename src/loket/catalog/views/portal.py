"""Residents' pages: the catalogue by life event, search, a service's page, and the
CPSV-AP JSON-LD export."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from loket.catalog import jsonld, selectors
from loket.catalog.constants import Channel, LoginLevel
from loket.catalog.forms import SearchForm
from loket.core.constants import PUBLIC_CONTENT_TTL_SECONDS
from loket.core.selectors import public_content_epoch

JSONLD = "application/ld+json"


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Life events as cards; with ``q``, the search results instead (keyset pages)."""
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    context: dict[str, object] = {"form": form, "query": query}
    if query:
        context["page"] = selectors.service_search(query=query, after=request.GET.get("na") or None)
    else:
        # The same for every visitor: kept rendered, read only when rendered again.
        context["life_events"] = SimpleLazyObject(
            lambda: [
                event
                for event in selectors.life_event_list()
                if event.published_services  # type: ignore[attr-defined]
            ]
        )
        context["services"] = SimpleLazyObject(
            lambda: list(selectors.service_list_published()[:200])
        )
        context["public_epoch"] = public_content_epoch()
        context["public_ttl"] = PUBLIC_CONTENT_TTL_SECONDS
    return render(request, "catalog/index.html", context)


@require_GET
def life_event(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.life_event_get(slug=slug)
    if event is None:
        raise Http404
    services = list(selectors.service_list_published(life_event=event))
    return render(request, "catalog/life_event.html", {"event": event, "services": services})


@require_GET
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.service_get(slug=slug)
    if service is None:
        raise Http404
    channels = [Channel(c).label for c in service.channels if c in Channel.values]
    # Titles and summaries may have a translation; the other texts are Dutch only.
    translated = (service.translations or {}).get((get_language() or "nl")[:2], {})
    return render(
        request,
        "catalog/service.html",
        {
            "service": service,
            "title": translated.get("title") or service.title,
            "summary": translated.get("summary") or service.summary,
            "channels": channels,
            "online": Channel.ONLINE in service.channels,
            "login_level": LoginLevel(service.login_level),
            "needs_login": service.login_level > LoginLevel.NONE,
            # The request wizard belongs to the cases module (URL name cases:request).
            "request_url": f"/aanvragen/{service.slug}/",
            # Read only when the kept content is rendered again (ADR 0019).
            "has_form": SimpleLazyObject(
                lambda: selectors.form_definition_get(service=service) is not None
            ),
            "fee_summary": SimpleLazyObject(
                lambda: selectors.fee_summary_for_service(service=service) or ""
            ),
            "public_epoch": public_content_epoch(),
            "public_ttl": PUBLIC_CONTENT_TTL_SECONDS,
        },
    )


def _jsonld_response(document: dict[str, object]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=f"{JSONLD}; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    services = selectors.service_list_published().prefetch_related("target_groups", "life_events")
    return _jsonld_response(jsonld.catalog_document(services))


@require_GET
def service_jsonld(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.service_get(slug=slug)
    if service is None:
        raise Http404
    return _jsonld_response(jsonld.service_document(service))
