"""Background entry points of the catalogue (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from loket.catalog import services
from loket.core.services import periodic


@periodic("41 3 * * *")
@task()
def prune_uploads() -> int:
    """Every night: delete files of forms that were never submitted."""
    return services.form_uploads_prune()
