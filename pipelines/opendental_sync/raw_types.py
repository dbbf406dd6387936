"""The one table of type facts: what each kind of source column becomes at every step of the copy.

A source column's kind follows from its MySQL type alone (``kind_of``), never from the data of the day. For each
kind, ``RAW_TYPES`` says how it is read from MySQL (SQL that every driver converts exactly), the Arrow type a
batch is cast to, the dlt column hint that asks for its raw type, the PostgreSQL type dlt's postgres destination
creates for that hint, and the ``data_type`` dbt's sources declare (information_schema's name of that type).
``source_schema.SourceColumn``, ``read._cast_column``, ``copy_tables.CopyTables.create`` and
``scripts/generate_dbt_sources.py`` read it; nothing else decides a type.

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

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import pyarrow as pa

RawKind = Literal["int", "uint64", "double", "decimal", "text", "date", "datetime", "stamp", "time", "binary", "bit"]

# The fields of a dlt column hint that choose its type (the others: name, nullable, primary_key).
HINT_TYPE_FIELDS = ("data_type", "precision", "scale", "timezone")


@dataclass(frozen=True)
class CopyType:
    """A column type of the PostgreSQL copy.

    Attributes:
        dlt: the type fields of the dlt column hint that asks for it.
        pg: the PostgreSQL type dlt's postgres destination creates for that hint (and ``create_table`` too).
        dbt: information_schema.columns.data_type of that type: the ``data_type`` of dbt's sources.
    """

    dlt: Mapping[str, Any]
    pg: str
    dbt: str


def _copy_type(pg: str, dbt: str, **dlt: Any) -> CopyType:
    return CopyType(MappingProxyType(dlt), pg, dbt)


@dataclass(frozen=True)
class RawType:
    """Everything the copy decides for one kind of source column.

    Attributes:
        kind: the kind.
        mysql: the information_schema DATA_TYPE values of this kind (``bigint unsigned`` is ``uint64``).
        read: the SQL that reads column ``{col}``, in a form every driver converts exactly (no zero dates, no TIME
            beyond 24 hours, no session time zone dependence).
        zero_flag: SQL true when the stored value of a nullable ``{col}`` was a zero or impossible date (read as
            NULL); None for kinds without zero dates.
        arrow: the Arrow type a batch's column is cast to.
        copy: its type in the PostgreSQL copy.
    """

    kind: RawKind
    mysql: tuple[str, ...]
    read: str
    zero_flag: str | None
    arrow: pa.DataType
    copy: CopyType

    def read_sql(self, col: str) -> str:
        """The select-list item that reads the quoted column ``col``, under its own name."""
        return col if self.read == "{col}" else f"{self.read.format(col=col)} AS {col}"


# MySQL keeps 0000-00-00 and dates with month or day 0 under a blank sql_mode.
_ZERO_DATE = "YEAR({col}) = 0 OR MONTH({col}) = 0 OR DAYOFMONTH({col}) = 0"
_BIGINT = _copy_type("bigint", "bigint", data_type="bigint")
_TEXT = _copy_type("varchar", "character varying", data_type="text")

RAW_TYPES: Mapping[RawKind, RawType] = MappingProxyType(
    {
        t.kind: t
        for t in (
            RawType(
                "int",
                ("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"),
                "{col}",
                None,
                pa.int64(),
                _BIGINT,
            ),
            RawType(
                "uint64",
                (),
                "CAST({col} AS CHAR)",
                None,
                pa.decimal128(20, 0),
                _copy_type("numeric(20,0)", "numeric", data_type="decimal", precision=20, scale=0),
            ),
            RawType(
                "double",
                ("double", "float", "real"),
                "{col}",
                None,
                pa.float64(),
                _copy_type("double precision", "double precision", data_type="double"),
            ),
            RawType(
                "decimal",
                ("decimal", "numeric"),
                "CAST({col} AS CHAR)",
                None,
                pa.decimal128(38, 9),
                _copy_type("numeric(38,9)", "numeric", data_type="decimal", precision=38, scale=9),
            ),
            RawType(
                "text",
                ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json"),
                "{col}",
                None,
                pa.string(),
                _TEXT,
            ),
            RawType(
                "date",
                ("date",),
                f"IF({{col}} IS NULL OR {_ZERO_DATE}, NULL, {{col}})",
                f"({{col}} IS NOT NULL AND ({_ZERO_DATE}))",
                pa.date32(),
                _copy_type("date", "date", data_type="date"),
            ),
            RawType(
                "datetime",
                ("datetime",),
                f"IF({{col}} IS NULL OR {_ZERO_DATE}, NULL, {{col}})",
                f"({{col}} IS NOT NULL AND ({_ZERO_DATE}))",
                pa.timestamp("us"),
                _copy_type(
                    "timestamp(6) without time zone",
                    "timestamp without time zone",
                    data_type="timestamp",
                    timezone=False,
                    precision=6,
                ),
            ),
            RawType(
                "stamp",
                ("timestamp",),
                # Epoch seconds are independent of the session time zone; 0 is MySQL's zero timestamp.
                "NULLIF(UNIX_TIMESTAMP({col}), 0)",
                "(UNIX_TIMESTAMP({col}) = 0)",
                pa.timestamp("us", tz="UTC"),
                _copy_type(
                    "timestamp(6) with time zone",
                    "timestamp with time zone",
                    data_type="timestamp",
                    timezone=True,
                    precision=6,
                ),
            ),
            RawType("time", ("time",), "CAST({col} AS CHAR)", None, pa.string(), _TEXT),
            RawType(
                "binary",
                ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"),
                "{col}",
                None,
                pa.binary(),
                _copy_type("bytea", "bytea", data_type="binary"),
            ),
            RawType("bit", ("bit",), "CAST({col} AS UNSIGNED)", None, pa.int64(), _BIGINT),
        )
    }
)

# The pipeline's own columns beside the source's (_od_deleted; _od_deleted_at, _od_synced_at).
FLAG = _copy_type("boolean", "boolean", data_type="bool")
MOMENT = _copy_type("timestamp with time zone", "timestamp with time zone", data_type="timestamp", timezone=True)

COPY_TYPES: tuple[CopyType, ...] = (*(t.copy for t in RAW_TYPES.values()), FLAG, MOMENT)  # first match wins
KIND_BY_MYSQL_TYPE: Mapping[str, RawKind] = MappingProxyType(
    {mysql: t.kind for t in RAW_TYPES.values() for mysql in t.mysql}
)
DATE_KINDS: frozenset[RawKind] = frozenset(t.kind for t in RAW_TYPES.values() if t.zero_flag)


def kind_of(data_type: str, column_type: str) -> RawKind | None:
    """The kind of a source column from information_schema's DATA_TYPE and COLUMN_TYPE; None if not mapped."""
    kind = KIND_BY_MYSQL_TYPE.get(data_type.lower())
    if kind == "int" and data_type.lower() == "bigint" and "unsigned" in column_type.lower():
        return "uint64"
    return kind


def copy_type(hint: Mapping[str, Any]) -> CopyType:
    """The type of the copy a dlt column hint asks for.

    Raises:
        ValueError: no type of the table has the hint's type fields.
    """
    fields = {k: hint[k] for k in HINT_TYPE_FIELDS if k in hint}
    for t in COPY_TYPES:
        if dict(t.dlt) == fields:
            return t
    known = "; ".join(dict.fromkeys(str(dict(t.dlt)) for t in COPY_TYPES))
    raise ValueError(
        f"column {hint.get('name')!r}: no copy type has the dlt hint {fields}; known: {known}. "
        "Add it to pipelines/opendental_sync/raw_types.py"
    )
