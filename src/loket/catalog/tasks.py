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


@periodic("17 10 * * *")
@task()
def remind_drafts() -> dict[str, int]:
    """Every morning: delete requests left unfinished for 30 days (with their files),
    then remind residents once of a request they left 3 days ago."""
    deleted = services.form_drafts_prune()
    reminded = services.form_drafts_remind()
    return {"deleted": deleted, "reminded": reminded}
