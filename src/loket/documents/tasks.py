"""Background entry points of the documents module (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from loket.core.services import periodic
from loket.documents import services


@periodic("0 6 * * 1-5")
@task()
def print_batch_daily() -> int:
    """Working days at 6:00: the letters waiting for paper into one print batch."""
    batch = services.print_batch_run(actor=None)
    return batch.letter_count if batch is not None else 0


@periodic("30 3 * * *")
@task()
def documents_orphans_prune() -> int:
    """Nightly: stored PDFs whose issuing was rolled back by the caller."""
    return services.documents_orphans_prune()
