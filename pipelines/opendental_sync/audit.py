"""The full audit (monthly): every column of every live row of the copy compared with the source.

The daily proof compares each row's key and change stamp; it cannot see a row whose values differ while its
stamp is equal (a value the load changed, or a copy edited by hand). The audit reads both sides whole, in the
same bounded key-range reads as a load (``chunk_size`` rows a query, one query at a time), types the source's
rows exactly as a load does, and compares them value by value with the copy's rows of the same key span.

A difference is *corruption* only where it cannot be a change in flight:
- same key on both sides, equal change tokens (the stamp; for strategy ``hash`` its watched columns), other
  values; never in the small tables reloaded whole each run (strategy ``full``), where it is a change since;
- a source row missing from the copy although it was stamped before the copy's last read of the table
  (less ``stamp_overlap_s``, as the daily diff allows for late commits).
Everything else (rows changed, added or removed since the last run read the table) is *unsettled*: the next
run takes it. So the audit needs no lock and never makes a run wait. It reports counts, column names and key
ranges only, never a value.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opendental_sync.bookkeeping import TableState
from opendental_sync.buckets import key_spans
from opendental_sync.destination import CopyDatabase
from opendental_sync.names import raw_name
from opendental_sync.read import ExtractStats, KeyRanges, ReadLimits, read_rows
from opendental_sync.registry import TableSpec
from opendental_sync.snapshots import key_bounds
from opendental_sync.source import SourceDatabase
from opendental_sync.source_schema import SourceTable
from opendental_sync.sync import Synchronizer

log = logging.getLogger(__name__)
_MAX_RANGES = 20


@dataclass
class TableAudit:
    """What the audit found in one table: counts, column names and key ranges (never values)."""

    table: str
    rows_compared: int = 0
    rows_differing: int = 0
    rows_unsettled: int = 0
    columns_differing: set[str] = field(default_factory=set)
    ranges_differing: list[tuple[int, int]] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""  # why the table was not compared (the next run must load it first)

    @property
    def ok(self) -> bool:
        return self.rows_differing == 0

    def describe(self) -> str:
        if self.skipped:
            return f"{self.table}: not compared ({self.skipped})"
        if self.ok:
            return f"{self.table}: {self.rows_compared} rows equal ({self.rows_unsettled} unsettled)"
        ranges = ", ".join(f"{lo}..{hi}" for lo, hi in self.ranges_differing[:_MAX_RANGES])
        return (
            f"{self.table}: {self.rows_differing} of {self.rows_compared} rows differ in "
            f"{', '.join(sorted(self.columns_differing)) or 'presence'} (key ranges {ranges})"
        )


def audit(sync: Synchronizer, group: str, names: Sequence[str] | None) -> list[TableAudit]:
    """Audit the selected tables that the copy has (single-key tables: every OpenDental table), one by one."""
    specs, tables = sync.selected(group, names)
    sync.copy.bookkeeping.ensure()
    state, existing = sync.copy.bookkeeping.load_state(), sync.copy.tables.existing()
    found = []
    for spec in specs:
        if len(spec.primary_key) != 1 or raw_name(spec.name) not in existing:
            log.warning(
                "audit: %s skipped (%s)",
                spec.name,
                "not in the copy yet" if len(spec.primary_key) == 1 else "composite key",
            )
            continue
        found.append(
            audit_table(
                sync.source, sync.copy, tables[spec.name], spec, state.get(spec.name),
                sync.rows_per_query(spec), sync.settings.stamp_overlap_s,
            )
        )  # fmt: skip
    return found


def audit_table(
    source: SourceDatabase,
    copy: CopyDatabase,
    table: SourceTable,
    spec: TableSpec,
    state: TableState | None,
    chunk_size: int,
    stamp_overlap_s: int,
) -> TableAudit:
    """Compare ``table`` span by span (about ``chunk_size`` rows each)."""
    started = time.monotonic()
    found = TableAudit(spec.name)
    # Rows stamped at or after this may have changed since the last run read the table.
    settled_before = (state.snapshot_started_epoch - stamp_overlap_s) if state else None
    # The columns the copy had at its last run: one added in OpenDental since is the next run's to copy.
    known = set(state.source_columns) if state else set()
    columns = [c.name for c in table.columns if c.name in known]
    keys = set(spec.primary_key) | ({spec.stamp} if spec.stamp else set()) | set(spec.hash_columns)
    if not keys <= set(columns):
        found.skipped = "no run has loaded it since its key or change-token columns appeared"
        log.warning("audit %s", found.describe())
        return found
    for lo, hi in key_spans(*key_bounds(source, spec), chunk_size):
        src = _source_rows(source, table, spec, lo, hi, chunk_size, columns)
        cpy = copy.live_rows(spec, [raw_name(c) for c in columns], lo, hi)
        before = found.rows_differing
        _compare(src, cpy, spec, columns, settled_before, found)
        if found.rows_differing > before:
            found.ranges_differing.append((lo, hi))
    found.seconds = round(time.monotonic() - started, 2)
    log.info("audit %s", found.describe())
    return found


def _source_rows(
    source: SourceDatabase, table: SourceTable, spec: TableSpec, lo: int, hi: int, chunk: int, columns: list[str]
) -> pa.Table:
    stats = ExtractStats()
    rows = read_rows(source, table, spec, KeyRanges([(lo, hi)]), datetime.now(UTC), stats, ReadLimits(chunk, workers=1))
    parts = list(rows)
    if not parts:
        return pa.table({c: pa.array([], pa.null()) for c in columns})
    return pa.concat_tables(parts).select(columns)


def _compare(
    src: pa.Table, cpy: pa.Table, spec: TableSpec, columns: list[str], settled_before: int | None, found: TableAudit
) -> None:
    key = spec.primary_key[0]
    src_keys = np.asarray(src.column(key).to_numpy(zero_copy_only=False), dtype=np.int64)
    cpy_keys = np.asarray(cpy.column(raw_name(key)).to_numpy(zero_copy_only=False), dtype=np.int64)
    both, si, ci = np.intersect1d(src_keys, cpy_keys, assume_unique=True, return_indices=True)
    settled = _settled(src, spec, settled_before)
    # Source rows the copy lacks: corruption when settled; else in flight. Copy rows the source lacks: deletes
    # since the last run (the daily proof proves key sets after each run).
    only_src = np.setdiff1d(np.arange(len(src_keys)), si)
    lost = int(settled[only_src].sum()) if len(only_src) else 0
    found.rows_differing += lost
    found.rows_unsettled += len(only_src) - lost + (len(cpy_keys) - len(both))
    if lost:
        found.columns_differing.add("(row missing from the copy)")
    found.rows_compared += len(both)
    if not len(both):
        return
    a, b = src.take(pa.array(si)), cpy.take(pa.array(ci))
    differs = np.zeros(len(both), dtype=bool)
    per_column = {}
    for name in columns:
        per_column[name] = _differs(a.column(name), b.column(raw_name(name)))
        differs |= per_column[name]
    # A changed token (the stamp, or a column the hash strategy watches) means the row changed since the last
    # run: in flight, not corruption. A table reloaded whole each run differs only by a change since.
    moved = np.full(len(both), spec.strategy == "full")
    for name in [spec.stamp] if spec.stamp else spec.hash_columns:
        moved |= per_column[name]
    if spec.stamp:
        moved |= ~settled[si]
    found.rows_unsettled += int((differs & moved).sum())
    differs &= ~moved
    found.rows_differing += int(differs.sum())
    found.columns_differing.update(name for name, col in per_column.items() if (col & differs).any())


def _differs(left: pa.ChunkedArray, right: pa.ChunkedArray) -> np.ndarray:
    """Per row: the two values differ (NULL equals NULL). A copy column that cannot take the source's type
    differs on every row; the cast's error, which may quote a value, is never shown."""
    try:
        if right.type != left.type:
            right = right.cast(left.type)
        equal = pc.fill_null(pc.equal(left, right), False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return np.ones(len(left), dtype=bool)
    same = pc.or_kleene(equal, pc.and_(pc.is_null(left), pc.is_null(right)))
    return ~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)


def _settled(src: pa.Table, spec: TableSpec, settled_before: int | None) -> np.ndarray:
    """Per source row: stamped before the copy's last read of the table (no stamp: never known settled)."""
    if not spec.stamp or settled_before is None:
        return np.zeros(src.num_rows, dtype=bool)
    stamps = pc.divide(src.column(spec.stamp).cast(pa.timestamp("us")).cast(pa.int64()), 1_000_000)
    return np.asarray(pc.fill_null(pc.less(stamps, settled_before), False).to_numpy(zero_copy_only=False), bool)
