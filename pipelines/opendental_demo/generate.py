"""Build the demo OpenDental source database: schema from ddl.sql, rows generated inside MariaDB.

All rows are made by ``INSERT ... SELECT`` over MariaDB's sequence tables (``seq_1_to_N``), so 35,000 patients
(about 9.3 million rows) take about a minute on two cores, and every value is a function of (seed, patients, as_of):
the same arguments give byte-identical tables, change stamps included.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from opendental_sync.safety import mask_urls

from .context import HELPER_PREFIX, Ctx
from .db import Connection as Conn
from .db import MySqlUrl, connect, connection, execute, keys_off, query
from .gen_claims import build_claims
from .gen_insurance import build_insurance
from .gen_logs import build_commlog, build_refattach, build_securitylog
from .gen_money import build_adjustment, build_payments
from .gen_people import build_people, build_recall, build_schedule
from .gen_quirks import build_income_on_deleted, build_merged_plan
from .gen_ref import build_reference
from .gen_visits import build_appointment, build_completed_proc_index, build_histappointment, build_procedurelog
from .guard import check_replaceable
from .quirks import QuirkPlan
from .sizes import TABLES, check_patients

log = logging.getLogger(__name__)

DDL_PATH = Path(__file__).with_name("ddl.sql")
DEFAULT_AS_OF = date(2026, 11, 25)
WORKERS = 2
# Session settings for bulk loading MyISAM (index rebuilds by sort, in-memory GROUP BY).
BULK_SESSION = (
    "SET SESSION myisam_sort_buffer_size = 268435456, bulk_insert_buffer_size = 67108864, "
    "tmp_table_size = 268435456, max_heap_table_size = 268435456"
)

Step = Callable[[Conn, Ctx], None]


@dataclass(frozen=True)
class Task:
    """One unit of generation: the tables it fills, the tasks it waits for."""

    name: str
    run: Step
    after: tuple[str, ...] = ()


def _procedurelog_task(conn: Conn, ctx: Ctx) -> None:
    with keys_off(conn, "procedurelog"):
        build_procedurelog(conn, ctx)


# Listed in priority order: the critical path (patients -> appointments -> procedures -> money) first.
TASKS: tuple[Task, ...] = (
    Task("patients", build_people),
    Task("reference", build_reference),
    Task("insurance", build_insurance, ("patients",)),
    Task("appointments", build_appointment, ("insurance",)),
    Task("procedures", _procedurelog_task, ("appointments", "reference")),
    Task("completed_procedures", build_completed_proc_index, ("procedures",)),
    Task("payments", build_payments, ("completed_procedures",)),
    Task("claims", build_claims, ("procedures", "insurance", "reference")),
    Task("adjustments", build_adjustment, ("completed_procedures",)),
    Task("securitylog", build_securitylog),
    Task("commlog", build_commlog),
    Task("histappointment", build_histappointment, ("appointments",)),
    Task("refattach", build_refattach, ("completed_procedures",)),
    Task("schedule", build_schedule),
    Task("recall", build_recall),
    Task("income_on_deleted", build_income_on_deleted, ("payments", "claims", "adjustments")),
    Task("merged_plan", build_merged_plan, ("histappointment",)),
)


def ddl_statements() -> list[str]:
    """The CREATE TABLE statements of ddl.sql."""
    text = "\n".join(line for line in DDL_PATH.read_text().splitlines() if not line.startswith("--"))
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]


def _check_args(patients: int, seed: int, as_of: date) -> None:
    check_patients(patients)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed={seed!r} is not a non-negative integer; pass e.g. seed=42")
    if not isinstance(as_of, date):
        raise ValueError(f"as_of={as_of!r} is not a datetime.date; pass e.g. date(2026, 11, 25)")


def create_schema(url: str) -> str:
    """(Re)create the database named in ``url`` with the 31 empty OpenDental tables; return its name.

    Raises:
        NotADemoSource: the database exists, has tables and is not a demo source (it is left alone).
    """
    database = MySqlUrl.parse(url).database
    with connection(url, database="") as conn:
        if not query(conn, "SELECT 1 FROM information_schema.ENGINES WHERE ENGINE = 'SEQUENCE'"):
            version = query(conn, "SELECT VERSION()")[0][0]
            raise ValueError(
                f"the server at {mask_urls(url)} ({version}) has no SEQUENCE engine; the demo generator makes its "
                "rows with MariaDB's seq_1_to_N tables: use MariaDB 10.3 or later for the demo source"
            )
        check_replaceable(conn, database, url)
        execute(conn, f"DROP DATABASE IF EXISTS `{database}`")
        execute(conn, f"CREATE DATABASE `{database}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci")
        execute(conn, f"USE `{database}`")
        for stmt in ddl_statements():
            execute(conn, stmt)
    return database


def _run_tasks(url: str, ctx: Ctx) -> None:
    """Run TASKS on WORKERS connections, each task once its predecessors are done."""
    local = threading.local()
    opened: list[Conn] = []
    opened_lock = threading.Lock()

    def worker_conn() -> Conn:
        conn: Conn | None = getattr(local, "conn", None)
        if conn is None:
            conn = connect(url)
            execute(conn, BULK_SESSION)
            local.conn = conn
            with opened_lock:
                opened.append(conn)
        return conn

    def run(task: Task) -> float:
        started = time.monotonic()
        task.run(worker_conn(), ctx)
        return time.monotonic() - started

    done: set[str] = set()
    pending = list(TASKS)
    running: dict[Future[float], Task] = {}
    try:
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="demo-gen") as pool:
            while pending or running:
                for task in [t for t in pending if set(t.after) <= done]:
                    if len(running) >= WORKERS:
                        break
                    pending.remove(task)
                    running[pool.submit(run, task)] = task
                if not running:
                    raise RuntimeError(f"tasks {[t.name for t in pending]} wait for tasks that never run")
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    elapsed = future.result()  # re-raises the task's error
                    log.info("generated %s in %.1f s", task.name, elapsed)
                    done.add(task.name)
    finally:
        for conn in opened:
            conn.close()


def _drop_helpers(url: str) -> None:
    with connection(url) as conn:
        helpers = [r[0] for r in query(conn, "SHOW TABLES") if str(r[0]).startswith(HELPER_PREFIX)]
        if helpers:
            execute(conn, "DROP TABLE " + ", ".join(f"`{t}`" for t in helpers))


def demo_row_counts(url: str) -> dict[str, int]:
    """Exact rows per table (``COUNT(*)``) of every base table in the database of ``url``, by name."""
    with connection(url) as conn:
        tables = sorted(str(r[0]) for r in query(conn, "SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'"))
        return {t: int(query(conn, f"SELECT COUNT(*) FROM `{t}`")[0][0]) for t in tables}


def build_demo_source(url: str, patients: int, seed: int = 42, *, as_of: date = DEFAULT_AS_OF) -> dict[str, int]:
    """Create (or re-create) a demo OpenDental database with ``patients`` patients and fill all 31 tables.

    Args:
        url: SQLAlchemy-style URL ``mysql+pymysql://user:pass@host:port/dbname``; the database ``dbname`` is
            dropped and created again.
        patients: number of patients; the other tables follow the proportions of a real 35,135-patient clinic
            (35000 gives about 9 million rows), reference tables keep fixed sizes.
        seed: the same seed (with the same patients and as_of) gives byte-identical data.
        as_of: the snapshot date: every generated change stamp and entry time is before it (future
            appointments and recall dates lie after it).

    Returns:
        Rows per table, by table name (the quirk amounts are ``expected_quirks(patients, seed, as_of)``).

    Raises:
        ValueError: an argument is out of range (the message names it and the allowed values).
        NotADemoSource: the database exists with tables that are not a demo source; nothing is dropped.
        DemoSourceUnreachable: the MySQL/MariaDB server cannot be reached.
    """
    _check_args(patients, seed, as_of)
    started = time.monotonic()
    plan = QuirkPlan.make(patients, seed, as_of)
    database = create_schema(url)
    log.info("building demo source %s: %d patients, seed %d, as of %s", database, patients, seed, as_of)
    try:
        _run_tasks(url, Ctx(plan))
    finally:
        _drop_helpers(url)
    counts = demo_row_counts(url)
    wrong = {t: (counts.get(t), plan.sizes[t]) for t in TABLES if counts.get(t) != plan.sizes[t]}
    if wrong:
        raise RuntimeError(f"generator bug: rows (made, planned) differ for {wrong}")
    log.info("demo source %s built in %.1f s", database, time.monotonic() - started)
    return counts


def checksum_demo_source(url: str) -> str:
    """A fingerprint of all data in the database of ``url``: sha256 over ``CHECKSUM TABLE ... EXTENDED`` of
    every base table (row-order independent; NULL and '' differ; change stamps included)."""
    with connection(url) as conn:
        tables = sorted(str(r[0]) for r in query(conn, "SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'"))
        digest = hashlib.sha256()
        if tables:
            listing = ", ".join(f"`{t}`" for t in tables)
            for name, checksum in sorted(query(conn, f"CHECKSUM TABLE {listing} EXTENDED")):
                digest.update(f"{str(name).split('.', 1)[-1]}:{checksum}\n".encode())
        return digest.hexdigest()
