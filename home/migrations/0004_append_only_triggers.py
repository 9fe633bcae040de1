"""On PostgreSQL, refuse UPDATE and DELETE of evidence rows in the database itself (defence in depth: the
ORM already refuses them, see ``AppendOnlyModel``)."""

from django.db import migrations

TABLES = ["home_rulesacceptance", "home_rulesversion"]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION home_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'Rows of % are append-only evidence: no update or delete.', TG_TABLE_NAME; "
        "END; $$ LANGUAGE plpgsql;",
        params=None,  # the SQL has a literal %: no placeholder formatting
    )
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION home_append_only();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS home_append_only();")


class Migration(migrations.Migration):
    dependencies = [("home", "0003_rules")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
