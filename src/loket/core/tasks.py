"""Background tasks of the kernel, and discovery of every module's tasks.py."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django_tasks import task

from loket.core.services import periodic, scheduled_runs_prune, task_results_prune


def load_task_modules() -> None:
    """Import each installed Loket module's ``tasks.py`` so its periodic jobs register."""
    for config in apps.get_app_configs():
        if config.name.startswith("loket."):
            try:
                import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise


RESULTS_KEPT_FOR = timedelta(days=14)


@periodic("17 3 * * *")
@task()
def prune_finished_tasks() -> int:
    """Forget finished task results and old scheduler leases (nightly)."""
    deleted = task_results_prune(older_than=RESULTS_KEPT_FOR)
    scheduled_runs_prune(older_than=RESULTS_KEPT_FOR)
    return deleted
