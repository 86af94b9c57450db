# ruff: noqa: S608 - the statements are constants of this migration, no input
"""On SQLite: a full-text index (FTS5) of the cases' search text, kept up to date by
triggers, so that the back-office search finds words in any case without reading the
rows one by one. PostgreSQL has its GIN index (0002). Where this SQLite has no FTS5,
nothing is created and the search reads the newest cases instead.

Django rebuilds a SQLite table to alter it, and the triggers go with the old table: a
later migration that alters ``cases_case`` must call ``create`` again (the test
``test_search_index_is_kept_up_to_date`` notices when it does not)."""

from django.db import migrations

TABLE = "cases_case_fts"
TRIGGERS = ("cases_case_fts_insert", "cases_case_fts_delete", "cases_case_fts_update")

STATEMENTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "search_text, content='cases_case', content_rowid='id', tokenize='unicode61')",
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[0]} AFTER INSERT ON cases_case BEGIN "
    f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[1]} AFTER DELETE ON cases_case BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[2]} AFTER UPDATE OF search_text ON cases_case "
    f"BEGIN INSERT INTO {TABLE}({TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
)


def _has_fts5(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return any(row[0] == "ENABLE_FTS5" for row in cursor.fetchall())


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite" or not _has_fts5(connection):
        return
    for statement in STATEMENTS:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for trigger in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_updated_index")]

    operations = [migrations.RunPython(create, drop)]
