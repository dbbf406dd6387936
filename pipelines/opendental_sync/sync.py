"""One run: plan every table from what both sides hold (plan.py), read and load what changed (load.py),
mark deletes and prove the copy equals the source (prove.py), and log each table's outcome.

Why a key diff rather than a ``WHERE stamp > :cursor`` watermark: OpenDental's stamps have one-second
resolution, upgrades stamp whole tables with one value, stamps are rarely indexed, and rows can be
written with a stamp older than one already read. Comparing (key, stamp) of every row on both sides has
no boundary to get wrong, finds hard deletes with the same read, and is the reconciliation itself.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opendental_sync.binlog_plan import BinlogPlanner
from opendental_sync.bookkeeping import RECONCILIATION, RUN_LOG
from opendental_sync.bounded import RowsPerQuery
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.destination import CopyDatabase
from opendental_sync.load import Loader
from opendental_sync.names import raw_name, without_columns
from opendental_sync.plan import Planner
from opendental_sync.plan_kinds import TablePlan
from opendental_sync.prove import prove, remember
from opendental_sync.registry import TableSpec
from opendental_sync.results import RunSummary, TableResult
from opendental_sync.retry import RetryPolicy
from opendental_sync.run_lock import RunLock, RunLockLost
from opendental_sync.safety import describe_error
from opendental_sync.selection import select_tables
from opendental_sync.source import SourceDatabase
from opendental_sync.source_schema import SourceTable
from opendental_sync.transient import is_transient

log = logging.getLogger(__name__)
# A wait between attempts that holds the run lock (taking it again after PostgreSQL restarted) stays short.
LOCK_RETRY_MAX_DELAY_S = 30.0


class Synchronizer:
    """Runs the pipeline for a set of tables."""

    def __init__(self, settings: SyncSettings, destination: DestinationSettings, pipelines_dir: Path | None = None):
        self.settings = settings
        self.retry = RetryPolicy(settings.retry_tries, settings.retry_first_delay_s)
        self.source = SourceDatabase(settings.credentials, self.retry, require_tls=settings.require_tls)
        self.copy = CopyDatabase(destination.credentials, settings.dataset)
        self.destination_url = destination.credentials
        self.refused: dict[str, str] = {}  # tables of this run refused by name or shape, with why
        self._lock: RunLock | None = None  # held for the whole run
        self.rows_per_query = RowsPerQuery(self.source, settings)
        planner = BinlogPlanner if settings.binlog else Planner
        self.planner = planner(self.source, self.copy, settings, self.rows_per_query)
        self.loader = Loader(self.source, self.copy, settings, self.rows_per_query, self._hold_lock, pipelines_dir)

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

    def source_tables(self) -> dict[str, SourceTable]:
        """The source's tables, less the columns excluded by ``exclude_columns`` (never read, never in raw)."""
        return without_columns(self.source.tables(), self.settings.exclude_columns)

    def describe_plan(self, group: str, names: Sequence[str] | None) -> list[dict[str, Any]]:
        """The dry-run plan: per table its group, strategy, and where the last run left it."""
        specs, _ = self.selected(group, names)
        self.copy.bookkeeping.ensure()
        state = self.copy.bookkeeping.load_state()
        existing = self.copy.tables.existing()
        return [
            {
                "table": spec.name,
                "group": spec.group,
                "strategy": spec.describe() + ("" if spec.registered else " (inferred)"),
                "in_copy": raw_name(spec.name) in existing,
                "last_snapshot": datetime.fromtimestamp(st.snapshot_started_epoch, UTC).isoformat()
                if (st := state.get(spec.name))
                else "never (full load)",
            }
            for spec in specs
        ]

    def run(self, group: str = "all", names: Sequence[str] | None = None, full_refresh: bool = False) -> RunSummary:
        """Sync the selected tables; tables that fail for a reason a wait can fix are tried again (``retry_tries``
        attempts in all), with the run lock let go during the wait."""
        started = time.monotonic()
        started_at = datetime.now(UTC)
        run_id = started_at.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
        specs, tables = self.selected(group, names)
        self.copy.bookkeeping.ensure()
        with self.copy.run_lock(self.settings.lock_timeout_s) as self._lock, closing(self.copy):
            self.copy.counter.ensure()  # replaces the triggers' function: one run at a time
            self.loader.clean_stage()
            if full_refresh:
                self.copy.bookkeeping.forget_state([s.name for s in specs])
            results = {r.table: r for r in self._run(specs, tables, full_refresh)}
            history = self._retry_failed(specs, results, full_refresh)
            ordered = [results[s.name] for s in specs]
            ordered += [TableResult(n, "refused", "failed", error=f"refused: {why}") for n, why in self.refused.items()]
            self._hold_lock()
            for r in ordered:
                if r.table in history:
                    earlier = "; ".join(history[r.table])
                    r.error = f"{r.error}; after {earlier}" if r.error else f"recovered after {earlier}"
                self._log_result(run_id, r, started_at)
        return RunSummary(run_id, ordered, time.monotonic() - started)

    def _retry_failed(
        self, specs: list[TableSpec], results: dict[str, TableResult], full_refresh: bool
    ) -> dict[str, list[str]]:
        """Try the tables that failed transiently again, after a backoff spent without the run lock (another
        run may take it meanwhile: this one then waits for it, and plans from what that run left)."""
        history: dict[str, list[str]] = {}
        for attempt in range(2, self.retry.tries + 1):
            # Only what a dropped connection or a restart explains is worth waiting for; a table that
            # failed for another reason fails the same way again.
            failed = [s for s in specs if results[s.name].status == "failed" and results[s.name].transient]
            if not failed:
                break
            for s in failed:
                history.setdefault(s.name, []).append(f"attempt {attempt - 1}: {results[s.name].error}")
            wait = self.retry.delay(attempt - 1)
            log.warning(
                "%d table(s) failed (%s); retrying them in %.1fs (attempt %d/%d)",
                len(failed),
                ", ".join(s.name for s in failed),
                wait,
                attempt,
                self.retry.tries,
            )
            self._wait_unlocked(wait)
            tables = self.source_tables()  # the schema may have changed, or the server restarted
            for r in self._run(failed, tables, full_refresh):
                results[r.table] = r
        return history

    def _wait_unlocked(self, seconds: float) -> None:
        """Wait without the run lock (so that a scheduled run is not held up by this one's backoff), then
        take it again, waiting up to ``lock_timeout_s`` for a run that took it meanwhile."""
        assert self._lock is not None
        self._lock.release()
        time.sleep(seconds)
        self._lock.acquire(self.settings.lock_timeout_s)

    def _run(self, specs: list[TableSpec], tables: dict[str, SourceTable], full_refresh: bool) -> list[TableResult]:
        run_started_at = datetime.now(UTC)
        state = self.copy.bookkeeping.load_state()
        existing = self.copy.tables.existing()
        results = {spec.name: TableResult(spec.name, spec.describe()) for spec in specs}
        # The binlog position first, then the tables' write times: a table found not written since its last proof
        # was not written after that position either, so the position it saves with that proof misses nothing.
        self.planner.begin_run(specs, tables, state)
        self.planner.begin()
        plans: list[TablePlan] = []
        # A table whose column OpenDental zeroes when the object it points at is deleted is planned after the
        # others, so that it sees every key they found deleted.
        for spec in sorted(specs, key=lambda s: s.zeroed_on_delete is not None):
            plan = self._step(
                results[spec.name],
                "planning",
                lambda spec=spec: self.planner.plan(  # type: ignore[misc]
                    spec, tables[spec.name], state.get(spec.name), raw_name(spec.name) in existing, full_refresh
                ),
            )
            if plan is not None:
                plans.append(plan)
            elif self.planner.facts is not None:
                self.planner.facts.unlisted.append(spec.name)  # its deletions, if any, are not known this run
        self._load(plans, results, run_started_at)
        for plan in plans:
            result = results[plan.spec.name]
            result.schema_changes = plan.schema_changes
            if result.status == "ok":
                self._step(result, "finishing", lambda plan=plan: self._prove(plan, results, state))  # type: ignore[misc]
                result.seconds += plan.stats.seconds
                result.retries += plan.stats.retries
                result.fallback_batches += plan.stats.fallbacks
        return [results[s.name] for s in specs]

    def _step(self, result: TableResult, what: str, work: Callable[[], Any]) -> Any:
        """One table's planning or proof, timed, under the run lock; its failure is the table's, not the run's."""
        t0 = time.monotonic()
        before = sum(self.source.retries.values())
        self._hold_lock()
        try:
            return work()
        except Exception as e:  # one table's trouble must not stop the others
            log.error("%s: %s failed: %s", result.table, what, describe_error(e))
            result.failed(describe_error(e), is_transient(e))
            return None
        finally:
            result.seconds += time.monotonic() - t0
            result.retries += sum(self.source.retries.values()) - before

    def _load(self, plans: list[TablePlan], results: dict[str, TableResult], synced_at: datetime) -> None:
        to_load = [p for p in plans if p.rows() is not None]
        if not to_load:
            return
        try:
            outcome = self.loader.load(to_load, synced_at)
            retries: dict[str, int] = dict(outcome.retries)
            failures = outcome.failures
        except RunLockLost:
            raise
        except Exception as e:  # the pipeline itself could not be set up
            log.error("load failed: %s", describe_error(e))
            retries, failures = {}, {p.spec.name: e for p in to_load}
        for p in to_load:
            results[p.spec.name].retries += retries.get(raw_name(p.spec.name), 0)
            if (failure := failures.get(p.spec.name)) is not None:
                results[p.spec.name].failed(describe_error(failure), is_transient(failure))

    def _prove(self, plan: TablePlan, results: dict[str, TableResult], state: dict[str, Any]) -> None:
        result = results[plan.spec.name]
        rec = prove(plan, result, self.copy)
        remember(plan, result, rec, state.get(plan.spec.name), self.copy, self.settings.on_mismatch)

    def _hold_lock(self) -> None:
        """Before a write: this run still holds its lock, or takes it again after PostgreSQL restarted
        (waiting for the server as for any dropped connection, a few seconds at a time), or stops if another
        run took it."""
        if self._lock is not None:
            self.retry.capped(LOCK_RETRY_MAX_DELAY_S).call(self._lock.hold, "taking the run lock again")

    def _log_result(self, run_id: str, r: TableResult, started_at: datetime) -> None:
        self.copy.bookkeeping.write_row(RUN_LOG, _run_log_row(run_id, r, started_at))
        if r.reconciliation is not None:
            self.copy.bookkeeping.write_row(RECONCILIATION, _reconciliation_row(run_id, r))


def _run_log_row(run_id: str, r: TableResult, started_at: datetime) -> dict[str, Any]:
    return {
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
    }


def _reconciliation_row(run_id: str, r: TableResult) -> dict[str, Any]:
    rec = r.reconciliation
    assert rec is not None
    return {
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
    }


def iter_names(value: str | None) -> Iterable[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]
