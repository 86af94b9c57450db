"""Reads of the webhooks module."""

from __future__ import annotations

from django.db.models import QuerySet

from loket.webhooks.models import Delivery, Subscription

DELIVERIES_PER_PAGE = 50


def subscription_list() -> QuerySet[Subscription]:
    return Subscription.objects.order_by("-active", "name", "id")


def delivery_list(
    *,
    subscription_id: int | None = None,
    before_id: int | None = None,
    limit: int = DELIVERIES_PER_PAGE,
) -> tuple[list[Delivery], int | None]:
    """The delivery log, newest first, keyset on the id (one query)."""
    deliveries = Delivery.objects.select_related("subscription")
    if subscription_id is not None:
        deliveries = deliveries.filter(subscription_id=subscription_id)
    if before_id is not None:
        deliveries = deliveries.filter(id__lt=before_id)
    rows = list(deliveries.order_by("-id")[: limit + 1])
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)
