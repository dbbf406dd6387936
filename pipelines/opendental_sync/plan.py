"""What each table needs this run, decided from what both sides hold now: the Planner picks one kind of plan
(plan_kinds.py) per table, taking the cheapest that still proves the copy (shortcuts.py)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pyarrow as pa

from opendental_sync.bookkeeping import TableState
from opendental_sync.bounded import RowsPerQuery, bounded_where
from opendental_sync.buckets import (
    Fingerprint,
    Hashed,
    bucket_of,
    bucket_width,
    bucketable,
    key_ranges,
    key_runs,
    key_spans,
)
from opendental_sync.config import SyncSettings
from opendental_sync.destination import CopyDatabase
from opendental_sync.diff import Reconciliation, TableDiff, compute_diff, live_count, reconcile
from opendental_sync.plan_kinds import (
    BucketDiff,
    FirstLoad,
    KeyDiff,
    NamedKeys,
    PlanBase,
    TablePlan,
    Unchanged,
    WholeRead,
    common_fields,
    writes_copy,
)
from opendental_sync.read import ExtractStats, KeyRanges, RowSelection, WholeTable
from opendental_sync.registry import TableSpec
from opendental_sync.shortcuts import (
    COUNTED,
    KEYS_AND_DELETED_POINTERS,
    KEYS_AND_STAMP_INDEX,
    KEYS_AND_TOKENS,
    NOT_WRITTEN,
    STAMPS_READ,
    RunFacts,
    counts_exactly,
    not_written_proof,
    recently_checked,
)
from opendental_sync.snapshots import (
    bucket_groups,
    changed_since,
    empty_snapshot,
    key_bounds,
    keys_above,
    keys_snapshot,
    range_snapshot,
    source_fingerprint,
    source_snapshot,
    stamped_by_scan,
)
from opendental_sync.source import SourceDatabase
from opendental_sync.source_schema import ROW_HASH_COLUMN, SourceTable

log = logging.getLogger(__name__)


class Planner:
    """Plans tables against the source and the copy, with the run's settings."""

    def __init__(
        self, source: SourceDatabase, copy: CopyDatabase, settings: SyncSettings, rows_per_query: RowsPerQuery
    ):
        self.source, self.copy, self.settings, self.rows_per_query = source, copy, settings, rows_per_query
        self.facts: RunFacts | None = None

    def begin(self) -> None:
        """Before the run's first plan: when each source table was last written, and the latest proofs."""
        self.facts = RunFacts(self.source.write_times())

    def begin_run(self, specs: list[TableSpec], tables: dict[str, SourceTable], state: dict[str, TableState]) -> None:
        """Called before a run plans its tables (the binlog planner takes the run's position here)."""

    def plan(
        self, spec: TableSpec, table: SourceTable, state: TableState | None, exists: bool, full_refresh: bool
    ) -> TablePlan:
        """The table's plan; when it writes the copy, the copy's saved row count is forgotten until its proof."""
        planned = self._plan(spec, table, state, exists, full_refresh)
        if state is not None and state.live_rows is not None and writes_copy(planned):
            self.copy.bookkeeping.forget_live_rows(spec.name)
        return planned

    def _plan(
        self, spec: TableSpec, table: SourceTable, state: TableState | None, exists: bool, full_refresh: bool
    ) -> TablePlan:
        changes, column_added = schema_changes(state.source_columns if state else None, table)
        facts = self._facts()
        interval = self.settings.stamp_check_interval_s
        # A table switched to the hash strategy has no hash column in the copy yet: read it whole once.
        hash_missing = exists and spec.strategy == "hash" and not self.copy.tables.has_column(spec, ROW_HASH_COLUMN)
        proof = None
        if exists and not full_refresh and not hash_missing:
            proof = not_written_proof(spec, state, bool(changes), facts, interval)
        if proof is not None:
            log.info(
                "%s: %d source rows, not written since the last proven run: not read", spec.name, proof.source_rows
            )
            base = PlanBase(spec, table, facts.writes.taken_at, changes, exists)
            return Unchanged(**common_fields(base), reconciliation=proof, compared=NOT_WRITTEN)
        base = PlanBase(spec, table, self.source.server_epoch(), changes, exists)
        whole = hash_missing or full_refresh or column_added or spec.strategy == "full"
        if not whole and bucketable(spec, table):
            return self._plan_buckets(base, state)
        copy_snap = self.copy.snapshot(replace(spec, strategy="append") if hash_missing else spec, exists)
        if whole or copy_snap.num_rows == 0:
            log.info("%s: full read%s", spec.name, _schema_note(changes))
            if copy_snap.num_rows:  # its deletions are found after the load, too late for a zeroed_on_delete column
                facts.unlisted.append(spec.name)
            return WholeRead(**common_fields(base), copy_snapshot=copy_snap)
        return self._plan_keys(base, state, copy_snap)

    def _plan_keys(self, base: PlanBase, state: TableState | None, copy_snap: pa.Table) -> TablePlan:
        spec = base.spec
        source_snap = source_snapshot(self.source, spec, self.settings.chunk_size)
        unsettled = state.snapshot_started_epoch - 1 if state else None
        diff = compute_diff(source_snap, copy_snap, spec, unsettled_since=unsettled)
        where = bounded_where(spec, source_snap, diff.needed, self.rows_per_query(spec))
        if not where and diff.deleted_keys.num_rows == 0:
            # Nothing to load or mark: both sides were read just now, so their comparison is the proof.
            log.info("%s: %d source rows, unchanged", spec.name, source_snap.num_rows)
            return Unchanged(**common_fields(base), reconciliation=reconcile(source_snap, copy_snap, spec))
        _log_diff(spec, source_snap.num_rows, "", diff, base.schema_changes)
        self._facts().remember_deleted(diff.deleted_keys)
        return KeyDiff(**common_fields(base), source_snapshot=source_snap, diff=diff, where=where)

    def _plan_buckets(self, base: PlanBase, state: TableState | None) -> TablePlan:
        """Plan a single-key table by bucket fingerprints: only buckets that differ are diffed key by key."""
        spec = base.spec
        bounds = key_bounds(self.source, spec)
        width = bucket_width(*bounds)
        if not base.exists_in_copy:
            return self._first_load(base, bounds, width)
        new = self._new_keys(base, state, bounds)
        changed, compared = self._changed_keys(base, state, bounds if new is not None else None)
        if new is not None and changed is not None and state is not None:
            counted = self._counted(base, state, np.union1d(changed.to_numpy(), new), bounds, compared)
            if counted is not None:
                return counted
        if compared == STAMPS_READ:  # the stamps were read for the count check, which found a delete
            changed, compared = None, KEYS_AND_TOKENS
        unsettled = state.snapshot_started_epoch - 1 if state and spec.stamp else None
        hashed: Hashed = "keys and tokens" if changed is None else "keys"
        source_fp, copy_fp = self._fingerprints(spec, width, bounds, unsettled, hashed)
        if not copy_fp.buckets:
            return self._first_load(base, bounds, width)
        dirty = source_fp.differing(copy_fp) | copy_fp.unsettled
        if changed is not None and len(changed):
            dirty |= {int(b) for b in np.unique(bucket_of(changed.to_numpy(), width))}
        how = f"by bucket: {compared}"
        if not dirty:
            log.info("%s: %d source rows, unchanged (%s)", spec.name, bounds[2], how)
            rec = Reconciliation(
                source_fp.rows, copy_fp.rows, source_fp.checksum(), copy_fp.checksum(), 0, empty_snapshot(spec)
            )
            return Unchanged(**common_fields(base), reconciliation=rec, compared=compared)
        ranges = key_ranges(dirty, width)
        chunk = self.settings.chunk_size
        source_snap = range_snapshot(self.source, spec, bucket_groups(dirty, source_fp, chunk), chunk)
        diff = compute_diff(source_snap, self.copy.snapshot(spec, True, ranges), spec, unsettled_since=unsettled)
        where = bounded_where(spec, source_snap, diff.needed, self.rows_per_query(spec), covers=ranges)
        buckets = len(set(source_fp.buckets) | set(copy_fp.buckets))
        found = f"{len(dirty)} of {buckets} buckets differ ({how}; {source_snap.num_rows} keys compared): "
        _log_diff(spec, bounds[2], found, diff, base.schema_changes)
        self._facts().remember_deleted(diff.deleted_keys)
        return BucketDiff(
            **common_fields(base),
            source_snapshot=source_snap,
            diff=diff,
            where=where,
            compared=compared,
            clean_source=source_fp.without(dirty),
            clean_copy=copy_fp.without(dirty),
            dirty_ranges=ranges,
        )

    def _new_keys(
        self, base: PlanBase, state: TableState | None, bounds: tuple[int | None, int | None, int]
    ) -> np.ndarray | None:
        """Between full checks, for a table whose row count the source knows exactly: the source's keys above the
        copy's highest, when the source's count less them equals the copy's rows at the last proof (no row was
        deleted since; the count check in _counted makes sure). None: compare the table's keys."""
        spec, settings = base.spec, self.settings
        if state is None or state.live_rows is None or not counts_exactly(spec, self._facts()):
            return None
        if not recently_checked(state, base.snapshot_started, settings.stamp_check_interval_s):
            return None
        top = self.copy.highest_key(spec)
        new = keys_above(self.source, spec, top, settings.chunk_size) if top is not None else None
        if new is None or bounds[2] - len(new) != state.live_rows:
            return None
        return new

    def _counted(
        self,
        base: PlanBase,
        state: TableState,
        keys: np.ndarray,
        bounds: tuple[int | None, int | None, int],
        compared: str,
    ) -> NamedKeys | None:
        """The changed and new keys diffed on both sides, and the rest of the table checked by its row count
        (``bounds``, counted before the keys were read: a row written in between shows as a count mismatch, and
        the table is then compared by its keys); None when the counts differ."""
        spec, chunk = base.spec, self.settings.chunk_size
        ranges = key_runs(keys)
        source_snap = keys_snapshot(self.source, spec, keys.tolist(), chunk) if len(keys) else empty_snapshot(spec)
        copy_snap = self.copy.snapshot(spec, True, ranges)
        source_outside = bounds[2] - source_snap.num_rows
        assert state.live_rows is not None
        copy_outside = state.live_rows - live_count(copy_snap)
        if source_outside != copy_outside:
            log.info(
                "%s: outside %d changed keys the source has %d rows and the copy %d: comparing every key",
                spec.name,
                len(keys),
                source_outside,
                copy_outside,
            )
            return None
        unsettled = state.snapshot_started_epoch - 1 if spec.stamp else None
        diff = compute_diff(source_snap, copy_snap, spec, unsettled_since=unsettled)
        where = bounded_where(spec, source_snap, diff.needed, self.rows_per_query(spec), covers=ranges)
        found = f"{len(keys)} changed or new keys compared, the rest by row count: "
        _log_diff(spec, bounds[2], found, diff, base.schema_changes)
        self._facts().remember_deleted(diff.deleted_keys)
        low, high = bounds[0] or 0, bounds[1] or 0
        return NamedKeys(
            **common_fields(base),
            source_snapshot=source_snap,
            diff=diff,
            where=where,
            key_ranges=ranges,
            copy_outside=copy_outside,
            source_outside=source_outside,
            key_span=(low, high),
            compared=COUNTED[compared],
        )

    def _changed_keys(
        self, base: PlanBase, state: TableState | None, stamps_to_read: tuple[int | None, int | None, int] | None = None
    ) -> tuple[pa.Array | None, str]:
        """Between full checks (every row's token compared less than stamp_check_interval_s ago): the keys whose
        rows may have changed, found without reading every row (given the table's key bounds in
        ``stamps_to_read``, by reading every row's stamp where no index leads with it), and what the proof then
        compares. (None, keys and tokens): compare every row's token."""
        spec, settings = base.spec, self.settings
        if state is None or not recently_checked(state, base.snapshot_started, settings.stamp_check_interval_s):
            return None, KEYS_AND_TOKENS
        # Rows stamped since an hour before the last run began; None when there are more than chunk_size of
        # them (a mass re-stamp).
        since = state.snapshot_started_epoch - settings.stamp_overlap_s
        if spec.stamp and spec.stamp in base.source.leading_indexed:
            stamped = changed_since(self.source, spec, since, settings.chunk_size)
            return (None, KEYS_AND_TOKENS) if stamped is None else (stamped, KEYS_AND_STAMP_INDEX)
        if spec.stamp and stamps_to_read is not None:
            stamped = stamped_by_scan(
                self.source,
                spec,
                since,
                stamps_to_read,
                settings.chunk_size,
                settings.read_workers,
                settings.chunk_size,
            )
            return (None, KEYS_AND_TOKENS) if stamped is None else (stamped, STAMPS_READ)
        deleted = self._facts().deleted_keys()
        if spec.zeroed_on_delete and deleted is not None:
            return self.copy.keys_pointing_at(spec, spec.zeroed_on_delete, deleted), KEYS_AND_DELETED_POINTERS
        return None, KEYS_AND_TOKENS

    def _facts(self) -> RunFacts:
        if self.facts is None:
            self.begin()
        assert self.facts is not None
        return self.facts

    def _fingerprints(
        self,
        spec: TableSpec,
        width: int,
        bounds: tuple[int | None, int | None, int],
        unsettled: int | None,
        hashed: Hashed,
    ) -> tuple[Fingerprint, Fingerprint]:
        """The source's and the copy's bucket fingerprints, MariaDB and PostgreSQL working at once."""
        self.copy.tables.ensure_key_index(spec)
        with ThreadPoolExecutor(1, thread_name_prefix="copy-fingerprint") as pool:
            copy_job = pool.submit(self.copy.fingerprint, spec, width, unsettled, hashed)
            source_fp = source_fingerprint(
                self.source, spec, width, bounds, hashed, self.settings.read_workers, self.settings.chunk_size
            )
            return source_fp, copy_job.result()

    def _first_load(self, base: PlanBase, bounds: tuple[int | None, int | None, int], width: int) -> FirstLoad:
        # Nothing live in the copy: read every row once; the read is fingerprinted as it goes, and the copy's
        # fingerprints after the load must equal it.
        log.info("%s: full read%s", base.spec.name, _schema_note(base.schema_changes))
        plan = FirstLoad(**common_fields(base), ranges=key_spans(*bounds, self.settings.chunk_size))
        plan.stats.fingerprint = Fingerprint(width)
        return plan


def first_read(
    db: SourceDatabase, spec: TableSpec, table: SourceTable, chunk_size: int
) -> tuple[RowSelection, ExtractStats]:
    """How a first load reads a table, and the stats its read fills: a single-key table by key range,
    fingerprinted as read; any other table whole, in key order."""
    stats = ExtractStats()
    if spec.strategy == "full" or not bucketable(spec, table):
        return WholeTable(), stats
    bounds = key_bounds(db, spec)
    stats.fingerprint = Fingerprint(bucket_width(*bounds))
    return KeyRanges(key_spans(*bounds, chunk_size)), stats


def schema_changes(previous: dict[str, str] | None, table: SourceTable) -> tuple[list[str], bool]:
    """Describe source schema changes since the last run; True when a column was added (every row of the
    table then has a value the copy lacks, without its stamp having moved)."""
    if previous is None:
        return [], False
    current = table.column_types
    changes = [f"added column {c} {current[c]}" for c in current if c not in previous]
    changes += [
        f"changed type of {c}: {previous[c]} -> {current[c]}"
        for c in current
        if previous.get(c, current[c]) != current[c]
    ]
    changes += [
        f"column {c} dropped in the source; kept in raw (NULL for new rows)" for c in previous if c not in current
    ]
    return changes, any(c not in previous for c in current)


def _log_diff(spec: TableSpec, rows: int, compared: str, diff: TableDiff, changes: list[str]) -> None:
    """One line per planned table: what the comparison found and what this run fetches (counts only)."""
    log.info(
        "%s: %d source rows, %s%d to fetch (%d new, %d changed), %d deleted%s",
        spec.name,
        rows,
        compared,
        diff.fetch_count,
        diff.inserted,
        diff.updated,
        diff.deleted_keys.num_rows,
        _schema_note(changes),
    )


def _schema_note(changes: list[str]) -> str:
    return f"; schema: {'; '.join(changes)}" if changes else ""
