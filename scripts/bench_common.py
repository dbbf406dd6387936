"""Shared by the benchmark and the writer-stall probe: a demo source and a fresh copy database to measure
against, and the pipeline run as a separate process (its peak memory is that process's own)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
import pymysql  # type: ignore[import-untyped]
from psycopg2 import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Timed:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str
    cpu_seconds: float = 0.0  # the pipeline process's own CPU, user and system, on all its threads


@contextmanager
def mysql_cursor(url: str, database: bool = True, autocommit: bool = False) -> Iterator[Any]:
    """A PyMySQL cursor on the server of ``url`` (in its database unless ``database`` is False), closed after."""
    u = make_url(url)
    conn = pymysql.connect(
        host=u.host, port=u.port or 3306, user=u.username, password=u.password or "",
        database=u.database if database else None, autocommit=autocommit,
    )  # fmt: skip
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def source_rows(url: str) -> dict[str, int]:
    """Exact row counts per table of the source."""
    with mysql_cursor(url) as cur:
        cur.execute(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'",
            (make_url(url).database,),
        )
        tables = [r[0] for r in cur.fetchall()]
        counts = {}
        for t in tables:
            cur.execute(f"SELECT COUNT(*) FROM `{t}`")
            counts[t] = int(cur.fetchone()[0])
        return counts


def source_exists(url: str) -> bool:
    with mysql_cursor(url, database=False) as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = 'patient'",
            (make_url(url).database,),
        )
        return int(cur.fetchone()[0]) > 0


def fresh_pg_database(url: str) -> None:
    """Drop and create the PostgreSQL database of ``url``."""
    u = make_url(url)
    admin = psycopg2.connect(u.set(database="postgres").render_as_string(hide_password=False))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(u.database))))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(u.database))))
    admin.close()


def drop_schema(url: str, schema: str) -> None:
    """Drop a schema of the PostgreSQL database of ``url`` with everything in it, if it exists."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    finally:
        conn.close()


def run_pipeline(source_url: str, pg_url: str, *args: str, settings: dict[str, str] | None = None) -> Timed:
    """Run ``python pipelines/opendental.py`` as a child process; wall time and its peak resident memory.
    ``settings``: more environment variables (``SOURCES__OPENDENTAL__BINLOG``, ...)."""
    env = dict(os.environ)
    env.update(
        SOURCES__OPENDENTAL__CREDENTIALS=source_url,
        DESTINATION__POSTGRES__CREDENTIALS=pg_url,
        DLT_DATA_DIR=str(ROOT / ".dlt" / ".var" / "bench"),
        **(settings or {}),
    )
    return run_timed([sys.executable, str(ROOT / "pipelines" / "opendental.py"), "-q", *args], env)


def run_timed(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Timed:
    """Run a command to its end: wall time, its peak resident memory and CPU seconds, exit code and output."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Timed(seconds, usage.ru_maxrss / 1024, proc.returncode, output, cpu)


def add_source_url_argument(parser: argparse.ArgumentParser) -> None:
    """``--source-url``, defaulting to OPENDENTAL_BENCH_SOURCE_URL (a password there stays off the command line,
    which ``ps`` shows to every user), else the local MariaDB's benchmark database."""
    source = "mysql+pymysql://root:@127.0.0.1:3306/opendental_bench"
    parser.add_argument("--source-url", default=os.environ.get("OPENDENTAL_BENCH_SOURCE_URL", source))


def add_pg_url_argument(parser: argparse.ArgumentParser, pg_database: str) -> None:
    """``--pg-url``, defaulting to OPENDENTAL_BENCH_PG_URL, else ``pg_database`` on the local PostgreSQL."""
    pg = f"postgresql://postgres@127.0.0.1:5432/{pg_database}"
    parser.add_argument("--pg-url", default=os.environ.get("OPENDENTAL_BENCH_PG_URL", pg))


def add_url_arguments(parser: argparse.ArgumentParser, pg_database: str) -> None:
    """``--source-url`` and ``--pg-url``, defaulting to OPENDENTAL_BENCH_SOURCE_URL / OPENDENTAL_BENCH_PG_URL
    (a password there stays off the command line, which ``ps`` shows to every user), else the local servers."""
    add_source_url_argument(parser)
    add_pg_url_argument(parser, pg_database)


def mariadb_command(url: str) -> list[str]:
    """The ``mariadb`` client, batch mode, rows streamed as they come (``--quick``), for the database of ``url``.
    The password is not on the command line (``ps`` shows it to every user): run it with ``client_env``."""
    u = make_url(url)
    return [
        "mariadb", "--batch", "--quick", "--skip-column-names", f"-h{u.host}", f"-P{u.port or 3306}",
        f"-u{u.username}", "--default-character-set=utf8mb4", str(u.database),
    ]  # fmt: skip


def psql_url(url: str) -> str:
    """A PostgreSQL URL for ``psql``'s command line: without its password (``client_env`` carries it)."""
    return make_url(url).set(drivername="postgresql")._replace(password=None).render_as_string(hide_password=False)


def client_env(source_url: str | None = None, pg_url: str | None = None) -> dict[str, str]:
    """The environment for the ``mariadb`` and ``psql`` clients: their passwords (MYSQL_PWD, PGPASSWORD)."""
    env = dict(os.environ)
    if source_url is not None:
        env["MYSQL_PWD"] = make_url(source_url).password or ""
    if pg_url is not None and make_url(pg_url).password:
        env["PGPASSWORD"] = str(make_url(pg_url).password)
    return env


def server_cpu_seconds(process_name: str) -> float | None:
    """CPU seconds used so far by a local server process (its own and its reaped children's: PostgreSQL's
    exited backends count into the postmaster); None when no such process runs on this machine."""
    split = server_cpu_split(process_name)
    return None if split is None else sum(split)


def server_cpu_split(process_name: str) -> tuple[float, float] | None:
    """(user, system) CPU seconds of ``server_cpu_seconds``: system time is mostly the server's system calls."""
    try:
        pids = subprocess.run(["pgrep", "-x", process_name], capture_output=True, text=True).stdout.split()
    except FileNotFoundError:
        return None
    if not pids:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    user = system = 0.0
    for pid in pids:  # the postmaster and its live backends
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        utime, stime, cutime, cstime = (int(x) / tick for x in fields[11:15])
        user += utime + cutime
        system += stime + cstime
    return user, system


PGLOADER_SCHEMA = "pgloader_baseline"
# pgloader's documented settings for large MySQL tables: without the timeouts, MariaDB drops a connection pgloader
# has not read from for net_write_timeout (60 s) and pgloader loses the rest of that table. Without the zero-date
# rules it copies no row of a table holding one (and exits 0).
PGLOADER_SETTINGS = """SET MySQL PARAMETERS net_read_timeout = '3600', net_write_timeout = '3600'
CAST type date to date drop default drop not null using zero-dates-to-null,
     type datetime to timestamptz drop default drop not null using zero-dates-to-null,
     type timestamp to timestamptz drop default drop not null using zero-dates-to-null"""


def pgloader_errors(output: str) -> list[str]:
    """pgloader's distinct error messages, cut before any quoted value (its messages quote row values)."""
    found = (m.rstrip(": ") for m in re.findall(r"(?:ERROR|FATAL) ([^\"\n]*)", output))
    return sorted({m for m in found if m})


def pgloader_load(source_url: str, pg_url: str) -> tuple[Timed, int]:
    """pgloader (a mature bulk copier: its defaults, plus its settings for timeouts and zero dates) over every
    table of the source into schema ``pgloader_baseline``: its run, and the rows that reached PostgreSQL."""
    src, dst = make_url(source_url), make_url(pg_url)
    conn = psycopg2.connect(pg_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {PGLOADER_SCHEMA} CASCADE")
    mysql = src.set(drivername="mysql").render_as_string(hide_password=False)
    postgresql = dst.set(drivername="postgresql").render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory() as tmp:
        command = Path(tmp) / "load.pgloader"
        command.write_text(
            f"LOAD DATABASE FROM {mysql} INTO {postgresql}\n{PGLOADER_SETTINGS}\n"
            f"ALTER SCHEMA '{src.database}' RENAME TO '{PGLOADER_SCHEMA}';\n"
        )
        run = run_timed(["pgloader", "--root-dir", tmp, str(command)])
    copied = 0
    with conn.cursor() as cur:
        cur.execute("SELECT relname FROM pg_stat_user_tables WHERE schemaname = %s", (PGLOADER_SCHEMA,))
        for (table,) in cur.fetchall():
            cur.execute(f'SELECT COUNT(*) FROM {PGLOADER_SCHEMA}."{table}"')
            copied += int(cur.fetchone()[0])
    conn.close()
    return run, copied


def latest_by_table(pg_url: str, query: str) -> dict[str, str]:
    """A two-column query over the copy's bookkeeping (table name, what it says of that table), as a dict."""
    conn = psycopg2.connect(pg_url)
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            return dict(cur.fetchall())
    finally:
        conn.close()


def compared_by_table(pg_url: str) -> dict[str, str]:
    """What the latest run's proof compared per table (``_od_reconciliation.compared``: which shortcut applied)."""
    return latest_by_table(
        pg_url,
        "SELECT table_name, compared FROM opendental_raw._od_reconciliation WHERE run_id = "
        "(SELECT run_id FROM opendental_raw._od_run_log ORDER BY started_at DESC LIMIT 1)",
    )


def read_paths(pg_url: str) -> dict[str, str]:
    """The read path each table's latest run took (``_od_run_log.read_path``)."""
    return latest_by_table(
        pg_url,
        "SELECT DISTINCT ON (table_name) table_name, read_path FROM opendental_raw._od_run_log "
        "ORDER BY table_name, started_at DESC",
    )
