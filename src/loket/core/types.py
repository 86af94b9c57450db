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
