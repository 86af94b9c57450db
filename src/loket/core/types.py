"""Frozen data that other modules receive from core's selectors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    healthy: bool
    detail: str
    latency_ms: float


@dataclass(frozen=True)
class WorkerInfo:
    worker_id: str
    hostname: str
    backend: str
    last_seen_at: datetime


@dataclass(frozen=True)
class StaffMembershipInfo:
    id: int
    department_id: int
    department: str
    organisation: str
    role_slug: str
    role: str


@dataclass(frozen=True)
class StaffMemberInfo:
    id: int
    username: str
    full_name: str
    email: str
    is_active: bool
    is_superuser: bool
    memberships: tuple[StaffMembershipInfo, ...]


@dataclass(frozen=True)
class StaffPage:
    """One page of a keyset-paginated staff list; pass ``next_cursor`` as ``after``."""

    items: tuple[StaffMemberInfo, ...]
    next_cursor: str | None
