"""Benchmark: our full load and incremental run against a raw `mariadb | psql COPY` pipe, in one run.

    python scripts/benchmark.py --patients 35000

Builds (or with --reuse, reuses) the demo source at that size in database `opendental_bench`, then times on this
machine, one after the other:
  (a) our full load of every table into a fresh PostgreSQL database;
  (b) the raw baseline: `mariadb --batch --quick -e 'SELECT * FROM t' | psql -c '\\copy t FROM STDIN'` for the
      same tables, into text columns (no typing, no checks: the hardware's floor);
  (c) our incremental run after one simulated clinic day;
  (d) the floor the gentle rule puts under (a): every table read with the bounded primary-key queries a full
      load issues (chunk_size rows each, read_workers at a time), typed and then dropped, nothing loaded;
  (e) when `pgloader` is installed (Debian: `apt-get install pgloader`), pgloader copying the same tables with
      its defaults plus its zero-date cast rules into schema `pgloader_baseline`, and how many rows it copied;
and prints each time, the ratios, rows/s, peak memory, which read path each table took, and the CPU seconds
MariaDB and PostgreSQL (when they run on this machine) and the loading process spent in each step.

    python scripts/benchmark.py --binlog --patients 35000

builds the demo in a MariaDB of its own with the binlog on (opendental_demo.binlog_server: its own data folder and
port), and times with ``sources.opendental.binlog = true``: the full load, the incremental run after one simulated
day and after three more, and, for comparison, a run by diff after one more day; each as a share of the full load,
with the rows the days changed and what each run compared; then dlt alone: the rows of the run after one day merged
by a bare dlt pipeline in a new process (bench_dlt_floor.py), the floor under any run that loads through dlt. It
does so for a clinic a quarter that size too (--smaller-clinic), and prints, per clinic size, a binlog run's time as
a fixed part plus a part per changed row.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg2
from bench_binlog import binlog_benchmark
from bench_common import (
    ROOT,
    Timed,
    add_url_arguments,
    client_env,
    compared_by_table,
    fresh_pg_database,
    mariadb_command,
    pgloader_errors,
    pgloader_load,
    psql_url,
    read_paths,
    run_pipeline,
    server_cpu_seconds,
    source_exists,
    source_rows,
)
from sqlalchemy.engine import make_url

from opendental_demo.generate import build_demo_source
from opendental_demo.simulate import simulate_day
from opendental_sync.config import SyncSettings
from opendental_sync.plan import first_read
from opendental_sync.read import ReadLimits, read_rows
from opendental_sync.selection import select_specs
from opendental_sync.shortcuts import WRITE_MARGIN_S
from opendental_sync.source import SourceDatabase


def raw_baseline(source_url: str, pg_url: str, tables: dict[str, int]) -> float:
    """Seconds for the raw pipe over every table (into text columns)."""
    src = make_url(source_url)
    conn = psycopg2.connect(pg_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS raw_baseline CASCADE; CREATE SCHEMA raw_baseline")
    mysql = mariadb_command(source_url)
    columns: dict[str, list[str]] = {}
    describe = subprocess.run(
        [*mysql, "-e", "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
         f"WHERE TABLE_SCHEMA = '{src.database}' ORDER BY TABLE_NAME, ORDINAL_POSITION"],
        check=True, capture_output=True, text=True, env=client_env(source_url),
    )  # fmt: skip
    for line in describe.stdout.splitlines():
        table, column = line.split("\t")
        columns.setdefault(table, []).append(column)
    with conn.cursor() as cur:
        for table in tables:
            cols = ", ".join(f'"{c.lower()}" text' for c in columns[table])
            cur.execute(f'CREATE TABLE raw_baseline."{table}" ({cols})')
    conn.close()
    psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", psql_url(pg_url)]
    env = client_env(source_url, pg_url)
    started = time.perf_counter()
    for table in tables:
        reader = subprocess.Popen([*mysql, "-e", f"SELECT * FROM `{table}`"], stdout=subprocess.PIPE, env=env)
        subprocess.run(
            [*psql, "-c", f"\\copy raw_baseline.\"{table}\" FROM STDIN WITH (FORMAT text, NULL 'NULL')"],
            stdin=reader.stdout,
            check=True,
            env=env,
        )
        assert reader.stdout is not None
        reader.stdout.close()
        if reader.wait() != 0:
            raise RuntimeError(f"mariadb failed reading {table}")
    return time.perf_counter() - started


def bounded_reads(source_url: str) -> tuple[float, int]:
    """Seconds and rows for reading every table as a full load reads it, without loading anything."""
    settings = SyncSettings()
    db = SourceDatabase(source_url)
    tables = db.tables()
    specs = select_specs(tables, db.row_estimates(), "all", None, True)
    synced_at = datetime.now(UTC)
    started, rows = time.perf_counter(), 0
    limits = ReadLimits(settings.chunk_size, settings.read_workers)
    for spec in specs:
        selection, stats = first_read(db, spec, tables[spec.name], settings.chunk_size)
        for batch in read_rows(db, tables[spec.name], spec, selection, synced_at, stats, limits):
            rows += batch.num_rows
        stats.read.clear()
    return time.perf_counter() - started, rows


class ServerCpu:
    """CPU seconds MariaDB and PostgreSQL spend during a step (None when a server is not on this machine)."""

    def __enter__(self) -> ServerCpu:
        self.start = {name: server_cpu_seconds(name) for name in ("mariadbd", "postgres")}
        return self

    def __exit__(self, *exc: object) -> None:
        self.used = {}
        for name, before in self.start.items():
            after = server_cpu_seconds(name)
            self.used[name] = None if before is None or after is None else after - before

    def describe(self) -> str:
        return ", ".join(f"{n} {'-' if s is None else f'{s:.1f}'}" for n, s in self.used.items())


def quiet_run(args: argparse.Namespace) -> tuple[Timed, ServerCpu, dict[str, str]]:
    """A run once the writes before it are older than the shortcut's margin: its time, CPU and what it compared."""
    time.sleep(WRITE_MARGIN_S + 1)
    with ServerCpu() as cpu:
        run = run_pipeline(args.source_url, args.pg_url)
    if run.returncode != 0:
        print(run.output[-3000:])
    return run, cpu, compared_by_table(args.pg_url) if run.returncode == 0 else {}


@dataclass
class Figures:
    """What one benchmark measured: the source's rows, each step's run and CPU, the read paths, the day's changes."""

    total: int
    full: Timed
    full_cpu: ServerCpu
    baseline: float
    raw_cpu: ServerCpu
    floor: float
    floor_cpu: ServerCpu
    incremental: Timed
    incremental_cpu: ServerCpu
    incremental_compared: dict[str, str]  # per table, what the incremental run's proof compared
    unchanged: Timed  # a run with nothing changed since the incremental one
    unchanged_cpu: ServerCpu
    unchanged_compared: dict[str, str]
    changed: int
    paths: dict[str, str]
    pgloader: tuple[Timed, int] | None  # (its run, rows it copied); None when pgloader is not installed
    pgloader_cpu: ServerCpu | None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--patients", type=int, default=35000)
    p.add_argument("--seed", type=int, default=42)
    add_url_arguments(p, "opendental_bench")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="reuse an existing demo source (only one not yet changed by a simulated day gives comparable figures)",
    )
    p.add_argument(
        "--binlog",
        action="store_true",
        help="time the binlog runs instead, on a MariaDB this script starts with the binlog on (--source-url unused)",
    )
    p.add_argument(
        "--smaller-clinic",
        type=int,
        metavar="PATIENTS",
        help="with --binlog: time the same runs for a clinic of this many patients too (default: a quarter of "
        "--patients; 0: only --patients), to show how a run's time grows with the rows changed and the clinic's size",
    )
    args = p.parse_args(argv)
    if args.smaller_clinic is not None and not args.binlog:
        p.error("--smaller-clinic goes with --binlog (the runs without the binlog time one clinic size)")
    return args


def prepare_source(args: argparse.Namespace) -> dict[str, int]:
    """Build the demo source (unless --reuse finds one); its rows per table."""
    if not args.reuse or not source_exists(args.source_url):
        t0 = time.perf_counter()
        build_demo_source(args.source_url, args.patients, args.seed)
        print(f"built demo source ({args.patients} patients) in {time.perf_counter() - t0:.1f}s")
    rows = source_rows(args.source_url)
    print(f"source: {len(rows)} tables, {sum(rows.values()):,} rows")
    return rows


def run_pgloader(args: argparse.Namespace) -> tuple[tuple[Timed, int] | None, ServerCpu | None]:
    """(e) pgloader when it is installed: its run and rows copied, and the servers' CPU; (None, None) when not."""
    if not shutil.which("pgloader"):
        return None, None
    with ServerCpu() as cpu:
        pgloader = pgloader_load(args.source_url, args.pg_url)
    for error in pgloader_errors(pgloader[0].output):
        print(f"pgloader: {error}")
    return pgloader, cpu


def measure(args: argparse.Namespace, rows: dict[str, int]) -> Figures | None:
    """Steps (a) to (e), one after the other; None when one of our runs failed (its output printed)."""
    total = sum(rows.values())
    fresh_pg_database(args.pg_url)
    time.sleep(WRITE_MARGIN_S + 1)  # the demo's writes before the full load, as a clinic's are
    with ServerCpu() as full_cpu:
        full = run_pipeline(args.source_url, args.pg_url)
    if full.returncode != 0:
        print(full.output[-3000:])
        return None
    paths = read_paths(args.pg_url)
    with ServerCpu() as raw_cpu:
        baseline = raw_baseline(args.source_url, args.pg_url, rows)
    with ServerCpu() as floor_cpu:
        floor, floor_rows = bounded_reads(args.source_url)
    if floor_rows != total:
        print(f"warning: the bounded reads saw {floor_rows:,} rows, the source has {total:,}")
    pgloader, pgloader_cpu = run_pgloader(args)
    record = simulate_day(args.source_url, args.seed, day=1)
    changed = sum(len(c.inserted) + len(c.updated) + len(c.deleted) for c in record.tables.values())
    incremental, incremental_cpu, incremental_compared = quiet_run(args)
    unchanged, unchanged_cpu, unchanged_compared = quiet_run(args)
    if incremental.returncode != 0 or unchanged.returncode != 0:
        return None
    return Figures(
        total=total,
        full=full,
        full_cpu=full_cpu,
        baseline=baseline,
        raw_cpu=raw_cpu,
        floor=floor,
        floor_cpu=floor_cpu,
        incremental=incremental,
        incremental_cpu=incremental_cpu,
        incremental_compared=incremental_compared,
        unchanged=unchanged,
        unchanged_cpu=unchanged_cpu,
        unchanged_compared=unchanged_compared,
        changed=changed,
        paths=paths,
        pgloader=pgloader,
        pgloader_cpu=pgloader_cpu,
    )


def print_times(f: Figures) -> None:
    """The table of steps: seconds, rows/s, ratio, peak memory (and pgloader's rows copied)."""
    total, baseline, full, incremental, floor = f.total, f.baseline, f.full, f.incremental, f.floor
    print()
    print(f"{'step':<34}{'seconds':>9}{'rows/s':>12}{'ratio':>22}{'peak MB':>10}")
    raw_step = "(b) raw pipe mariadb | psql COPY"
    print(f"{raw_step:<34}{baseline:>9.1f}{total / baseline:>12,.0f}{'1.00x baseline':>22}{'-':>10}")
    print(
        f"{'(a) full load (ours)':<34}{full.seconds:>9.1f}{total / full.seconds:>12,.0f}"
        f"{f'{full.seconds / baseline:.2f}x baseline':>22}{full.peak_rss_mb:>10.0f}"
    )
    print(
        f"{'(c) incremental after one day':<34}{incremental.seconds:>9.1f}{'':>12}"
        f"{f'{incremental.seconds / full.seconds:.1%} of full load':>22}{incremental.peak_rss_mb:>10.0f}"
    )
    unchanged = f.unchanged
    print(
        f"{'(f) run with nothing changed':<34}{unchanged.seconds:>9.1f}{'':>12}"
        f"{f'{unchanged.seconds / full.seconds:.1%} of full load':>22}{unchanged.peak_rss_mb:>10.0f}"
    )
    floor_step = "(d) bounded reads alone (floor)"
    print(f"{floor_step:<34}{floor:>9.1f}{total / floor:>12,.0f}{f'{floor / baseline:.2f}x baseline':>22}{'-':>10}")
    if f.pgloader is None:
        print("(e) pgloader: not installed, not run (Debian: apt-get install pgloader)")
    else:
        run, copied = f.pgloader
        pg_step = "(e) pgloader, zero dates cast"
        seconds = f"{run.seconds:>9.1f}{total / run.seconds:>12,.0f}{f'{run.seconds / baseline:.2f}x baseline':>22}"
        print(f"{pg_step:<34}{seconds}{run.peak_rss_mb:>10.0f}")
        print(f"    pgloader exited {run.returncode} and copied {copied:,} of the source's {total:,} rows")


def print_cpu(f: Figures) -> None:
    """The day's changes, then the servers' CPU seconds per step (and the loading process's own)."""
    steps = [("(a)", f.full_cpu), ("(b)", f.raw_cpu), ("(c)", f.incremental_cpu), ("(d)", f.floor_cpu)]
    steps.append(("(f)", f.unchanged_cpu))
    if f.pgloader_cpu is not None:
        steps.append(("(e)", f.pgloader_cpu))
    print(f"one simulated day changed {f.changed:,} rows")
    print("server CPU seconds per step (two cores in all):")
    for label, cpu in steps:
        runs = {"(a)": f.full, "(c)": f.incremental, "(f)": f.unchanged}
        ours = {**runs, "(e)": f.pgloader[0] if f.pgloader else None}.get(label)
        who = "pgloader" if label == "(e)" else "our process"
        print(f"  {label} {cpu.describe()}" + (f", {who} {ours.cpu_seconds:.1f}" if ours else ""))


def print_compared(step: str, compared: dict[str, str]) -> None:
    """Which shortcut each table took in a run (what its proof compared), tables grouped by it."""
    by_kind: dict[str, list[str]] = {}
    for table, kind in sorted(compared.items()):
        by_kind.setdefault(kind, []).append(table)
    print(f"{step} compared per table:")
    for kind, tables in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        print(f"    {kind}: {len(tables)} ({', '.join(tables)})")


def print_read_paths(paths: dict[str, str]) -> None:
    """How many tables each read path took."""
    by_path: dict[str, list[str]] = {}
    for table, path in sorted(paths.items()):
        by_path.setdefault(path or "?", []).append(table)
    for path, tables in by_path.items():
        print(f"read path {path}: {len(tables)} tables")


def main(argv: list[str] | None = None) -> int:
    """Build the source, run steps (a) to (e) and print their figures. Returns the exit code."""
    args = parse_args(argv)
    if args.binlog:
        smaller = args.patients // 4 if args.smaller_clinic is None else args.smaller_clinic
        return binlog_benchmark(args.patients, args.seed, args.pg_url, smaller)
    figures = measure(args, prepare_source(args))
    if figures is None:
        return 1
    print_times(figures)
    print_cpu(figures)
    print_read_paths(figures.paths)
    print_compared("(c) incremental after one day", figures.incremental_compared)
    print_compared("(f) nothing changed", figures.unchanged_compared)
    print(f"(machine: {ROOT}; services on 127.0.0.1; one run each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
