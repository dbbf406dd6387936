"""Maintenance of a clinic's copy, each step a command (`python pipelines/ops.py maintain <step>`) and a task
of the maintenance DAGs. Each step records what it found (counts, sizes, seconds: never row values) in
``<dataset>._od_maintenance``.

- vacuum:       VACUUM (ANALYZE) of the raw tables the run log shows changed since the last vacuum;
- reindex:      a bloat estimate of every index of the raw schema; REINDEX CONCURRENTLY over the threshold;
- cleanup:      leftover local pipeline and staging files (under the run lock, so never a running run's),
                old quality reports, run-log and reconciliation rows past the retention (the latest per table
                is always kept: the dbt tests and the report read it);
- full_audit:   every column of every row of the copy compared with the source (``opendental.py --audit``, in a
                child process with the clinic's settings, like a run); differences that are not changes in
                flight fail it, naming the tables; ``--tables <t> --full-refresh`` heals them;
- backup_check: pg_dump of the clinic's warehouse database restored into a scratch database; every table of the
                raw schema compared by row count and a checksum of all its rows; the scratch database dropped.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import URL, make_url

from opendental_ops import alerts as ops_alerts
from opendental_ops.settings import Clinic, OpsSettings
from opendental_ops.steps import ROOT, PermanentFailure, StepFailed, clinic_env, warehouse_url
from opendental_sync.bookkeeping import BookkeepingTable
from opendental_sync.destination import CopyDatabase
from opendental_sync.names import raw_name
from opendental_sync.run_lock import RunLockBusy
from opendental_sync.safety import mask_urls

log = logging.getLogger(__name__)

MAINTENANCE_TABLE = "_od_maintenance"
JOB_STEPS: dict[str, tuple[str, ...]] = {
    "maintenance_weekly": ("vacuum", "reindex", "cleanup"),
    "maintenance_monthly": ("full_audit", "backup_check"),
}
_DDL = """CREATE TABLE IF NOT EXISTS {table} (
    step text NOT NULL, started_at timestamptz NOT NULL, seconds double precision NOT NULL, found jsonb NOT NULL
)"""
# Estimated bytes of a btree index: per entry its key width, an 8-byte tuple header and a 4-byte line pointer,
# pages filled to the default 90%; per page 24 bytes of header. Needs statistics (vacuum runs ANALYZE first).
_INDEX_SIZES = """
SELECT i.relname, pg_relation_size(i.oid),
       ceil(i.reltuples * (12 + coalesce(sum(s.avg_width), 8)) / (current_setting('block_size')::int * 0.9 - 24))
         * current_setting('block_size')::int + current_setting('block_size')::int
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = i.relam AND am.amname = 'btree'
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (x.indkey)
LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = t.relname AND s.attname = a.attname
WHERE n.nspname = %s AND i.reltuples >= 0
GROUP BY i.relname, i.oid, i.reltuples
"""


@contextmanager
def _connect(url: str) -> Iterator[Any]:
    with closing(psycopg2.connect(url, connect_timeout=10)) as conn:
        conn.autocommit = True  # VACUUM and REINDEX CONCURRENTLY cannot run in a transaction
        yield conn


def _record(clinic: Clinic, step: str, started: float, found: dict[str, Any]) -> dict[str, Any]:
    found = {**found, "seconds": round(time.time() - started, 2)}
    history = BookkeepingTable(warehouse_url(clinic), clinic.dataset, MAINTENANCE_TABLE, _DDL)
    history.execute(
        sql.SQL("INSERT INTO {} VALUES (%s, to_timestamp(%s), %s, %s)").format(history.table),
        (step, started, found["seconds"], json.dumps(found)),
    )
    log.info("%s: %s", step, json.dumps(found))
    ops_alerts.maintenance_done(clinic.name, step, found)
    return found


def vacuum(clinic: Clinic, settings: OpsSettings) -> dict[str, Any]:
    """VACUUM (ANALYZE) the raw tables that runs changed since the last vacuum (all of them the first time)."""
    started = time.time()
    with _connect(warehouse_url(clinic)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            (clinic.dataset,),
        )
        existing = {r[0] for r in cur.fetchall()}
        since = _last_run(cur, clinic, "vacuum")
        changed = existing
        if since is not None:
            cur.execute(
                sql.SQL(
                    "SELECT DISTINCT table_name FROM {}._od_run_log WHERE finished_at >= to_timestamp(%s) "
                    "AND coalesce(rows_inserted, 0) + coalesce(rows_updated, 0) + coalesce(rows_deleted, 0) > 0"
                ).format(sql.Identifier(clinic.dataset)),
                (since,),
            )
            changed = {raw_name(r[0]) for r in cur.fetchall()} | {t for t in existing if t.startswith("_od_")}
        tables = sorted(changed & existing)
        for t in tables:
            cur.execute(sql.SQL("VACUUM (ANALYZE) {}.{}").format(sql.Identifier(clinic.dataset), sql.Identifier(t)))
    return _record(clinic, "vacuum", started, {"tables_vacuumed": len(tables), "tables_in_schema": len(existing)})


def _last_run(cur: Any, clinic: Clinic, step: str) -> float | None:
    cur.execute("SELECT to_regclass(%s)", (f'"{clinic.dataset}".{MAINTENANCE_TABLE}',))
    if cur.fetchone()[0] is None:
        return None
    query = sql.SQL("SELECT extract(epoch FROM max(started_at)) FROM {}.{} WHERE step = %s")
    cur.execute(query.format(sql.Identifier(clinic.dataset), sql.Identifier(MAINTENANCE_TABLE)), (step,))
    found = cur.fetchone()[0]
    return float(found) if found is not None else None


def reindex(clinic: Clinic, settings: OpsSettings) -> dict[str, Any]:
    """Estimate each raw index's bloat; REINDEX CONCURRENTLY those over the threshold (and the minimum size)."""
    started = time.time()
    rebuilt: list[str] = []
    worst = 0.0
    with _connect(warehouse_url(clinic)) as conn, conn.cursor() as cur:
        cur.execute(_INDEX_SIZES, (clinic.dataset,))
        sizes = cur.fetchall()
        for name, actual, expected in sizes:
            bloat = max(0.0, 1 - float(expected) / actual) if actual else 0.0
            worst = max(worst, bloat)
            if bloat > settings.reindex_bloat_ratio and actual >= settings.reindex_min_bytes:
                cur.execute(
                    sql.SQL("REINDEX INDEX CONCURRENTLY {}.{}").format(
                        sql.Identifier(clinic.dataset), sql.Identifier(name)
                    )
                )
                rebuilt.append(name)
    found = {"indexes": len(sizes), "reindexed": rebuilt, "worst_bloat_estimate": round(worst, 3)}
    return _record(clinic, "reindex", started, found)


def cleanup(clinic: Clinic, settings: OpsSettings) -> dict[str, Any]:
    """Remove leftover local pipeline files, old reports and run-log rows past the retention."""
    started = time.time()
    url = warehouse_url(clinic)
    copy = CopyDatabase(url, clinic.dataset)
    files = 0
    try:
        with copy.run_lock(timeout_s=0):  # a run under way owns its files: leave them
            files = _remove_tree(ROOT / settings.data_dir / clinic.name)
    except RunLockBusy:
        log.warning("cleanup: a run of clinic %s holds the copy; its local files are left for next time", clinic.name)
    finally:
        copy.close()
    reports = _remove_old_files(ROOT / settings.reports_dir / clinic.name, settings.report_retention_days)
    rows = _trim_run_log(url, clinic.dataset, settings.run_log_retention_days)
    return _record(clinic, "cleanup", started, {"local_files": files, "old_reports": reports, "log_rows": rows})


def _remove_tree(path: Path) -> int:
    """Remove the clinic's dlt working folder (pending packages, staging Parquet): every run starts anew from
    its diff, so nothing in it is needed once no run holds the lock."""
    if not path.exists():
        return 0
    count = sum(1 for p in path.rglob("*") if p.is_file())
    shutil.rmtree(path)
    return count


def _remove_old_files(path: Path, days: int) -> int:
    cutoff = time.time() - days * 86_400
    old = [p for p in path.rglob("*") if p.is_file() and p.stat().st_mtime < cutoff] if path.exists() else []
    for p in old:
        p.unlink()
    return len(old)


def _trim_run_log(url: str, dataset: str, days: int) -> int:
    removed = 0
    with _connect(url) as conn, conn.cursor() as cur:
        for table, stamp in (("_od_run_log", "started_at"), ("_od_reconciliation", "checked_at")):
            cur.execute("SELECT to_regclass(%s)", (f'"{dataset}".{table}',))
            if cur.fetchone()[0] is None:
                continue
            query = sql.SQL(
                "DELETE FROM {t} o WHERE o.{s} < now() - make_interval(days => %s) "
                "AND o.run_id <> (SELECT l.run_id FROM {t} l WHERE l.table_name = o.table_name "
                "ORDER BY l.{s} DESC LIMIT 1)"
            ).format(t=sql.Identifier(dataset, table), s=sql.Identifier(stamp))
            cur.execute(query, (days,))
            removed += cur.rowcount
    return removed


_AUDIT_LINE = re.compile(r"^audit: (\{.*\})$", re.MULTILINE)
_RANGES = re.compile(r" \(key ranges [^)]*\)$")


def full_audit(clinic: Clinic, settings: OpsSettings) -> dict[str, Any]:
    """Compare every column of every row with the source; fail (not to be retried) when rows differ."""
    started = time.time()
    argv = [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "--audit", "-q"]
    done = subprocess.run(argv, env=clinic_env(clinic, settings), cwd=ROOT, capture_output=True, text=True)
    totals = _AUDIT_LINE.search(done.stdout)
    if totals is None:
        tail = " / ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        raise StepFailed(f"full audit exited {done.returncode} before it finished: {mask_urls(tail)}")
    found = json.loads(totals.group(1))
    # Per table, the rows and columns that differ; the key ranges stay in the command's own output.
    found["differing"] = [_RANGES.sub("", line) for line in done.stdout.splitlines() if " rows differ in " in line]
    result = _record(clinic, "full_audit", started, found)
    if found["rows_differing"]:
        tables = ",".join(found["tables_differing"])
        raise PermanentFailure(
            f"full audit of clinic {clinic.name}: {found['rows_differing']} row(s) of {tables} differ from the source "
            f"with equal change stamps (see {clinic.dataset}._od_maintenance). Heal them with the clinic's source "
            f"({clinic.source_credentials}) and warehouse: python pipelines/opendental.py --dataset {clinic.dataset} "
            f"--tables {tables} --full-refresh"
        )
    return result


def backup_check(clinic: Clinic, settings: OpsSettings) -> dict[str, Any]:
    """pg_dump of the clinic's warehouse database, restored into a scratch database; each raw table's row count and
    checksum (of every column of every row) compared. The dump and the live side's checksums read one exported
    snapshot, so runs may go on meanwhile (no lock is taken) and still nothing differs by timing."""
    started = time.time()
    url = make_url(warehouse_url(clinic))
    scratch = f"{url.database}_restore_check"[:63]
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    env = {**os.environ, "PGPASSWORD": url.password or ""}  # not on the command line, where `ps` shows it
    with (
        tempfile.TemporaryDirectory(prefix="od_backup_") as tmp,
        closing(psycopg2.connect(str(warehouse_url(clinic)))) as live,
    ):
        live.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with live.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = str(cur.fetchone()[0])
            dump = Path(tmp) / "warehouse.dump"
            _run(
                ["pg_dump", "--format=custom", "--snapshot", snapshot, "--file", str(dump), "--dbname", _dsn(url)], env
            )
            source = _fingerprints(cur, clinic.dataset)
        live.rollback()
        _recreate(admin, scratch)
        try:
            target = url.set(database=scratch)
            _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _dsn(target), str(dump)], env)
            with _connect(target.render_as_string(hide_password=False)) as conn, conn.cursor() as cur:
                restored = _fingerprints(cur, clinic.dataset)
            dump_bytes = dump.stat().st_size
        finally:
            _drop(admin, scratch)
    differ = sorted(t for t in source if source[t] != restored.get(t))
    found: dict[str, Any] = {"tables": len(source), "rows": sum(n for n, _ in source.values())}
    found.update(dump_bytes=dump_bytes, tables_differing=differ)
    result = _record(clinic, "backup_check", started, found)
    if differ:
        raise RuntimeError(f"backup check: the restored copy differs in {', '.join(differ)} (row count or checksum)")
    return result


def _dsn(url: URL) -> str:
    """A libpq connection string without the password (given in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {done.returncode}: {mask_urls(done.stderr.strip()[-500:])}")


def _recreate(admin_url: str, name: str) -> None:
    _drop(admin_url, name)
    with _connect(admin_url) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop(admin_url: str, name: str) -> None:
    with _connect(admin_url) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# Order-free: the sum of a 64-bit hash of each row's text, so no sort and no memory beyond one row.
_FINGERPRINT = "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text FROM {} t"


def _fingerprints(cur: Any, schema: str) -> dict[str, tuple[int, str]]:
    """Each table of ``schema``: (rows, checksum of every column of every row)."""
    cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
        (schema,),
    )
    found = {}
    for (table,) in cur.fetchall():
        cur.execute(sql.SQL(_FINGERPRINT).format(sql.Identifier(schema, table)))
        rows, checksum = cur.fetchone()
        found[table] = (int(rows), str(checksum))
    return found


STEP_FUNCTIONS: dict[str, Callable[[Clinic, OpsSettings], dict[str, Any]]] = {
    "vacuum": vacuum,
    "reindex": reindex,
    "cleanup": cleanup,
    "full_audit": full_audit,
    "backup_check": backup_check,
}
