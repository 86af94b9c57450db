"""Background entry points of the webhooks module (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from loket.core.services import periodic
from loket.webhooks import services


@task()
def deliver_webhooks(delivery_ids: list[int]) -> int:
    return services.deliveries_send(delivery_ids=delivery_ids)


@periodic("* * * * *")
@task()
def sweep_webhooks() -> int:
    """Every minute: deliveries whose retry is due."""
    return services.deliveries_sweep()
