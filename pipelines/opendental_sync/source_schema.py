"""What a source table looks like, read from MySQL's information_schema, and how we read and type it.

Raw types are decided from the MySQL column type, never from the data of the day; the facts of each kind
(read SQL, Arrow, dlt, PostgreSQL and dbt types) are in the one table of ``raw_types.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opendental_sync.raw_types import DATE_KINDS, KIND_BY_MYSQL_TYPE, RAW_TYPES, RawKind, RawType, kind_of
from opendental_sync.safety import PublicError

__all__ = ["DATE_KINDS", "RawKind"]  # kept importable from here


class UnsupportedColumnType(PublicError, ValueError):
    """A source column has a MySQL type this pipeline does not know how to copy exactly."""


@dataclass(frozen=True)
class SourceColumn:
    """One column of a source table as information_schema describes it."""

    name: str
    data_type: str  # e.g. "bigint"
    column_type: str  # e.g. "bigint(20) unsigned"
    nullable: bool
    position: int

    @property
    def kind(self) -> RawKind:
        kind = kind_of(self.data_type, self.column_type)
        if kind is None:
            raise UnsupportedColumnType(
                f"column {self.name!r} has MySQL type {self.column_type!r}, which is not mapped; "
                f"known types: {', '.join(sorted(KIND_BY_MYSQL_TYPE))}. Add it to "
                "pipelines/opendental_sync/raw_types.py"
            )
        return kind

    @property
    def raw_type(self) -> RawType:
        return RAW_TYPES[self.kind]

    def select_expression(self) -> str:
        """SQL that reads this column in a form every driver converts exactly (no zero dates, no TIME
        beyond 24 hours, no session time zone dependence)."""
        return self.raw_type.read_sql(quote_mysql(self.name))

    def zero_date_flag_expression(self) -> str | None:
        """SQL for a 0/1 column telling whether this row's value was a zero or impossible date. None for a
        NOT NULL column: there a NULL read is a zero date, counted without asking the server twice."""
        if not self.nullable:
            return None
        flag = self.raw_type.zero_flag
        if flag is None:
            return None
        return f"{flag.format(col=quote_mysql(self.name))} AS {quote_mysql(zero_flag_name(self.name))}"

    def dlt_hint(self, is_key: bool) -> dict[str, Any]:
        """dlt column schema for this column."""
        hint: dict[str, Any] = {"name": self.name, "nullable": not is_key, **self.raw_type.copy.dlt}
        if is_key:
            hint["primary_key"] = True
        return hint


@dataclass(frozen=True)
class SourceTable:
    """A source table: its columns in ordinal order and its primary key."""

    name: str
    columns: tuple[SourceColumn, ...]
    primary_key: tuple[str, ...]
    stamp_candidates: tuple[str, ...] = field(default=())  # TIMESTAMP ... ON UPDATE columns
    leading_indexed: tuple[str, ...] = field(default=())  # columns that lead an index (a range on them is cheap)

    def column(self, name: str) -> SourceColumn:
        for col in self.columns:
            if col.name.lower() == name.lower():
                return col
        raise KeyError(
            f"table {self.name!r} has no column {name!r}; columns: {', '.join(c.name for c in self.columns)}"
        )

    @property
    def column_types(self) -> dict[str, str]:
        return {c.name: c.column_type for c in self.columns}


ROW_HASH_COLUMN = "_od_row_hash"


def row_hash_expression(columns: tuple[str, ...]) -> str:
    """SQL for a change token over ``columns`` (CRC32 of their text, NULL kept distinct from '')."""
    if len(columns) == 1:  # CRC32 of NULL is NULL, which compares as its own token: no text to build
        return f"CRC32({quote_mysql(columns[0])})"
    parts = ", ".join(f"COALESCE(CAST({quote_mysql(c)} AS CHAR), '\\N')" for c in columns)
    return f"CRC32(CONCAT_WS('|', {parts}))"


def zero_flag_name(column: str) -> str:
    return f"__zero__{column}"


def quote_mysql(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def read_source_tables(conn: Any, database: str) -> dict[str, SourceTable]:
    """Read every base table of ``database`` from information_schema (one query per catalog view)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, ORDINAL_POSITION, EXTRA "
            "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, ORDINAL_POSITION",
            (database,),
        )
        column_rows = cur.fetchall()
        cur.execute(
            "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SEQ_IN_INDEX FROM information_schema.STATISTICS "
            "WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
            (database,),
        )
        index_rows = cur.fetchall()
        cur.execute(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'",
            (database,),
        )
        base_tables = {r[0] for r in cur.fetchall()}
    columns: dict[str, list[SourceColumn]] = {}
    stamps: dict[str, list[str]] = {}
    for table, name, data_type, column_type, nullable, position, extra in column_rows:
        if table not in base_tables:
            continue
        columns.setdefault(table, []).append(
            SourceColumn(name, str(data_type), str(column_type), nullable == "YES", int(position))
        )
        if str(data_type).lower() == "timestamp" and "on update" in str(extra).lower():
            stamps.setdefault(table, []).append(name)
    keys: dict[str, list[str]] = {}
    leading: dict[str, list[str]] = {}
    for table, index, name, position in index_rows:
        if index == "PRIMARY":
            keys.setdefault(table, []).append(name)
        if int(position) == 1:
            leading.setdefault(table, []).append(name)
    return {
        table: SourceTable(
            table,
            tuple(cols),
            tuple(keys.get(table, ())),
            tuple(stamps.get(table, ())),
            tuple(leading.get(table, ())),
        )
        for table, cols in columns.items()
    }
