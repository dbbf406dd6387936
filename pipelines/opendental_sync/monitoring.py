"""What each run tells people: the one entry point the command line (and an Airflow callback) calls.

- critical: a run failed (a table failed, the run could not start or crashed); a reconciliation mismatch; the
  source or the destination unreachable after retries; the run lock lost.
- warning: a run slower, or with fewer rows/s, than its group's recent runs; peak memory, the copy's database
  size or the working disk's fullness over a setting; another run holding the lock for longer than
  ``lock_timeout_s``. (Failing dbt tests and late sources warn from the scheduled dbt build:
  ``opendental_ops.alerts``.)
- info: a run completed and reconciled, with its figures.

Alerts name tables, counts, durations, the run id and where the report is; never a row or key value (table
errors, which may quote values or key ranges, are given by their kind only), never a password.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from dlt.common.runtime.run_context import active

from opendental_sync.alert_state import AlertCenter, FileStateStore, PostgresStateStore, Problem, StateStore
from opendental_sync.alerts import Alert, AlertSettings, send
from opendental_sync.bookkeeping import RUN_LOG
from opendental_sync.destination import DestinationUnreachable
from opendental_sync.results import RunSummary, TableResult
from opendental_sync.run_lock import RunLockBusy, RunLockLost
from opendental_sync.run_metrics import MetricsStore, RunMetrics, measure, performance_problems, resource_problems
from opendental_sync.safety import mask_urls
from opendental_sync.source import SourceUnreachable

log = logging.getLogger(__name__)

# Errors before or around a run: (level, kind, what happened). Their messages are our own (URLs masked).
_KNOWN_ERRORS: list[tuple[type[BaseException], str, str, str]] = [
    (SourceUnreachable, "critical", "source_unreachable", "source database unreachable"),
    (DestinationUnreachable, "critical", "destination_unreachable", "destination database unreachable"),
    (RunLockLost, "critical", "lock_lost", "run lock lost"),
    (RunLockBusy, "warning", "lock_busy", "another run held the lock"),
    (ValueError, "critical", "run_failed", "run could not start"),
]
_MAX_TABLES = 20


@dataclass
class RunMonitor:
    """Alerts and figures for one run of ``scope`` (``group high``, ``tables patient,fee``)."""

    settings: AlertSettings
    scope: str
    full_refresh: bool = False
    destination_url: str | None = None
    dataset: str | None = None
    enabled: bool = True  # False for --dry-run: it loads nothing, so it alerts nothing
    failed_channels: list[str] = field(default_factory=list)

    def _center(self) -> AlertCenter:
        stores: list[StateStore] = []
        if self.destination_url and self.dataset:
            stores.append(PostgresStateStore(self.destination_url, self.dataset))
        stores.append(FileStateStore(self.settings.state_file))
        return AlertCenter(self.settings, stores)

    def _where(self, run_id: str | None) -> list[str]:
        lines = []
        if run_id and self.dataset:
            lines.append(f"Run log: {self.dataset}.{RUN_LOG} and _od_reconciliation, run_id = '{run_id}'.")
        elif not run_id:
            lines.append("The run wrote no run log rows; its output (stderr) has the details.")
        if self.settings.report_url:
            lines.append(f"Report: {self.settings.report_url}")
        return lines

    def failed(self, error: BaseException) -> None:
        """A run that stopped with ``error`` before it could finish: a critical alert (a warning if another run
        held the lock). Nothing is resolved: the run showed nothing about the other problems."""
        if not self.enabled:
            return
        level, kind, what = "critical", "run_failed", "run failed"
        for cls, lvl, knd, text in _KNOWN_ERRORS:
            if isinstance(error, cls):
                level, kind, what = lvl, knd, text
                break
        known = any(isinstance(error, cls) for cls, *_ in _KNOWN_ERRORS)
        # Our own errors say what to fix; any other error may quote data, so only its type is told.
        detail = mask_urls(str(error)) if known else f"{type(error).__name__} (details in the command's output)"
        lines = [f"A run of {self.scope} stopped: {what}.", f"Error: {detail}", *self._where(None)]
        problem = Problem(level, kind, self.scope, f"{what} ({self.scope})", lines)  # type: ignore[arg-type]
        self.failed_channels += self._center().report(self.scope, [problem], completed=False)

    def completed(self, summary: RunSummary) -> None:
        """A run that finished: store its figures, alert its failures and degradations, resolve what cleared,
        and send the info message when it succeeded."""
        metrics = measure(summary, self.scope, self.full_refresh, datetime.now(UTC))
        where = self._where(summary.run_id)
        problems = table_problems(summary, self.scope, where)
        if self.destination_url and self.dataset:
            store = MetricsStore(self.destination_url, self.dataset)
            size: int | None = None
            try:
                recent = store.recent(self.scope, self.full_refresh, self.settings.recent_runs)
                store.save(metrics)
                size = store.database_bytes()
            except psycopg2.Error as e:
                log.warning("run metrics not stored (%s)", str(e).splitlines()[0][:200])
                recent = []
            problems += performance_problems(metrics, recent, self.settings, where)
            problems += resource_problems(metrics, size, working_disk(), self.settings, where)
        self.failed_channels += self._center().report(self.scope, problems, completed=True)
        if summary.ok:
            self.failed_channels += send(completed_alert(summary, metrics, where), self.settings)


def working_disk() -> tuple[str, int, int]:
    """(path, used bytes, total bytes) of the disk under dlt's data dir, where runs stage their files."""
    path = Path(active().data_dir)
    while not path.exists() and path != path.parent:
        path = path.parent
    usage = shutil.disk_usage(path)
    return str(path), usage.used, usage.total


def table_problems(summary: RunSummary, scope: str, where: list[str]) -> list[Problem]:
    """Critical problems of a finished run: tables that failed, tables whose copy differs from the source."""
    problems = []
    failed = [r for r in summary.results if r.status == "failed"]
    if failed:
        kinds = sorted({_error_kind(r) for r in failed})
        lines = [
            f"Run {summary.run_id} of {scope}: {len(failed)} of {len(summary.results)} table(s) failed: "
            f"{_names(failed)}.",
            f"Errors (by kind; the run log has each table's error): {', '.join(kinds)}.",
            *where,
        ]
        problems.append(Problem("critical", "run_failed", scope, f"run failed ({scope})", lines))
    differs = [r for r in summary.results if r.reconciliation is not None and not r.reconciliation.matches]
    if differs:
        counts = "; ".join(
            f"{r.table}: source {r.reconciliation.source_rows} rows, copy {r.reconciliation.copy_rows} rows"
            for r in differs[:_MAX_TABLES]
            if r.reconciliation is not None
        )
        lines = [
            f"Run {summary.run_id} of {scope}: the copy differs from the source in {len(differs)} table(s): "
            f"{_names(differs)}.",
            f"Counts: {counts}.",
            "The next run re-reads and compares every row's stamp of these tables.",
            *where,
        ]
        problems.append(Problem("critical", "mismatch", scope, f"reconciliation mismatch ({scope})", lines))
    return problems


def completed_alert(summary: RunSummary, m: RunMetrics, where: list[str]) -> Alert:
    """The info message of a successful run: its figures, and per table its counts and duration."""
    results = summary.results
    lines = [
        f"Run {summary.run_id} of {m.scope} completed: {m.tables_ok}/{m.tables} table(s) loaded and reconciled.",
        f"Rows: {m.rows_extracted} extracted, {sum(r.rows_inserted for r in results)} inserted, "
        f"{sum(r.rows_updated for r in results)} updated, {sum(r.rows_deleted for r in results)} deleted.",
        f"Duration {m.duration_s:.1f} s, {m.rows_per_s:.0f} rows/s, peak memory {m.peak_memory_mb:.0f} MB, "
        f"CPU {m.cpu_user_s:.1f} s user + {m.cpu_system_s:.1f} s system, {m.retries} retries.",
        "Tables: "
        + "; ".join(f"{r.table} {r.rows_extracted} rows {r.seconds:.1f} s" for r in results[:_MAX_TABLES])
        + (f"; and {len(results) - _MAX_TABLES} more" if len(results) > _MAX_TABLES else ""),
        *where,
    ]
    return Alert("info", f"run completed ({m.scope})", lines)


def _names(results: list[TableResult]) -> str:
    shown = ", ".join(r.table for r in results[:_MAX_TABLES])
    return shown + (f" and {len(results) - _MAX_TABLES} more" if len(results) > _MAX_TABLES else "")


def _error_kind(r: TableResult) -> str:
    """The error's type name (``OperationalError``), never its text: texts can quote values."""
    head = (r.error or "unknown").split(":", 1)[0].strip()
    return head if head.isidentifier() else "error"
