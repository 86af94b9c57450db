"""An index on (updated_at, id) for API clients that copy the dossiers changed since
their previous run (``/api/v1/cases/?updated_since=…``): without it that question reads
the whole case table from the newest id down when few dossiers changed.

Written as SQL (like the search index of 0002) so the model state stays as it is."""

from django.db import migrations

INDEX = "cases_updated"


def create(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case (updated_at, id)")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_party_index")]

    operations = [migrations.RunPython(create, drop)]
