"""Scopes and confidentiality levels of the REST API."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.cases.constants import Confidentiality as CaseConfidentiality


class Scope(models.TextChoices):
    """What an API client may read or do, one module at a time.

    Public data (organisations, departments, the catalogue) needs no scope at all."""

    PEOPLE_READ = "people:read", _("Read residents (personal data)")
    CASES_READ = "cases:read", _("Read dossiers and their timeline")
    DOCUMENTS_READ = "documents:read", _("Read issued documents and download them")
    PAYMENTS_READ = "payments:read", _("Read orders and payments")
    PAYMENTS_WRITE = "payments:write", _("Make payment links")


# One confidentiality scale for the whole platform: the cases module's. A client reads
# objects up to its maximum level only.
Confidentiality = CaseConfidentiality
CONFIDENTIALITY_ORDER: tuple[str, ...] = (
    CaseConfidentiality.NORMAL,
    CaseConfidentiality.SENSITIVE,
    CaseConfidentiality.SOCIAL,
)


def confidentiality_levels_up_to(maximum: str) -> tuple[str, ...]:
    """The levels a client cleared up to ``maximum`` reads (none for an unknown one)."""
    if maximum not in CONFIDENTIALITY_ORDER:
        return ()
    return CONFIDENTIALITY_ORDER[: CONFIDENTIALITY_ORDER.index(maximum) + 1]


def confidentiality_allows(*, maximum: str, level: str) -> bool:
    """May a client cleared up to ``maximum`` read an object marked ``level``?"""
    try:
        return CONFIDENTIALITY_ORDER.index(level) <= CONFIDENTIALITY_ORDER.index(maximum)
    except ValueError:
        return False


class CallOutcome(models.TextChoices):
    OK = "ok", _("Answered")
    CLIENT_ERROR = "client_error", _("Refused")
    SERVER_ERROR = "server_error", _("Failed")


TOKEN_PREFIX = "lkt_"  # noqa: S105 (a label, not a secret)
SECRET_PREFIX = "lks_"  # noqa: S105 (a label, not a secret)
