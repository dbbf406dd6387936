"""The raw names dlt gives source names, and the source names that must not steer the product: tables and
columns whose raw name would overwrite the pipeline's bookkeeping, merge two source objects into one, or that
dlt cannot use as a file name.

Such a table is refused with a message naming it and never loaded; every other table loads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from dlt.common.normalizers.naming.snake_case import NamingConvention
from pathvalidate import ValidationError, validate_filename

from opendental_sync.source_schema import SourceTable

_naming = NamingConvention()


def raw_name(source_name: str) -> str:
    """The raw column or table name dlt gives a source identifier (``DateTStamp`` -> ``date_t_stamp``)."""
    return _naming.normalize_identifier(source_name)


# Raw names the pipeline writes itself: its tables (_od_run_log, ...), its columns (_od_deleted, ...) and dlt's.
RESERVED_PREFIXES = ("_od_", "_dlt")


def _reserved(raw: str) -> bool:
    return raw.startswith(RESERVED_PREFIXES)


def refused_tables(tables: dict[str, SourceTable]) -> dict[str, str]:
    """Source tables that cannot be copied safely, each with the reason (naming the table and column)."""
    refused: dict[str, str] = {}
    by_raw: dict[str, list[str]] = defaultdict(list)
    for name in tables:
        by_raw[raw_name(name)].append(name)
    for raw, names in by_raw.items():
        if len(names) > 1:
            for name in names:
                others = ", ".join(repr(n) for n in names if n != name)
                refused[name] = f"table {name!r} and table {others} would both be raw table {raw!r}"
    for name, table in tables.items():
        if name in refused:
            continue
        raw = raw_name(name)
        if _reserved(raw):
            refused[name] = (
                f"table {name!r} would be raw table {raw!r}, a name the pipeline keeps for its own bookkeeping "
                f"({', '.join(p + '*' for p in RESERVED_PREFIXES)})"
            )
            continue
        try:
            validate_filename(raw, platform="universal")
        except ValidationError:
            refused[name] = f"table {name!r}: its raw name {raw!r} cannot be used as a file name by dlt"
            continue
        reason = _column_problem(table)
        if reason:
            refused[name] = f"table {name!r}: {reason}"
    return refused


def _column_problem(table: SourceTable) -> str | None:
    by_raw: dict[str, list[str]] = defaultdict(list)
    for col in table.columns:
        by_raw[raw_name(col.name)].append(col.name)
    for raw, names in by_raw.items():
        if len(names) > 1:
            return f"columns {', '.join(repr(n) for n in names)} would all be raw column {raw!r}"
        if _reserved(raw) or names[0].startswith("__zero__"):
            return f"column {names[0]!r} would be raw column {raw!r}, a name the pipeline keeps for its bookkeeping"
    return None


def without_columns(tables: dict[str, SourceTable], excluded: Sequence[str]) -> dict[str, SourceTable]:
    """``tables`` less the columns named ``table.column`` in ``excluded`` (case-insensitive): they are never
    read nor copied. A key column cannot be excluded."""
    drop: dict[str, set[str]] = defaultdict(set)
    for entry in excluded:
        table_name, _, column = entry.partition(".")
        if not column:
            raise ValueError(
                f"sources.opendental.exclude_columns: {entry!r} is not table.column (e.g. userod.Password)"
            )
        drop[table_name.lower()].add(column.lower())
    out: dict[str, SourceTable] = {}
    for name, table in tables.items():
        cols = drop.get(name.lower())
        if not cols:
            out[name] = table
            continue
        keys = [k for k in table.primary_key if k.lower() in cols]
        if keys:
            raise ValueError(
                f"sources.opendental.exclude_columns names key column {name}.{keys[0]}; exclude the table instead "
                "(exclude_tables)"
            )
        out[name] = replace(table, columns=tuple(c for c in table.columns if c.name.lower() not in cols))
    return out
