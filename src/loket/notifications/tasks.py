"""Background entry points of the notifications module (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from loket.core.services import periodic
from loket.notifications import services


@task()
def deliver_messages(message_ids: list[int]) -> int:
    """Send a batch of queued messages (claimed one by one, so a repeat is harmless)."""
    return services.messages_deliver(message_ids=message_ids)


@task()
def fanout_queue(fanout_id: int) -> int:
    """Prepare a bulk send's messages and queue their delivery."""
    return services.fanout_queue_messages(fanout_id=fanout_id)


@periodic("* * * * *")
@task()
def sweep_messages() -> int:
    """Every minute: retries that are due, quiet hours that ended, dead workers' claims."""
    return services.messages_sweep()
