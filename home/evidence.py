"""Append-only evidence in the database itself: the SQL of the triggers that refuse UPDATE, DELETE (and
TRUNCATE on PostgreSQL) on evidence tables (rules versions and acceptances, dossier histories).

Migrations call ``protect`` with the columns of the table as they are at that migration, so that what a
migration created never changes afterwards. One exception may be allowed per table: a foreign key set to
NULL when the row it points to is deleted (``nullable``, e.g. a history's actor whose account is
deleted), with every other column unchanged (the actor's name stays in the row).

The database cannot protect a table from its owner (PostgreSQL lets the owner drop or disable a trigger):
see the README for the roles that keep the application's role from doing so.
"""

MESSAGE = "Rows of {table} are append-only evidence: no update or delete."

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION evidence_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_NARGS = 1
        AND to_jsonb(OLD) -> TG_ARGV[0] <> 'null'::jsonb
        AND to_jsonb(NEW) -> TG_ARGV[0] = 'null'::jsonb
        AND (to_jsonb(NEW) - TG_ARGV[0]) = (to_jsonb(OLD) - TG_ARGV[0]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Rows of % are append-only evidence: no update or delete.', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def protect(schema_editor, *, table: str, columns: list[str], nullable: str = "") -> None:
    """Create the triggers that make ``table`` append-only on this database (SQLite or PostgreSQL)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)  # literal % in the SQL: no placeholders
        argument = f"'{nullable}'" if nullable else ""
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only_rows BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION evidence_append_only({argument});"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();"
        )
    elif vendor == "sqlite":
        refuse = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(table=table)}'); END;"
        when = ""
        if nullable:
            same = " AND ".join(f'NEW."{column}" IS OLD."{column}"' for column in columns if column != nullable)
            when = f' WHEN NOT (OLD."{nullable}" IS NOT NULL AND NEW."{nullable}" IS NULL AND {same})'
        schema_editor.execute(f"CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table}{when} {refuse}")
        schema_editor.execute(f"CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} {refuse}")


def unprotect(schema_editor, *, table: str) -> None:
    """Drop what ``protect`` created (for migrating backwards)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in ("rows", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{name} ON {table};")
    elif vendor == "sqlite":
        for name in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{name};")
