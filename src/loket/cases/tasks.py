"""Background entry points of the cases module (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from loket.cases import services
from loket.core.services import periodic


@periodic("30 8 * * *")
@task()
def send_case_reminders() -> int:
    """Every morning: information asked or fees unpaid for a week; deadlines near."""
    return services.case_reminders_send()
