"""Data the API module hands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A new client credential: ``client_secret`` is shown once and never stored."""

    client_id: str
    client_secret: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    """Who calls: what ``request.auth`` holds for a bearer-token request."""

    client_id: int
    name: str
    scopes: frozenset[str]
    max_confidentiality: str
    rate_limit_per_minute: int
