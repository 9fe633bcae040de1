"""Django's ``flush`` (empty every table), which also empties the append-only evidence tables.

The triggers of ``home.evidence`` refuse to delete evidence, so a plain flush fails. This one lifts them
for the flush only: on SQLite they are dropped and created again afterwards; on PostgreSQL the session
runs as a replica (``session_replication_role``), which only a superuser may set: the application's own
role cannot empty the evidence this way. The test suite relies on it (transactional tests end with a
flush).
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections


class Command(flush.Command):
    help = f"{flush.Command.help} Evidence tables too (PostgreSQL: needs a superuser)."

    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = DEFAULT")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%append_only%'"
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    for _name, sql in triggers:
                        cursor.execute(sql)
        return super().handle(**options)
