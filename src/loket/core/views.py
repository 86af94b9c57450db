from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from loket.core.selectors import health_database, health_task_queue, worker_list_alive


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: 200 when the database and the task
    queue answer, 503 otherwise. Workers are reported but do not make it fail: a web
    process can serve while workers restart."""
    database = health_database()
    tasks = health_task_queue() if database.healthy or _queue_outside_db() else None
    components = [database] + ([tasks] if tasks else [])
    healthy = database.healthy and tasks is not None and tasks.healthy
    workers = worker_list_alive() if database.healthy else []
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {c.name: asdict(c) for c in components},
        "workers": [
            {"id": w.worker_id, "host": w.hostname, "last_seen": w.last_seen_at.isoformat()}
            for w in workers
        ],
    }
    if tasks is None:
        body["checks"]["tasks"] = {
            "name": "tasks",
            "healthy": False,
            "detail": "database unavailable",
            "latency_ms": 0.0,
        }
    return JsonResponse(body, status=200 if healthy else 503)


def _queue_outside_db() -> bool:
    from django.conf import settings

    return bool(settings.LOKET_TASK_BACKEND == "rq")
