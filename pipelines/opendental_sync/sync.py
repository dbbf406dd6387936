"""One run: plan every table from key snapshots, load what changed with dlt, mark deletes, and prove the
copy equals the source.

Why a key diff rather than a ``WHERE stamp > :cursor`` watermark: OpenDental's stamps have one-second
resolution, upgrades stamp whole tables with one value, stamps are rarely indexed, and rows can be
written with a stamp older than one already read. Comparing (key, stamp) of every row on both sides has
no boundary to get wrong, finds hard deletes with the same read, and is the reconciliation itself.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import numpy as np
import psycopg2
import pyarrow as pa
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from opendental_sync.buckets import Fingerprint, bucket_of, bucket_width, bucketable, key_ranges, key_spans
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.destination import (
    RECONCILIATION,
    RUN_LOG,
    CopyDatabase,
    DestinationUnreachable,
    RunLock,
    RunLockLost,
    TableState,
    raw_name,
)
from opendental_sync.diff import (
    Reconciliation,
    TableDiff,
    compute_diff,
    expected_after_load,
    judged,
    reconcile,
    reconcile_judged,
)
from opendental_sync.extract import (
    DELETED_COLUMN,
    STAMP,
    ExtractStats,
    bucket_groups,
    changed_since,
    dlt_columns,
    empty_snapshot,
    fetch_batches,
    key_bounds,
    plan_batches,
    range_snapshot,
    source_fingerprint,
    source_snapshot,
)
from opendental_sync.memory import releasing_free_memory
from opendental_sync.names import refused_tables, without_columns
from opendental_sync.progress import ReadProgress
from opendental_sync.registry import (
    TableSpec,
    check_against_source,
    infer_spec,
    load_registry,
)
from opendental_sync.retry import RetryPolicy
from opendental_sync.safety import describe_error, private_dir, remove_tree, safe_dirname
from opendental_sync.source import SourceDatabase, SourceReadError, SourceUnreachable
from opendental_sync.source_schema import ROW_HASH_COLUMN, SourceTable
from opendental_sync.staging import StagedFiles, remove_row_files, write_parquet

log = logging.getLogger(__name__)
PIPELINE_NAME = "opendental"
FILE_ROWS = 200_000  # rows per staged Parquet file: a load job holds one file in memory
FILE_BATCHES = 4  # a staged file holds at most this many max_batch_bytes (a load job reads one whole file)
GROUP_ROWS = 500_000  # rows read before a group of tables is handed to dlt to load
# Fault injection for the tests that kill a run at a given step (extract, normalize, load, finish).
CRASH_AT_ENV = "OPENDENTAL_SYNC_CRASH_AT"


def _crash_point(step: str) -> None:
    if os.environ.get(CRASH_AT_ENV) == step:
        log.warning("killing this process at step %r (%s is set)", step, CRASH_AT_ENV)
        os.kill(os.getpid(), signal.SIGKILL)


def _crash_after_first(batches: Iterator[pa.Table]) -> Iterator[pa.Table]:
    for i, batch in enumerate(batches):
        yield batch
        if i == 0:
            _crash_point("extract")


class SelectionError(ValueError):
    """The tables or group asked for on the command line do not exist."""


@dataclass
class TablePlan:
    """What one table needs this run.

    ``batches`` is None for a *full read* (the copy is empty, a full refresh, a new source column, or a
    table reloaded whole by strategy): every row is read once in key order, and that read is also the
    snapshot. Otherwise the run read a key snapshot, diffed it with the copy, and ``batches`` holds the
    bounded queries for the rows that differ.
    """

    spec: TableSpec
    source: SourceTable
    snapshot_started: int
    copy_snapshot: pa.Table
    source_snapshot: pa.Table | None
    diff: TableDiff | None
    batches: list[str] | None
    schema_changes: list[str]
    exists_in_copy: bool
    stats: ExtractStats = field(default_factory=ExtractStats)
    # Set at planning when nothing differs: the proof is the comparison of the two sides just read.
    reconciliation: Reconciliation | None = None
    # Bucketed tables (a single integer key): the fingerprints of the buckets both sides agree on, and
    # the key ranges of the buckets that differ, which the snapshots above cover.
    clean_source: Fingerprint | None = None
    clean_copy: Fingerprint | None = None
    dirty_ranges: list[tuple[int, int]] | None = None
    read_ranges: list[tuple[int, int]] | None = None  # a full read of a single-key table, by key range
    # A first load's copy fingerprints, taken by the loader thread right after the load (while later
    # tables were read), so the proof need not wait for them.
    loaded_copy: Fingerprint | None = None
    tokens_compared: bool = True  # False: clean buckets compared on keys, changes found through the stamp index

    @property
    def reads_rows(self) -> bool:
        return self.batches is None or bool(self.batches)


@dataclass
class TableResult:
    table: str
    strategy: str
    status: str = "ok"  # ok | failed | mismatch
    rows_extracted: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    zero_dates: dict[str, int] = field(default_factory=dict)
    nul_rows: dict[str, int] = field(default_factory=dict)  # per text column: rows whose NUL bytes were removed
    schema_changes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    retries: int = 0  # source reads that failed (dropped connection) and succeeded when retried
    fallback_batches: int = 0  # batches read by PyMySQL because connectorx could not convert a value
    transient: bool = False  # the failure came from a dropped connection, so a retry may succeed
    # What the proof compared: keys and change tokens of every row, or keys of every row and the tokens
    # of the rows the stamp index found changed (between full stamp checks).
    compared: str = "keys and tokens"

    @property
    def read_path(self) -> str:
        if self.fallback_batches:
            return f"connectorx, PyMySQL for {self.fallback_batches} batch(es)"
        return "connectorx"

    reconciliation: Reconciliation | None = None


@dataclass
class RunSummary:
    run_id: str
    results: list[TableResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)


@dataclass
class Selection:
    """The tables a run copies, and those it refuses (each with why: the run reports them as failed)."""

    specs: list[TableSpec]
    refused: dict[str, str] = field(default_factory=dict)


def select_specs(
    tables: dict[str, SourceTable],
    row_estimates: dict[str, int],
    group: str,
    names: Sequence[str] | None,
    load_unregistered: bool,
) -> list[TableSpec]:
    """The tables this run copies, registry order first, then unregistered source tables by name."""
    return select_tables(tables, row_estimates, group, names, load_unregistered).specs


def select_tables(
    tables: dict[str, SourceTable],
    row_estimates: dict[str, int],
    group: str,
    names: Sequence[str] | None,
    load_unregistered: bool,
    excluded: Sequence[str] = (),
) -> Selection:
    """Like select_specs, with the refused tables: names that would overwrite the pipeline's bookkeeping or
    merge two source objects (names.py), and tables without a primary key asked for by name."""
    registry = load_registry()
    skip = {n.lower() for n in excluded}
    tables = {n: t for n, t in tables.items() if n.lower() not in skip}
    refused = refused_tables(tables)
    specs: list[TableSpec] = []
    absent = [name for name in registry if name not in tables and name.lower() not in skip]
    if absent:
        log.warning(
            "%d table(s) of tables.toml are not in the source and are skipped: %s", len(absent), ", ".join(absent)
        )
    groups: dict[str, str] = {}
    for name, spec in registry.items():
        if name in tables:
            groups[name] = spec.group
            if name not in refused:
                check_against_source(spec, tables[name])
                specs.append(spec)
    for name in sorted(set(tables) - set(registry)):
        inferred = infer_spec(tables[name], row_estimates.get(name, 0))
        if inferred is None:
            if names and name in names:
                refused[name] = (
                    f"table {name!r} has no primary key: its rows cannot be merged or proven by key. Add a primary "
                    "key in the source, or leave it out (sources.opendental.exclude_tables)"
                )
            else:
                log.warning("%s has no primary key; it cannot be copied by key and is skipped", name)
        elif load_unregistered or (names and name in names):
            groups[name] = inferred.group
            if name not in refused:
                specs.append(inferred)
    if names:
        by_name = {s.name: s for s in specs}
        unknown = [n for n in names if n not in by_name and n not in refused]
        if unknown:
            raise SelectionError(f"unknown table(s) {', '.join(unknown)}; the source has: {', '.join(sorted(by_name))}")
        return Selection([by_name[n] for n in names if n in by_name], {n: refused[n] for n in names if n in refused})
    if group != "all":
        specs = [s for s in specs if s.group == group]
    wanted = {n: why for n, why in refused.items() if group == "all" or groups.get(n, "low") == group}
    return Selection(specs, wanted)


def schema_changes(previous: dict[str, str] | None, table: SourceTable) -> tuple[list[str], bool]:
    """Describe source schema changes since the last run; True when a column was added (every row of the
    table then has a value the copy lacks, without its stamp having moved)."""
    if previous is None:
        return [], False
    current = table.column_types
    changes: list[str] = []
    added = [c for c in current if c not in previous]
    for c in added:
        changes.append(f"added column {c} {current[c]}")
    for c in current:
        if c in previous and previous[c] != current[c]:
            changes.append(f"changed type of {c}: {previous[c]} -> {current[c]}")
    for c in previous:
        if c not in current:
            changes.append(f"column {c} dropped in the source; kept in raw (NULL for new rows)")
    return changes, bool(added)


class Synchronizer:
    """Runs the pipeline for a set of tables."""

    def __init__(self, settings: SyncSettings, destination: DestinationSettings, pipelines_dir: Path | None = None):
        self.settings = settings
        self.source = SourceDatabase(
            settings.credentials,
            RetryPolicy(settings.retry_tries, settings.retry_first_delay_s),
            require_tls=settings.require_tls,
        )
        self.copy = CopyDatabase(destination.credentials, settings.dataset)
        self._state: dict[str, TableState] = {}  # as the current attempt found it
        self._lock: RunLock | None = None  # held for the whole run
        self.destination_url = destination.credentials
        self._row_widths: dict[str, int] | None = None  # average row bytes per source table (read once)
        self.refused: dict[str, str] = {}  # tables of this run refused by name or shape, with why
        self.pipelines_dir = pipelines_dir

    def pipeline(self) -> dlt.Pipeline:
        kwargs: dict[str, Any] = {}
        if self.pipelines_dir:
            kwargs["pipelines_dir"] = str(self.pipelines_dir)
        if log.isEnabledFor(logging.DEBUG):
            kwargs["progress"] = "log"
        return dlt.pipeline(
            pipeline_name=PIPELINE_NAME,
            destination=dlt.destinations.postgres(credentials=postgres_credentials(self.destination_url)),
            dataset_name=self.settings.dataset,
            **kwargs,
        )

    def stage_root(self, pipeline: dlt.Pipeline) -> Path:
        """The folder of this dataset's staged row files, readable by this user only."""
        return private_dir(Path(pipeline.pipelines_dir) / f"{PIPELINE_NAME}_stage" / self.settings.dataset)

    def clean_stage(self) -> None:
        """Remove row files a killed run left behind (called with the run lock held)."""
        root = self.stage_root(self.pipeline())
        for child in root.iterdir():
            if child.is_dir():
                remove_tree(child, root)
            else:
                child.unlink()

    def selected(self, group: str, names: Sequence[str] | None) -> tuple[list[TableSpec], dict[str, SourceTable]]:
        tables = self.source_tables()
        estimates = self.source.row_estimates()
        selection = select_tables(
            tables, estimates, group, names, self.settings.load_unregistered, self.settings.exclude_tables
        )
        self.refused = selection.refused
        for why in selection.refused.values():
            log.error("refused: %s; it is not loaded (the other tables are)", why)
        return selection.specs, tables

    def rows_per_query(self, spec: TableSpec) -> int:
        """``chunk_size``, or fewer for a table whose average row is wider than ``max_batch_bytes / chunk_size``."""
        if self._row_widths is None:
            self._row_widths = self.source.row_widths()
        width = self._row_widths.get(spec.name, 0)
        return max(1, min(self.settings.chunk_size, self.settings.max_batch_bytes // max(width, 1)))

    def source_tables(self) -> dict[str, SourceTable]:
        """The source's tables, less the columns excluded by ``exclude_columns`` (never read, never in raw)."""
        return without_columns(self.source.tables(), self.settings.exclude_columns)

    def describe_plan(self, group: str, names: Sequence[str] | None) -> list[dict[str, Any]]:
        """The dry-run plan: per table its group, strategy, and where the last run left it."""
        specs, _ = self.selected(group, names)
        self.copy.ensure_bookkeeping()
        state = self.copy.load_state()
        existing = self.copy.existing_tables()
        rows = []
        for spec in specs:
            st = state.get(spec.name)
            rows.append(
                {
                    "table": spec.name,
                    "group": spec.group,
                    "strategy": spec.describe() + ("" if spec.registered else " (inferred)"),
                    "in_copy": raw_name(spec.name) in existing,
                    "last_snapshot": datetime.fromtimestamp(st.snapshot_started_epoch, UTC).isoformat()
                    if st
                    else "never (full load)",
                }
            )
        return rows

    def run(self, group: str = "all", names: Sequence[str] | None = None, full_refresh: bool = False) -> RunSummary:
        """Sync the selected tables; tables that fail are retried with backoff (``retry_tries`` in all)."""
        started = time.monotonic()
        started_at = datetime.now(UTC)
        run_id = started_at.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
        specs, tables = self.selected(group, names)
        self.copy.ensure_bookkeeping()
        policy = self.source.retry
        with self.copy.run_lock(self.settings.lock_timeout_s) as self._lock, closing(self.copy):
            self.clean_stage()
            if full_refresh:
                self.copy.forget_state([s.name for s in specs])
            results = {r.table: r for r in self._run(specs, tables, full_refresh)}
            history: dict[str, list[str]] = {}
            for attempt in range(2, policy.tries + 1):
                # Only what a dropped connection or a restart explains is worth waiting for; a table that
                # failed for another reason fails the same way again.
                failed = [s for s in specs if results[s.name].status == "failed" and results[s.name].transient]
                if not failed:
                    break
                for s in failed:
                    history.setdefault(s.name, []).append(f"attempt {attempt - 1}: {results[s.name].error}")
                wait = policy.delay(attempt - 1)
                log.warning(
                    "%d table(s) failed (%s); retrying them in %.1fs (attempt %d/%d)",
                    len(failed),
                    ", ".join(s.name for s in failed),
                    wait,
                    attempt,
                    policy.tries,
                )
                time.sleep(wait)
                tables = self.source_tables()  # the schema may have changed, or the server restarted
                for r in self._run(failed, tables, full_refresh):
                    results[r.table] = r
            ordered = [results[s.name] for s in specs]
            ordered += [TableResult(n, "refused", "failed", error=f"refused: {why}") for n, why in self.refused.items()]
            self._hold_lock()
            for r in ordered:
                if r.table in history:
                    earlier = "; ".join(history[r.table])
                    r.error = f"{r.error}; after {earlier}" if r.error else f"recovered after {earlier}"
                self._log_result(run_id, r, started_at)
        return RunSummary(run_id, ordered, time.monotonic() - started)

    def _run(self, specs: list[TableSpec], tables: dict[str, SourceTable], full_refresh: bool) -> list[TableResult]:
        run_started_at = datetime.now(UTC)
        state = self._state = self.copy.load_state()
        existing = self.copy.existing_tables()
        plans: list[TablePlan] = []
        results: dict[str, TableResult] = {}
        for spec in specs:
            result = results[spec.name] = TableResult(spec.name, spec.describe())
            t0 = time.monotonic()
            before = sum(self.source.retries.values())
            self._hold_lock()
            try:
                plans.append(self._plan(spec, tables[spec.name], state.get(spec.name), existing, full_refresh))
            except Exception as e:  # one table's trouble must not stop the others
                log.error("%s: planning failed: %s", spec.name, describe_error(e))
                result.status, result.error, result.transient = "failed", describe_error(e), _is_transient(e)
            result.seconds += time.monotonic() - t0
            result.retries += sum(self.source.retries.values()) - before

        # A table not yet in the copy always has a full read (its copy snapshot is empty).
        to_load = [p for p in plans if p.reads_rows]
        if to_load:
            try:
                load_retries, failures = self._load(to_load, run_started_at)
            except RunLockLost:
                raise
            except Exception as e:  # the pipeline itself could not be set up
                log.error("load failed: %s", describe_error(e))
                load_retries, failures = Counter(), {p.spec.name: e for p in to_load}
            for p in to_load:
                results[p.spec.name].retries += load_retries[raw_name(p.spec.name)]
                if p.spec.name in failures:
                    failure = failures[p.spec.name]
                    results[p.spec.name].status = "failed"
                    results[p.spec.name].error = describe_error(failure)
                    results[p.spec.name].transient = _is_transient(failure)

        for plan in plans:
            result = results[plan.spec.name]
            result.schema_changes = plan.schema_changes
            if result.status != "ok":
                continue
            t0 = time.monotonic()
            before = sum(self.source.retries.values())
            self._hold_lock()
            try:
                self._finish(plan, result)
            except Exception as e:
                log.error("%s: finishing failed: %s", plan.spec.name, describe_error(e))
                result.status, result.error, result.transient = "failed", describe_error(e), _is_transient(e)
            result.seconds += time.monotonic() - t0 + plan.stats.seconds
            result.retries += plan.stats.retries + sum(self.source.retries.values()) - before
            result.fallback_batches += plan.stats.fallbacks

        return [results[s.name] for s in specs]

    def _plan(
        self,
        spec: TableSpec,
        table: SourceTable,
        state: TableState | None,
        existing: set[str],
        full_refresh: bool,
    ) -> TablePlan:
        exists = raw_name(spec.name) in existing
        changes, column_added = schema_changes(state.source_columns if state else None, table)
        snapshot_started = self.source.server_epoch()
        # A table switched to the hash strategy has no hash column in the copy yet: read it whole once.
        hash_missing = exists and spec.strategy == "hash" and not self.copy.has_column(spec, ROW_HASH_COLUMN)
        whole = hash_missing or full_refresh or column_added or spec.strategy == "full"
        if not whole and bucketable(spec, table):
            return self._plan_buckets(spec, table, state, exists, changes, snapshot_started)
        copy_snap = self.copy.snapshot(replace(spec, strategy="append") if hash_missing else spec, exists)
        if whole or copy_snap.num_rows == 0:
            log.info("%s: full read%s", spec.name, _schema_note(changes))
            return TablePlan(spec, table, snapshot_started, copy_snap, None, None, None, changes, exists)
        source_snap = source_snapshot(self.source, spec, self.settings.chunk_size)
        unsettled = state.snapshot_started_epoch - 1 if state else None
        diff = compute_diff(source_snap, copy_snap, spec, unsettled_since=unsettled)
        batches = plan_batches(spec, source_snap, diff.needed, self.rows_per_query(spec))
        if not batches and diff.deleted_keys.num_rows == 0:
            # Nothing to load or mark: both sides were read just now, so their comparison is the proof, and
            # the snapshots need not be kept (nor the copy read again).
            rec = reconcile(source_snap, copy_snap, spec)
            log.info("%s: %d source rows, unchanged", spec.name, source_snap.num_rows)
            empty = copy_snap.slice(0, 0)
            return TablePlan(spec, table, snapshot_started, empty, None, diff, [], changes, exists, reconciliation=rec)
        _log_diff(spec, source_snap.num_rows, "", diff, changes)
        # The copy's snapshot has served (the diff holds what the proof needs): do not keep it in memory.
        empty_copy = copy_snap.slice(0, 0)
        return TablePlan(spec, table, snapshot_started, empty_copy, source_snap, diff, batches, changes, exists)

    def _plan_buckets(
        self,
        spec: TableSpec,
        table: SourceTable,
        state: TableState | None,
        exists: bool,
        changes: list[str],
        snapshot_started: int,
    ) -> TablePlan:
        """Plan a single-key table by bucket fingerprints: only buckets that differ are diffed key by key."""
        bounds = key_bounds(self.source, spec)
        width = bucket_width(*bounds)
        unsettled = state.snapshot_started_epoch - 1 if state and spec.stamp else None
        # With an index on the stamp, rows changed since the last run are found through it, and the
        # buckets are compared on their keys alone (the key index, no row reads): that finds inserts,
        # deletes and duplicates. Without one, every row's token is compared.
        changed = None
        checked = state.stamps_checked_epoch if state else None
        recently_checked = checked is not None and snapshot_started - checked < self.settings.stamp_check_interval_s
        if state and spec.stamp and spec.stamp in table.leading_indexed and recently_checked:
            since = state.snapshot_started_epoch - self.settings.stamp_overlap_s
            changed = changed_since(self.source, spec, since, self.settings.chunk_size)
        tokens = changed is None
        source_fp: Fingerprint | None = None
        if exists:
            self.copy.ensure_key_index(spec)
            # PostgreSQL fingerprints the copy while MariaDB fingerprints the source.
            with ThreadPoolExecutor(1, thread_name_prefix="copy-fingerprint") as pool:
                copy_job = pool.submit(self.copy.fingerprint, spec, width, unsettled, tokens)
                source_fp = source_fingerprint(
                    self.source, spec, width, bounds, tokens, self.settings.read_workers, self.settings.chunk_size
                )
                copy_fp = copy_job.result()
        else:
            copy_fp = Fingerprint(width)
        empty = empty_snapshot(spec).append_column(DELETED_COLUMN, pa.array([], pa.bool_()))
        if not copy_fp.buckets or source_fp is None:
            # Nothing live in the copy: read every row once; the read is fingerprinted as it goes, and
            # the copy's fingerprints after the load must equal it.
            log.info("%s: full read%s", spec.name, _schema_note(changes))
            plan = TablePlan(spec, table, snapshot_started, empty, None, None, None, changes, exists)
            plan.stats.fingerprint = Fingerprint(width)
            plan.read_ranges = key_spans(*bounds, self.settings.chunk_size)
            return plan
        rows = bounds[2]
        dirty = source_fp.differing(copy_fp) | copy_fp.unsettled
        if changed is not None and len(changed):
            dirty |= {int(b) for b in np.unique(bucket_of(changed.to_numpy(), width))}
        how = "keys by bucket, changes through the stamp index" if not tokens else "keys and tokens by bucket"
        if not dirty:
            log.info("%s: %d source rows, unchanged (%s)", spec.name, rows, how)
            rec = Reconciliation(
                source_fp.rows, copy_fp.rows, source_fp.checksum(), copy_fp.checksum(), 0, empty_snapshot(spec)
            )
            plan = TablePlan(spec, table, snapshot_started, empty, None, None, [], changes, exists, reconciliation=rec)
            plan.tokens_compared = tokens
            return plan
        ranges = key_ranges(dirty, width)
        chunk = self.settings.chunk_size
        source_snap = range_snapshot(self.source, spec, bucket_groups(dirty, source_fp, chunk), chunk)
        copy_snap = self.copy.snapshot(spec, True, ranges)
        diff = compute_diff(source_snap, copy_snap, spec, unsettled_since=unsettled)
        batches = plan_batches(spec, source_snap, diff.needed, self.rows_per_query(spec), covers=ranges)
        buckets = len(set(source_fp.buckets) | set(copy_fp.buckets))
        compared = f"{len(dirty)} of {buckets} buckets differ ({how}; {source_snap.num_rows} keys compared): "
        _log_diff(spec, rows, compared, diff, changes)
        plan = TablePlan(spec, table, snapshot_started, empty, source_snap, diff, batches, changes, exists)
        plan.clean_source, plan.clean_copy = source_fp.without(dirty), copy_fp.without(dirty)
        plan.dirty_ranges, plan.tokens_compared = ranges, tokens
        return plan

    def _resource(self, p: TablePlan, data: Any) -> Any:
        disposition: Any = "append" if not p.exists_in_copy else {"disposition": "merge", "strategy": "delete-insert"}
        return dlt.resource(
            data,
            name=p.spec.name,
            table_name=raw_name(p.spec.name),
            write_disposition=disposition,
            primary_key=list(p.spec.primary_key),
            columns=dlt_columns(p.source, p.spec),  # type: ignore[arg-type]
        )

    def _load(self, plans: list[TablePlan], synced_at: datetime) -> tuple[Counter[str], dict[str, BaseException]]:
        """Read the rows of every plan into local Parquet files and load them with dlt, the loading of
        one group of tables overlapping the reading of the next (see staging.py).

        Returns dlt's load-job retries per raw table, and the tables whose read or load failed.
        """
        pipeline = self.pipeline()
        # A package left by an interrupted run is not resumed: this run's diff already covers its rows.
        pipeline.abort_packages()
        remove_row_files(Path(pipeline.working_dir))
        failures: dict[str, BaseException] = {}
        retried: Counter[str] = Counter()
        times: dict[str, float] = {"read": 0.0, "import": 0.0, "load": 0.0}
        stage_root = self.stage_root(pipeline)
        # Tables new to the copy are created here, not left to dlt: dlt creates the tables of a package
        # only when its schema's version is new to the destination, and the groups of one run share a
        # version (as do a fresh copy database and a pipeline directory kept from earlier runs).
        self._hold_lock()
        for p in plans:
            if not p.exists_in_copy:
                self.copy.create_table(p.spec, dlt_columns(p.source, p.spec))

        def load_group(group: list[tuple[TablePlan, StagedFiles]]) -> None:
            names = [p.spec.name for p, _ in group]
            try:
                self._hold_lock()
                t0 = time.monotonic()
                # The format must be named: without it, normalize rewrites imported Parquet as CSV, which
                # cannot tell an empty string from NULL.
                pipeline.extract(
                    [self._resource(p, staged.imports()) for p, staged in group], loader_file_format="parquet"
                )
                _crash_point("normalize")
                pipeline.normalize()
                _crash_point("load")
                t1 = time.monotonic()
                with releasing_free_memory():
                    info = pipeline.load(raise_on_failed_jobs=True)
                # dlt retries a dropped load job on a new connection by itself: if the lock went with the
                # old one and another run has it now, this group is not proven or remembered.
                self._hold_lock()
                times["load"] += time.monotonic() - t1
                times["import"] += t1 - t0
                _crash_point("finish")
                rows = sum(staged.rows for _, staged in group)
                log.info("loaded %s: %s rows in %.1fs", ", ".join(names), f"{rows:,}", time.monotonic() - t0)
            except RunLockLost:
                raise
            except Exception as e:
                log.error("loading %s failed: %s", ", ".join(names), describe_error(e))
                failures.update({n: e for n in names})
                pipeline.abort_packages()  # leave nothing half-done for the next group
                remove_row_files(Path(pipeline.working_dir))
                return
            finally:
                for name in names:  # row values do not stay on disk longer than needed
                    remove_tree(stage_root / safe_dirname(name), stage_root)
            for p, _ in group:  # the copy of a first load changes no more in this run: prove it now
                if p.stats.fingerprint is not None:
                    try:
                        p.loaded_copy = self._index_and_fingerprint(p, p.stats.fingerprint.width)
                    except Exception:  # left to _finish, which reports it against the table
                        log.warning("%s: fingerprinting the loaded copy failed; trying again at the end", p.spec.name)
            # dlt retries a load job the database dropped: count those retries per raw table (a retry of
            # dlt's own bookkeeping jobs belongs to every table of the load) for the run log.
            for package in info.load_packages:
                for job in package.jobs.get("completed_jobs", []):
                    table, n = job.job_file_info.table_name, job.job_file_info.retry_count
                    for name in [raw_name(t) for t in names] if table.startswith("_dlt") else [table]:
                        retried[name] += n

        started = time.monotonic()
        progress = ReadProgress(len(plans))
        submitted: list[Future[None]] = []
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="dlt-loader") as loader:
                group: list[tuple[TablePlan, StagedFiles]] = []
                group_rows = 0
                for p in plans:
                    for future in submitted:  # the run lock was lost: stop reading too
                        if future.done() and isinstance(future.exception(), RunLockLost):
                            future.result()
                    t0 = time.monotonic()
                    try:
                        batches = fetch_batches(
                            self.source,
                            p.source,
                            p.spec,
                            p.batches,
                            synced_at,
                            p.stats,
                            self.rows_per_query(p.spec),
                            p.read_ranges,
                            self.settings.read_workers,
                            self.settings.max_batch_bytes,
                        )
                        counted = progress.counting(p.spec.name, batches, whole_table=p.batches is None)
                        staged = write_parquet(
                            _crash_after_first(counted),
                            stage_root / safe_dirname(p.spec.name),
                            FILE_ROWS,
                            FILE_BATCHES * self.settings.max_batch_bytes,
                        )
                    except Exception as e:
                        log.error("%s: reading failed: %s", p.spec.name, describe_error(e))
                        failures[p.spec.name] = e
                        continue
                    finally:
                        times["read"] += time.monotonic() - t0
                    group.append((p, staged))
                    group_rows += staged.rows
                    if group_rows >= GROUP_ROWS:
                        submitted.append(loader.submit(load_group, group))
                        group, group_rows = [], 0
                if group:
                    submitted.append(loader.submit(load_group, group))
            for future in submitted:
                future.result()  # load_group records load failures itself; anything else is a bug to raise
        finally:
            remove_tree(stage_root, stage_root)
        log.info(
            "loaded %d table(s) in %.1fs: reading %.1fs, overlapped with dlt import %.1fs and load %.1fs",
            len(plans),
            time.monotonic() - started,
            times["read"],
            times["import"],
            times["load"],
        )
        return retried, failures

    def _finish(self, plan: TablePlan, result: TableResult) -> None:
        """Mark deletes, then prove the copy holds exactly what this run read from the source."""
        spec = plan.spec
        if plan.reconciliation is not None:
            self._record_proof(plan, result, plan.reconciliation)
            return
        if plan.stats.fingerprint is not None:
            self._finish_fingerprinted(plan, result, plan.stats.fingerprint)
            return
        read = plan.stats.read_snapshot(spec)
        if plan.diff is None or plan.source_snapshot is None:  # a full read: what was read is the source
            diff = compute_diff(read, plan.copy_snapshot, spec, unsettled_since=None, fetch_all=True)
            expected, in_flight = read, None
        else:
            diff = plan.diff
            expected, in_flight = expected_after_load(plan.source_snapshot, diff.needed, read, spec)
        result.rows_extracted = plan.stats.rows
        result.zero_dates = dict(plan.stats.zero_dates)
        result.nul_rows = dict(plan.stats.nul_rows)
        result.rows_inserted, result.rows_updated = diff.inserted, diff.updated
        result.rows_deleted = self.copy.mark_deleted(spec, diff.deleted_keys)
        if plan.dirty_ranges is None:
            self._record_proof(plan, result, reconcile(expected, self.copy.snapshot(spec, True), spec, in_flight))
            return
        # Bucketed: the clean buckets were proven equal at planning and this run wrote nothing there; the
        # differing ones are proven key by key now, and the whole table's figures combine both.
        after = self.copy.snapshot(spec, True, plan.dirty_ranges)
        exp, live = judged(expected, after, spec, in_flight)
        rec = reconcile_judged(exp, live, spec, 0 if in_flight is None else in_flight.num_rows)
        assert plan.clean_source is not None and plan.clean_copy is not None
        token = STAMP if spec.has_token and plan.tokens_compared else None
        source_fp, copy_fp = Fingerprint(plan.clean_source.width), Fingerprint(plan.clean_copy.width)
        source_fp.add_table(exp, spec, token)
        copy_fp.add_table(live, spec, token)
        source_fp, copy_fp = plan.clean_source.merged(source_fp), plan.clean_copy.merged(copy_fp)
        self._record_proof(
            plan,
            result,
            replace(
                rec,
                source_rows=source_fp.rows,
                copy_rows=copy_fp.rows,
                source_checksum=source_fp.checksum(),
                copy_checksum=copy_fp.checksum(),
            ),
        )

    def _hold_lock(self) -> None:
        """Before a write: this run still holds its lock, or takes it again after PostgreSQL restarted
        (waiting for the server as for any dropped connection), or stops if another run took it."""
        if self._lock is not None:
            self.source.retry.call(
                self._lock.hold,
                "taking the run lock again",
                retry_on=(DestinationUnreachable, psycopg2.OperationalError),
            )

    def _index_and_fingerprint(self, plan: TablePlan, width: int) -> Fingerprint:
        """After a first load: the key index the next runs need, and the copy's fingerprints."""
        self.copy.ensure_key_index(plan.spec)
        return self.copy.fingerprint(plan.spec, width, None)

    def _finish_fingerprinted(self, plan: TablePlan, result: TableResult, read: Fingerprint) -> None:
        """A full read into a copy with no live rows: the copy's fingerprints must equal the read's."""
        spec = plan.spec
        result.rows_extracted = result.rows_inserted = plan.stats.rows
        result.zero_dates = dict(plan.stats.zero_dates)
        result.nul_rows = dict(plan.stats.nul_rows)
        copy_fp = plan.loaded_copy if plan.loaded_copy is not None else self._index_and_fingerprint(plan, read.width)
        differ = read.differing(copy_fp)
        rec = Reconciliation(
            read.rows,
            copy_fp.rows,
            read.checksum(),
            copy_fp.checksum(),
            0,
            empty_snapshot(spec),
            tuple(key_ranges(differ, read.width)),
        )
        self._record_proof(plan, result, rec)

    def _record_proof(self, plan: TablePlan, result: TableResult, rec: Reconciliation) -> None:
        spec = plan.spec
        result.reconciliation = rec
        previous = self._state.get(spec.name)
        if not plan.tokens_compared:
            result.compared = "keys; tokens of the rows stamped since the last run (stamp index)"
        if not rec.matches:
            result.status = "mismatch" if self.settings.on_mismatch == "fail" else "ok"
            result.error = f"copy differs from source at {rec.mismatch_ranges()}"
            log.error("%s: reconciliation mismatch at %s", spec.name, rec.mismatch_ranges())
            # The next run heals what differs. For that it must still re-read the second this run read in
            # (a first run has no earlier state to fall back on) and compare every row's stamp.
            if previous is None:
                self.copy.save_state(spec.name, TableState(plan.snapshot_started, plan.source.column_types, None))
            elif previous.stamps_checked_epoch is not None:
                self.copy.save_state(spec.name, replace(previous, stamps_checked_epoch=None))
        else:
            # Remember where this read began: the next run re-reads rows stamped in that second.
            if plan.tokens_compared:
                checked: int | None = plan.snapshot_started
            else:
                checked = previous.stamps_checked_epoch if previous else None
            self.copy.save_state(spec.name, TableState(plan.snapshot_started, plan.source.column_types, checked))

    def _log_result(self, run_id: str, r: TableResult, started_at: datetime) -> None:
        self.copy.write_row(
            RUN_LOG,
            {
                "run_id": run_id,
                "table_name": r.table,
                "started_at": started_at,
                "finished_at": datetime.now(UTC),
                "status": r.status,
                "strategy": r.strategy,
                "rows_extracted": r.rows_extracted,
                "rows_inserted": r.rows_inserted,
                "rows_updated": r.rows_updated,
                "rows_deleted": r.rows_deleted,
                "zero_dates_nulled": r.zero_dates,
                "nul_bytes_removed": r.nul_rows,
                "schema_changes": r.schema_changes,
                "duration_s": round(r.seconds, 3),
                "retries": r.retries,
                "read_path": r.read_path,
                "error": r.error,
            },
        )
        rec = r.reconciliation
        if rec is not None:
            self.copy.write_row(
                RECONCILIATION,
                {
                    "run_id": run_id,
                    "table_name": r.table,
                    "checked_at": datetime.now(UTC),
                    "source_rows": rec.source_rows,
                    "copy_rows": rec.copy_rows,
                    "source_checksum": rec.source_checksum,
                    "copy_checksum": rec.copy_checksum,
                    "in_flight": rec.in_flight,
                    "compared": r.compared,
                    "matches": rec.matches,
                    "mismatch_ranges": rec.mismatch_ranges(),
                },
            )


def postgres_credentials(url: str) -> PostgresCredentials:
    """dlt credentials from a URL; a URL without a password (trust or peer auth) is allowed."""
    credentials = PostgresCredentials()
    credentials.parse_native_representation(url)
    if credentials.password is None:
        credentials.password = ""
    return credentials


_TRANSIENT = re.compile(
    r"server closed the connection|connection (refused|reset|lost|was killed)|terminating connection|"
    r"could not connect|gone away|lost connection|broken pipe|timed? ?out|shutdown|IoError|EOF",
    re.IGNORECASE,
)


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


def _is_transient(e: BaseException) -> bool:
    """Whether an error (or its cause) is a dropped connection or an unreachable server."""
    while True:
        if getattr(e, "permanent", False):
            return False
        if isinstance(e, SourceReadError | SourceUnreachable | DestinationUnreachable):
            return True
        if type(e).__name__ in ("OperationalError", "InterfaceError") or _TRANSIENT.search(str(e)):
            return True
        if e.__cause__ is None:
            return False
        e = e.__cause__


def iter_names(value: str | None) -> Iterable[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]
