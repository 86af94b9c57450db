"""Background tasks of the kernel, and discovery of every module's tasks.py."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django_tasks import task

from loket.core.services import periodic


def load_task_modules() -> None:
    """Import each installed Loket module's ``tasks.py`` so its periodic jobs register."""
    for config in apps.get_app_configs():
        if config.name.startswith("loket."):
            try:
                import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise


@periodic("17 3 * * *")
@task()
def prune_finished_tasks() -> int:
    """Forget finished task results older than two weeks (the database backend only)."""
    from django.conf import settings

    if settings.LOKET_TASK_BACKEND != "database":
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=14)
    deleted, _ = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    ).delete()
    return deleted
