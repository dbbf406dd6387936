"""The copy's raw tables themselves: which exist, an empty one created with dlt's types, the indexes the next runs
look rows up by, and the planner's statistics after a first load (``CopyDatabase.tables``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from psycopg2 import sql

from opendental_sync.names import raw_name
from opendental_sync.raw_types import copy_type
from opendental_sync.read import DELETED_COLUMN
from opendental_sync.registry import TableSpec

if TYPE_CHECKING:
    from opendental_sync.destination import CopyDatabase


class CopyTables:
    def __init__(self, copy: CopyDatabase):
        self.copy = copy

    def _table(self, spec: TableSpec) -> sql.Identifier:
        return sql.Identifier(self.copy.dataset, raw_name(spec.name))

    def existing(self) -> set[str]:
        """The raw schema's tables (the pipeline's own included)."""
        query = "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
        return {r[0] for r in self.copy.execute(query, (self.copy.dataset,))}

    def has_column(self, spec: TableSpec, column: str) -> bool:
        query = (
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s AND column_name = %s"
        )
        return bool(self.copy.execute(query, (self.copy.dataset, raw_name(spec.name), column)))

    def create(self, spec: TableSpec, hints: list[dict[str, Any]]) -> None:
        """Create an empty raw table with the types dlt would give it (dlt creates tables only for rows)."""
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}{}").format(
                sql.Identifier(raw_name(str(h["name"]))),
                sql.SQL(copy_type(h).pg),
                sql.SQL("" if h.get("nullable", True) else " NOT NULL"),
            )
            for h in hints
        )
        self.copy.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.copy.dataset)))
        self.copy.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(self._table(spec), columns))

    def ensure_key_index(self, spec: TableSpec, columns: Sequence[str] = ()) -> None:
        """An index on the key (the merge, range snapshots and delete marking look rows up by key), or on
        ``columns`` of the source."""
        columns = columns or spec.primary_key
        suffix = "__od_key" if columns == spec.primary_key else "__od_" + "_".join(raw_name(c) for c in columns)
        self.copy.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
                sql.Identifier(f"{raw_name(spec.name)}{suffix}"[:63]),
                self._table(spec),
                sql.SQL(", ").join(sql.Identifier(raw_name(k)) for k in columns),
            )
        )

    def analyze(self, spec: TableSpec) -> None:
        """Statistics for the planner after a bulk load (PostgreSQL's advice for populating a database): without
        them it assumes a key matches 0.5% of the table and joins the next runs' few changed keys (dlt's merge,
        delete marking) by scanning the whole table. Autovacuum would gather them later, where it is on.

        Only of the columns the runs look rows up by (the key, the deleted flag, a ``zeroed_on_delete`` column):
        the table's row and page counts come with any ANALYZE, and the statistics of procedurelog's forty-odd
        other columns would cost the loader thread about 0.7 s more."""
        columns = (*spec.primary_key, *((spec.zeroed_on_delete,) if spec.zeroed_on_delete else ()))
        self.copy.execute(
            sql.SQL("ANALYZE {} ({})").format(
                self._table(spec),
                sql.SQL(", ").join(sql.Identifier(c) for c in (*(raw_name(c) for c in columns), DELETED_COLUMN)),
            )
        )
