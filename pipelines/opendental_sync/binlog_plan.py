"""Planning from the binlog (``sources.opendental.binlog = true``): between the full comparisons, the keys a
table's rows changed under come from the source's binlog, and only those rows are compared and read again.

Each run takes the binlog's position before it reads anything. A table planned by a diff saves that position with
its state once its copy is proven; the next run reads the events after it, which name every key written since
(same-second edits, stamps set back, hard deletes, ``FKey`` zeroed in place, late commits alike), reads those
rows again by key, loads them and marks the missing ones deleted, and saves the new position with the proof. The
rest of the table is checked by its row count. A table falls back to the diff, with a warning that says why, when
its position was purged or lies in a gap, when a statement changed its schema, when the account or the server's
logging is not what the binlog needs, or when the full comparison is due (``stamp_check_interval_s``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np

from opendental_sync.binlog import (
    ASK_FOR,
    Position,
    TableChanges,
    binary_logs,
    current_position,
    read_changes,
    readiness,
    row_counts,
    unavailable,
)
from opendental_sync.bookkeeping import TableState
from opendental_sync.bounded import bounded_where
from opendental_sync.buckets import bucketable, key_runs
from opendental_sync.diff import compute_diff, live_count
from opendental_sync.plan import Planner, schema_changes
from opendental_sync.plan_kinds import NamedKeys, TablePlan
from opendental_sync.registry import TableSpec
from opendental_sync.safety import describe_error
from opendental_sync.snapshots import empty_snapshot, keys_snapshot
from opendental_sync.source_schema import ROW_HASH_COLUMN, SourceTable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BinlogRun:
    """What a run learnt from the binlog before planning: its position, and what each followed table went through."""

    epoch: int  # the source's clock just before the position was taken
    position: Position
    changes: dict[str, TableChanges]
    counts: dict[str, tuple[int, int, int]]  # rows, lowest and highest key of each followed table


class BinlogPlanner(Planner):
    """Plans from the binlog the tables it can follow, and the others by diff (as Planner does)."""

    run: BinlogRun | None = None

    def begin_run(self, specs: list[TableSpec], tables: dict[str, SourceTable], state: dict[str, TableState]) -> None:
        self.run = None
        try:
            why = readiness(self.source)
        except Exception as e:  # the check itself failed: diff this run
            why = f"checking it failed ({describe_error(e)})"
        if why:
            log.warning(
                "binlog not used this run: %s; every table is compared by diff. Ask the server's administrator for: %s",
                why,
                ASK_FOR,
            )
            return
        try:
            self.run = self._start(specs, tables, state)
        except Exception as e:
            log.warning("binlog not used this run: %s; every table is compared by diff", describe_error(e))

    def _start(self, specs: list[TableSpec], tables: dict[str, SourceTable], state: dict[str, TableState]) -> BinlogRun:
        """The run's position, and each followed table's changes since its own position up to it."""
        epoch = self.source.server_epoch()
        followed = {s.name: c for s in specs if (c := self._follow(s, tables[s.name], state.get(s.name), epoch))}
        logs = binary_logs(self.source) if followed else {}
        for c in followed.values():
            if why := unavailable(c.start, logs):
                c.fall_back(why)
        # The counts belong to the moment between these two positions; a table written in between has none.
        counted = current_position(self.source)
        counts = row_counts(self.source, {n: c.key for n, c in followed.items() if c.fallback is None})
        end = current_position(self.source)
        read_changes(self.source, followed, end, counted)
        for name, c in followed.items():
            if c.fallback:
                log.warning("%s: binlog not used this run (%s); comparing by diff", name, c.fallback)
        return BinlogRun(epoch, end, followed, counts)

    def _follow(self, spec: TableSpec, table: SourceTable, st: TableState | None, epoch: int) -> TableChanges | None:
        """The table's changes to fill from the binlog, or None when it is planned by diff this run."""
        if not bucketable(spec, table):
            return None  # no single integer key to name rows by
        if st is None or st.binlog_file is None or st.binlog_pos is None:
            log.info("%s: no binlog position saved yet; comparing by diff", spec.name)
            return None
        checked = st.stamps_checked_epoch
        if checked is None or epoch - checked >= self.settings.stamp_check_interval_s:
            log.info("%s: the full comparison is due (stamp_check_interval_s); comparing by diff", spec.name)
            return None
        if schema_changes(st.source_columns, table)[0]:
            return None  # the diff reads what a schema change needs
        return TableChanges(spec.primary_key[0], Position(st.binlog_file, st.binlog_pos))

    def _plan(
        self, spec: TableSpec, table: SourceTable, state: TableState | None, exists: bool, full_refresh: bool
    ) -> TablePlan:
        run = self.run
        changes = run.changes.get(spec.name) if run else None
        followed = run is not None and changes is not None and changes.fallback is None and state is not None
        if followed and exists and not full_refresh and not self._hash_missing(spec):
            assert run is not None and changes is not None and state is not None
            return self._from_binlog(spec, table, state, run, changes)
        if changes is not None and changes.fallback is not None and state is not None:
            # A table the binlog could not follow this run (purged, a gap, a schema change): every row compared.
            state = replace(state, stamps_checked_epoch=None)
        planned = super()._plan(spec, table, state, exists, full_refresh)
        if run is not None:
            planned.binlog_from = run.position
        return planned

    def _hash_missing(self, spec: TableSpec) -> bool:
        return spec.strategy == "hash" and not self.copy.tables.has_column(spec, ROW_HASH_COLUMN)

    def _from_binlog(
        self, spec: TableSpec, table: SourceTable, state: TableState, run: BinlogRun, changes: TableChanges
    ) -> NamedKeys:
        """The keys the binlog named, on both sides: every one of them still in the source is read again."""
        keys = np.array(sorted(changes.exists), dtype=np.int64)
        ranges = key_runs(keys)
        chunk = self.settings.chunk_size
        source_snap = keys_snapshot(self.source, spec, keys.tolist(), chunk) if len(keys) else empty_snapshot(spec)
        copy_snap = self.copy.snapshot(spec, True, ranges)
        diff = compute_diff(source_snap, copy_snap, spec, unsettled_since=None, fetch_all=True)
        where = bounded_where(spec, source_snap, diff.needed, self.rows_per_query(spec), covers=ranges)
        rows, low, high = run.counts[spec.name]
        # The copy's rows outside these keys, as the last proof counted them; after a run that wrote the table and
        # was stopped before its proof, counted again.
        live = self.copy.counter.live_rows(spec) if state.live_rows is None else state.live_rows
        source_outside = None if changes.written_late else rows - sum(changes.exists.values())
        log.info(
            "%s: %d source rows; the binlog since %s names %d keys: %d to fetch (%d new, %d changed), %d deleted",
            spec.name,
            rows,
            changes.start,
            len(keys),
            diff.fetch_count,
            diff.inserted,
            diff.updated,
            diff.deleted_keys.num_rows,
        )
        self._facts().remember_deleted(diff.deleted_keys)  # what a zeroed_on_delete column may point at
        return NamedKeys(
            spec=spec,
            source=table,
            snapshot_started=run.epoch,
            schema_changes=[],
            exists_in_copy=True,
            binlog_from=run.position,
            source_snapshot=source_snap,
            diff=diff,
            where=where,
            key_ranges=ranges,
            copy_outside=live - live_count(copy_snap),
            source_outside=source_outside,
            key_span=(low, high),
        )
