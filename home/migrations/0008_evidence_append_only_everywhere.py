"""Rules versions and acceptances are append-only in the database on SQLite too (triggers), and TRUNCATE is
refused on PostgreSQL (see home.evidence); this replaces the PostgreSQL row triggers of 0004."""

from django.db import migrations

from home.evidence import protect, unprotect

TABLES = ["home_rulesacceptance", "home_rulesversion"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS home_append_only();")
    for table in TABLES:
        protect(schema_editor, table=table, columns=[])


def backwards(apps, schema_editor):
    for table in TABLES:
        unprotect(schema_editor, table=table)


class Migration(migrations.Migration):
    dependencies = [("home", "0007_rules_version_dates_and_update_notices")]
    operations = [migrations.RunPython(forwards, backwards)]
