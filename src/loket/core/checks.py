"""Loket's own deployment checks, run by `loket check` next to Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[Error | Warning | Info]:
    problems: list[Error | Warning | Info] = []
    if not settings.PRODUCTION:
        problems.append(
            Error(
                "LOKET_ENVIRONMENT is not 'production'.",
                hint="Set LOKET_ENVIRONMENT=production on a server that residents use.",
                id="loket.E001",
            )
        )
    if settings.LOKET_DEMO:
        problems.append(
            Error(
                "LOKET_DEMO is on: demo logins and simulators of outside services are enabled.",
                hint="Remove LOKET_DEMO.",
                id="loket.E002",
            )
        )
    if "*" in settings.ALLOWED_HOSTS or not settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "ALLOWED_HOSTS must list this deployment's host names, without '*'.",
                id="loket.E003",
            )
        )
    if settings.LOKET_TASK_BACKEND == "immediate":
        problems.append(
            Error(
                "LOKET_TASK_BACKEND=immediate runs background work inside web requests.",
                hint="Use 'database' or 'rq' and run `loket worker`.",
                id="loket.E004",
            )
        )
    if settings.LOKET_EMAIL_BACKEND != "smtp":
        problems.append(
            Error(
                "LOKET_EMAIL_BACKEND is not 'smtp': no e-mail would reach residents.",
                id="loket.E005",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Info(
                "SQLite carries one small municipality on one server; it cannot be shared "
                "by several web or worker machines.",
                hint="Set DATABASE_URL to PostgreSQL 15+ for anything larger (docs/deploy.md).",
                id="loket.I001",
            )
        )
    return problems
