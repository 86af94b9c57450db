"""Reads of the catalogue: services, life events, form versions and drafts."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from loket.catalog.models import LifeEvent, Service, TargetGroup


def _services() -> QuerySet[Service]:
    return Service.objects.select_related("department__organisation")


def service_get(*, slug: str, published_only: bool = True) -> Service | None:
    """The service with this slug, with its department, target groups and life events."""
    services = _services().prefetch_related("target_groups", "life_events")
    if published_only:
        services = services.filter(is_published=True)
    return services.filter(slug=slug).first()


def service_list_published(*, life_event: LifeEvent | None = None) -> QuerySet[Service]:
    """Published services by title (one query; add prefetches as the page needs)."""
    services = _services().filter(is_published=True)
    if life_event is not None:
        services = services.filter(life_events=life_event)
    return services.order_by("title", "id")


def life_event_list() -> QuerySet[LifeEvent]:
    """Life events with their published services (two queries)."""
    return LifeEvent.objects.prefetch_related(
        Prefetch("services", queryset=Service.objects.filter(is_published=True).order_by("title"))
    )


def target_group_list() -> QuerySet[TargetGroup]:
    return TargetGroup.objects.all()
