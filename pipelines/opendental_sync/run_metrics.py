"""Monitoring figures per run (``<dataset>._od_run_metrics``, beside the run log) and the performance checks
that compare a run with its group's recent runs."""

from __future__ import annotations

import resource
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from psycopg2 import sql

from opendental_sync.alert_state import Problem
from opendental_sync.alerts import AlertSettings
from opendental_sync.bookkeeping import BookkeepingTable
from opendental_sync.results import RunSummary

RUN_METRICS = "_od_run_metrics"
METRICS_DDL = """
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {table} (
    run_id text PRIMARY KEY,
    scope text NOT NULL,
    full_refresh boolean NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    status text NOT NULL,
    tables bigint NOT NULL,
    tables_ok bigint NOT NULL,
    rows_extracted bigint NOT NULL,
    duration_s double precision NOT NULL,
    rows_per_s double precision NOT NULL,
    peak_memory_mb double precision NOT NULL,
    cpu_user_s double precision NOT NULL,
    cpu_system_s double precision NOT NULL,
    retries bigint NOT NULL
);
"""


@dataclass(frozen=True)
class RunMetrics:
    """One completed run: its figures, and those of the loading process (this process)."""

    run_id: str
    scope: str
    full_refresh: bool
    started_at: datetime
    finished_at: datetime
    status: str  # ok | failed (some table failed or mismatched)
    tables: int
    tables_ok: int
    rows_extracted: int
    duration_s: float
    rows_per_s: float
    peak_memory_mb: float
    cpu_user_s: float
    cpu_system_s: float
    retries: int


def measure(summary: RunSummary, scope: str, full_refresh: bool, finished_at: datetime) -> RunMetrics:
    """Figures of a run that just finished in this process (peak memory and CPU are the process's own)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rows = sum(r.rows_extracted for r in summary.results)
    seconds = max(summary.seconds, 1e-6)
    return RunMetrics(
        run_id=summary.run_id,
        scope=scope,
        full_refresh=full_refresh,
        started_at=finished_at - timedelta(seconds=summary.seconds),
        finished_at=finished_at,
        status="ok" if summary.ok else "failed",
        tables=len(summary.results),
        tables_ok=sum(r.status == "ok" for r in summary.results),
        rows_extracted=rows,
        duration_s=round(summary.seconds, 3),
        rows_per_s=round(rows / seconds, 1),
        peak_memory_mb=round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
        cpu_user_s=round(usage.ru_utime, 2),
        cpu_system_s=round(usage.ru_stime, 2),
        retries=sum(r.retries for r in summary.results),
    )


class MetricsStore:
    """``<dataset>._od_run_metrics`` in the copy's database."""

    def __init__(self, url: str, dataset: str):
        self.store = BookkeepingTable(url, dataset, RUN_METRICS, METRICS_DDL)
        self.table = self.store.table

    def save(self, m: RunMetrics) -> None:
        row = asdict(m)
        self.store.execute(
            sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                self.table,
                sql.SQL(", ").join(sql.Identifier(k) for k in row),
                sql.SQL(", ").join(sql.Placeholder() for _ in row),
            ),
            tuple(row.values()),
        )

    def database_bytes(self) -> int:
        """The size of the copy's database (pg_database_size: any user who may connect can read it)."""
        return int(self.store.execute(sql.SQL("SELECT pg_database_size(current_database())"))[0][0])  # type: ignore[call-overload]

    def recent(self, scope: str, full_refresh: bool, limit: int) -> list[tuple[float, int]]:
        """(duration, rows) of the latest completed, successful runs of a group and kind, newest first."""
        rows = self.store.execute(
            sql.SQL(
                "SELECT duration_s, rows_extracted FROM {} WHERE scope = %s AND full_refresh = %s AND status = 'ok' "
                "ORDER BY finished_at DESC LIMIT %s"
            ).format(self.table),
            (scope, full_refresh, limit),
        )
        return [(float(d), int(n)) for d, n in rows]  # type: ignore[arg-type, call-overload]


def performance_problems(
    m: RunMetrics, recent: list[tuple[float, int]], settings: AlertSettings, where: list[str]
) -> list[Problem]:
    """Warnings for a run slower, or with fewer rows/s, than its group's recent runs, or with high peak memory."""
    problems = []
    runs = f"the last {len(recent)} completed run(s) of {m.scope}"
    if len(recent) >= settings.min_runs and m.duration_s >= settings.min_duration_s:
        median = statistics.median(d for d, _ in recent)
        if m.duration_s > settings.slow_factor * median:
            ratio = m.duration_s / max(median, 1e-6)
            line = (
                f"Run {m.run_id} took {m.duration_s:.1f} s, {ratio:.1f}x the median {median:.1f} s of {runs} "
                f"(warns above {settings.slow_factor:g}x); {m.rows_extracted} rows in {m.tables} table(s)."
            )
            problems.append(Problem("warning", "slow", m.scope, f"run slower than usual ({m.scope})", [line, *where]))
    rates = [n / max(d, 1e-6) for d, n in recent if n >= settings.min_rows_for_rate]
    if len(rates) >= settings.min_runs and m.rows_extracted >= settings.min_rows_for_rate:
        median = statistics.median(rates)
        if m.rows_per_s < settings.throughput_factor * median:
            line = (
                f"Run {m.run_id} read {m.rows_per_s:.0f} rows/s, under {settings.throughput_factor:g}x the median "
                f"{median:.0f} rows/s of {runs} with at least {settings.min_rows_for_rate} rows."
            )
            title = f"throughput lower than usual ({m.scope})"
            problems.append(Problem("warning", "throughput", m.scope, title, [line, *where]))
    if settings.max_memory_mb > 0 and m.peak_memory_mb > settings.max_memory_mb:
        limit = f"alerts.max_memory_mb = {settings.max_memory_mb:g}"
        line = f"Run {m.run_id}: the loading process peaked at {m.peak_memory_mb:.0f} MB ({limit})."
        problems.append(Problem("warning", "memory", m.scope, f"peak memory high ({m.scope})", [line, *where]))
    return problems


def resource_problems(
    m: RunMetrics, database_bytes: int | None, disk: tuple[str, int, int], settings: AlertSettings, where: list[str]
) -> list[Problem]:
    """Warnings for a copy's database over ``max_database_gb`` and a working disk (path, used, total bytes) over
    ``max_disk_used_percent``."""
    problems = []
    if database_bytes is not None and settings.max_database_gb > 0:
        size_gb = database_bytes / 1024**3
        if size_gb > settings.max_database_gb:
            line = (
                f"After run {m.run_id} the copy's database holds {size_gb:.1f} GB "
                f"(alerts.max_database_gb = {settings.max_database_gb:g}): check the warehouse's free disk, "
                "then raise the setting or run maintenance (vacuum, cleanup)."
            )
            problems.append(Problem("warning", "database_size", m.scope, f"database large ({m.scope})", [line, *where]))
    path, used, total = disk
    if total > 0 and settings.max_disk_used_percent > 0 and 100 * used / total > settings.max_disk_used_percent:
        line = (
            f"After run {m.run_id} the disk of the pipeline's working folder {path} is {100 * used / total:.0f}% "
            f"full (alerts.max_disk_used_percent = {settings.max_disk_used_percent:g}); free "
            f"{(total - used) / 1024**3:.1f} GB. A full load stages each table there before loading it."
        )
        problems.append(Problem("warning", "disk", m.scope, f"disk nearly full ({m.scope})", [line, *where]))
    return problems
