"""Background entry points of the payments module (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from loket.core.services import periodic
from loket.payments import services


@periodic("*/5 * * * *")
@task()
def poll_pending_payments() -> int:
    """Every five minutes: ask the provider about online payments whose webhook did
    not come within 10 minutes; give up on them after 24 hours."""
    return services.payments_poll()


@periodic("0 9 * * *")
@task()
def send_payment_reminders() -> int:
    """Every morning: remind residents of orders unpaid past their due date (at most
    twice, 14 days apart)."""
    return services.order_reminders_send()
