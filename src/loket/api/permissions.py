"""Who may do what with the API: scopes for clients, ``staff.manage`` for the back
office pages that manage clients and webhook subscriptions."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from loket.api.constants import confidentiality_allows
from loket.api.types import ClientIdentity
from loket.core.constants import Permission
from loket.core.selectors import staff_has_permission


def client_identity(request: Any) -> ClientIdentity | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ClientIdentity) else None


def client_has_scope(request: Any, scope: str) -> bool:
    identity = client_identity(request)
    return identity is not None and scope in identity.scopes


def client_may_read_level(request: Any, level: str) -> bool:
    identity = client_identity(request)
    return identity is not None and confidentiality_allows(
        maximum=identity.max_confidentiality, level=level
    )


class HasRequiredScopes(BasePermission):
    """The view's ``required_scopes`` must all be granted to the calling client's token.

    No token at all: 401 (the authentication class names the scheme); a token without
    the scope: 403."""

    message = "The access token lacks a scope this endpoint needs."

    def has_permission(self, request: Any, view: Any) -> bool:
        required = getattr(view, "required_scopes", ())
        if not required:
            return True
        identity = client_identity(request)
        if identity is None:
            return False
        return set(required) <= identity.scopes


def can_manage_api(user: Any) -> bool:
    """Staff who manage staff and roles also manage API clients and webhooks."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and staff_has_permission(user=user, permission=Permission.STAFF_MANAGE)
    )
