"""Background entry points of the API module (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from loket.api import services
from loket.core.services import periodic


@periodic("23 4 * * *")
@task()
def prune_api_tokens() -> int:
    """Nightly: forget expired access tokens."""
    return services.api_tokens_prune()
