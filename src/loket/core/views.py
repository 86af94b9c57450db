from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from loket.core.selectors import health_database, health_task_queue, worker_list_alive
from loket.core.types import ComponentHealth

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: 200 when the database and the task
    queue answer, 503 otherwise; never a 500 and never cached.

    Workers are reported but do not make it fail: a web process can serve while workers
    restart. Cheap by design: at most three queries (or two and one Redis round trip).
    """
    try:
        body, healthy = _health()
    except Exception as exc:  # a health check must answer, whatever broke
        logger.exception("health check failed")
        body = {"status": "unavailable", "checks": {}, "workers": [], "error": type(exc).__name__}
        healthy = False
    return JsonResponse(body, status=200 if healthy else 503)


def _health() -> tuple[dict[str, Any], bool]:
    database = health_database()
    if database.healthy or _queue_outside_db():
        tasks = health_task_queue()
    else:
        tasks = ComponentHealth("tasks", False, "database unavailable", 0.0)
    healthy = database.healthy and tasks.healthy
    workers = worker_list_alive() if database.healthy else []
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {check.name: asdict(check) for check in (database, tasks)},
        "workers": [
            {
                "id": worker.worker_id,
                "host": worker.hostname,
                "backend": worker.backend,
                "last_seen": worker.last_seen_at.isoformat(),
            }
            for worker in workers
        ],
    }
    return body, healthy


def _queue_outside_db() -> bool:
    from django.conf import settings

    return bool(settings.LOKET_TASK_BACKEND == "rq")


@never_cache
@require_safe
def bench_baseline(request: HttpRequest) -> HttpResponse:
    """The baseline of `loket bench home`: the least a Django view can do on this server
    and database (one ``SELECT 1``). Mounted only when LOKET_BENCH_BASELINE is on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b"ok", content_type="text/plain")
