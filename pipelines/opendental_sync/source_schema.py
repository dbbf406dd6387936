"""What a source table looks like, read from MySQL's information_schema, and how we read and type it.

Raw types are decided here from the MySQL column type, never from the data of the day:

=================================  ===========================  ==========================================
MySQL                              PostgreSQL raw               why
=================================  ===========================  ==========================================
tinyint/smallint/int/bigint        bigint                       keys and flags stay integers; widening an
                                                                int to bigint in the source needs no ALTER
bigint unsigned                    numeric(20,0)                18446744073709551615 does not fit bigint
double/float                       double precision             money is double in OpenDental
decimal(p,s)                       numeric(38,9)                wide enough for any widened decimal
char/varchar/text                  varchar (unbounded)          widening a varchar needs no ALTER
date                               date                         zero/impossible dates become NULL
datetime                           timestamp without time zone  naive clinic-local time, as stored
timestamp (change stamps)          timestamp with time zone     read as epoch seconds: exact, no zone math
time                               varchar                      '838:59:59' and '-12:00:00' survive
binary/varbinary/blob              bytea                        byte-exact
=================================  ===========================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from opendental_sync.safety import PublicError

RawKind = Literal["int", "uint64", "double", "decimal", "text", "date", "datetime", "stamp", "time", "binary", "bit"]

_KIND_BY_MYSQL_TYPE: dict[str, RawKind] = {
    "tinyint": "int",
    "smallint": "int",
    "mediumint": "int",
    "int": "int",
    "integer": "int",
    "bigint": "int",
    "year": "int",
    "double": "double",
    "float": "double",
    "real": "double",
    "decimal": "decimal",
    "numeric": "decimal",
    "char": "text",
    "varchar": "text",
    "tinytext": "text",
    "text": "text",
    "mediumtext": "text",
    "longtext": "text",
    "enum": "text",
    "set": "text",
    "json": "text",
    "date": "date",
    "datetime": "datetime",
    "timestamp": "stamp",
    "time": "time",
    "binary": "binary",
    "varbinary": "binary",
    "tinyblob": "binary",
    "blob": "binary",
    "mediumblob": "binary",
    "longblob": "binary",
    "bit": "bit",
}

DATE_KINDS: frozenset[RawKind] = frozenset({"date", "datetime", "stamp"})


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
        try:
            kind = _KIND_BY_MYSQL_TYPE[self.data_type.lower()]
        except KeyError:
            raise UnsupportedColumnType(
                f"column {self.name!r} has MySQL type {self.column_type!r}, which is not mapped; "
                f"known types: {', '.join(sorted(_KIND_BY_MYSQL_TYPE))}. Add it to "
                "pipelines/opendental_sync/source_schema.py"
            ) from None
        if kind == "int" and self.data_type.lower() == "bigint" and "unsigned" in self.column_type.lower():
            return "uint64"
        return kind

    def select_expression(self) -> str:
        """SQL that reads this column in a form every driver converts exactly (no zero dates, no TIME
        beyond 24 hours, no session time zone dependence)."""
        col = quote_mysql(self.name)
        kind = self.kind
        if kind in ("date", "datetime"):
            # MySQL keeps 0000-00-00 and dates with month or day 0 under a blank sql_mode.
            return (
                f"IF({col} IS NULL OR YEAR({col}) = 0 OR MONTH({col}) = 0 OR DAYOFMONTH({col}) = 0, "
                f"NULL, {col}) AS {col}"
            )
        if kind == "stamp":
            # Epoch seconds are independent of the session time zone; 0 is MySQL's zero timestamp.
            return f"NULLIF(UNIX_TIMESTAMP({col}), 0) AS {col}"
        if kind in ("time", "uint64", "decimal"):
            return f"CAST({col} AS CHAR) AS {col}"
        if kind == "bit":
            return f"CAST({col} AS UNSIGNED) AS {col}"
        return col

    def zero_date_flag_expression(self) -> str | None:
        """SQL for a 0/1 column telling whether this row's value was a zero or impossible date. None for a
        NOT NULL column: there a NULL read is a zero date, counted without asking the server twice."""
        if not self.nullable:
            return None
        col = quote_mysql(self.name)
        if self.kind in ("date", "datetime"):
            return (
                f"({col} IS NOT NULL AND (YEAR({col}) = 0 OR MONTH({col}) = 0 OR DAYOFMONTH({col}) = 0)) "
                f"AS {quote_mysql(zero_flag_name(self.name))}"
            )
        if self.kind == "stamp":
            return f"(UNIX_TIMESTAMP({col}) = 0) AS {quote_mysql(zero_flag_name(self.name))}"
        return None

    def dlt_hint(self, is_key: bool) -> dict[str, Any]:
        """dlt column schema for this column."""
        kind = self.kind
        hint: dict[str, Any] = {"name": self.name, "nullable": not is_key}
        if kind in ("int", "bit"):
            hint["data_type"] = "bigint"
        elif kind == "uint64":
            hint.update(data_type="decimal", precision=20, scale=0)
        elif kind == "decimal":
            hint.update(data_type="decimal", precision=38, scale=9)
        elif kind == "double":
            hint["data_type"] = "double"
        elif kind in ("text", "time"):
            hint["data_type"] = "text"
        elif kind == "date":
            hint["data_type"] = "date"
        elif kind == "datetime":
            hint.update(data_type="timestamp", timezone=False, precision=6)
        elif kind == "stamp":
            hint.update(data_type="timestamp", timezone=True, precision=6)
        elif kind == "binary":
            hint["data_type"] = "binary"
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
