"""The rows the data migrations write (roles, notification events and templates,
topics), and a way to write them again.

A transactional test (``transactional_db``, ``live_server``, ``transaction=True``)
empties every table when it ends, which also removes these rows; the tests after it
expect them, as a migrated database has them. Each step is idempotent.
"""

from __future__ import annotations

import importlib

SEEDING_MIGRATIONS = (
    ("loket.core.migrations.0003_roles_as_data", "seed_roles"),
    ("loket.core.migrations.0004_payment_permissions", "seed_roles"),
    ("loket.core.migrations.0005_payments_all_departments", "seed_roles"),
    ("loket.notifications.migrations.0002_default_events_and_templates", "install"),
    ("loket.notifications.migrations.0007_case_events", "install"),
    ("loket.notifications.migrations.0008_default_topics", "install"),
    ("loket.notifications.migrations.0009_document_events", "install"),
    ("loket.notifications.migrations.0010_payment_events", "install"),
    ("loket.notifications.migrations.0011_draft_events", "install"),
)


def restore_migration_data() -> None:
    """Run the seeding steps of the migrations again (with the current models)."""
    from django.apps import apps

    for module, function in SEEDING_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
