"""/healthz: what a load balancer and an operator see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.utils import timezone

from loket.core import views
from loket.core.models import WorkerHeartbeat
from loket.core.services import worker_heartbeat
from loket.core.tests.processes import HEALTHZ, LoketSite, free_port

pytestmark = pytest.mark.django_db


def get(client: Client) -> tuple[int, dict[str, Any], Any]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json(), response


def assert_never_cached(response: Any) -> None:
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "no-cache" in cache_control
    assert "max-age=0" in cache_control


def test_healthy_answers_200_with_checks_and_live_workers(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    worker_heartbeat(worker_id="w-live", backend="database", started_at=timezone.now())
    stale = timezone.now() - timedelta(minutes=10)
    WorkerHeartbeat.objects.create(
        worker_id="w-gone",
        hostname="elders",
        pid=1,
        backend="database",
        started_at=stale,
        last_seen_at=stale,
    )

    with django_assert_max_num_queries(3):
        code, body, response = get(client)

    assert code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "tasks"}
    assert body["checks"]["database"]["healthy"] is True
    assert body["checks"]["database"]["detail"] == connection.vendor
    assert body["checks"]["tasks"]["healthy"] is True
    assert body["checks"]["tasks"]["detail"] == "database, 0 waiting"
    assert [w["id"] for w in body["workers"]] == ["w-live"]
    assert body["workers"][0]["backend"] == "database"
    assert_never_cached(response)


def test_waiting_tasks_are_counted(client: Client) -> None:
    from loket.core.tests import jobs

    jobs.echo.enqueue("a")
    jobs.echo.enqueue("b")

    assert get(client)[1]["checks"]["tasks"]["detail"] == "database, 2 waiting"


def test_head_works_and_writes_are_refused(client: Client) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_database_unreachable_answers_503(client: Client) -> None:
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    ):
        code, body, response = get(client)

    assert code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "name": "database",
        "healthy": False,
        "detail": "OperationalError",
        "latency_ms": body["checks"]["database"]["latency_ms"],
    }
    assert body["checks"]["tasks"]["healthy"] is False
    assert body["workers"] == []
    assert_never_cached(response)


def test_an_unexpected_error_is_a_503_not_a_500(client: Client) -> None:
    with mock.patch.object(views, "worker_list_alive", side_effect=RuntimeError("bug")):
        code, body, _ = get(client)

    assert code == 503
    assert body["status"] == "unavailable"


def test_unreachable_redis_answers_503(client: Client) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(LOKET_TASK_BACKEND="rq", REDIS_URL=closed):
        code, body, _ = get(client)

    assert code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["healthy"] is True
    assert body["checks"]["tasks"]["healthy"] is False
    assert body["checks"]["tasks"]["detail"] == "ConnectionError"


@pytest.mark.redis
def test_reachable_redis_answers_200(
    client: Client, redis_url: str, django_assert_max_num_queries: Any
) -> None:
    with (
        override_settings(LOKET_TASK_BACKEND="rq", REDIS_URL=redis_url),
        django_assert_max_num_queries(2),
    ):
        code, body, _ = get(client)

    assert code == 200
    assert body["checks"]["tasks"] == {
        "name": "tasks",
        "healthy": True,
        "detail": "rq",
        "latency_ms": body["checks"]["tasks"]["latency_ms"],
    }


def test_a_web_process_whose_postgresql_is_down_answers_503(
    make_site: Callable[..., LoketSite],
) -> None:
    """The real driver against a port where nothing listens, in a process of its own."""
    site = make_site(DATABASE_URL=f"postgres://loket@127.0.0.1:{free_port()}/loket")

    answer = site.python(HEALTHZ)

    assert answer["code"] == 503
    assert answer["body"]["status"] == "unavailable"
    assert answer["body"]["checks"]["database"]["healthy"] is False
    assert answer["body"]["checks"]["database"]["detail"] == "OperationalError"


def test_the_bench_baseline_is_not_mounted_by_default(client: Client) -> None:
    assert client.get("/__bench__/baseline").status_code == 404
