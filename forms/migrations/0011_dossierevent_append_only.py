"""Dossier histories are append-only in the database itself, on SQLite and PostgreSQL (see home.evidence):
UPDATE, DELETE and TRUNCATE are refused, except the actor set to NULL when an account is deleted."""

from django.db import migrations

from home.evidence import protect, unprotect

TABLE = "forms_dossierevent"
# The columns as of this migration (the SQLite trigger checks that none of them changes).
COLUMNS = [
    "id",
    "dossier_id",
    "kind",
    "details",
    "at",
    "actor_id",
    "actor_name",
    "from_status",
    "to_status",
    "comment",
    "is_public",
]


def forwards(apps, schema_editor):
    protect(schema_editor, table=TABLE, columns=COLUMNS, nullable="actor_id")


def backwards(apps, schema_editor):
    unprotect(schema_editor, table=TABLE)


class Migration(migrations.Migration):
    dependencies = [("forms", "0010_dossierevent_actor_name")]
    operations = [migrations.RunPython(forwards, backwards)]
