"""A migration operation for trigram GIN indexes that make admin ``icontains`` search use an index.

Django's ``icontains`` on PostgreSQL is ``UPPER(col::text) LIKE UPPER('%word%')``, so the index is on
that exact expression. A no-op on SQLite (the embedded default), where lists are small.
"""

from __future__ import annotations

from django.db import migrations


class TrigramIndexes(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = False

    def __init__(self, table: str, columns: list[str]) -> None:
        self.table, self.columns = table, columns

    def _name(self, column: str) -> str:
        return f"{self.table}_{column}_trgm"[:63]

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in self.columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{self._name(column)}" ON "{self.table}" '
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in self.columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{self._name(column)}"')

    def describe(self):
        return f"Trigram search indexes on {self.table} ({', '.join(self.columns)}), PostgreSQL only"
