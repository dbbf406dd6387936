"""The full audit (`opendental.py --audit`) on a loaded demo: a value changed in the copy under an equal stamp
is found (the daily proof cannot see it) by table, column and count, never by value; a clinic day not yet
loaded is only unsettled; a run settles it; a full refresh of the table heals the corruption."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg2

from conftest import mysql_url
from opendental_demo.generate import build_demo_source
from opendental_demo.simulate import simulate_day
from opendental_sync.audit import TableAudit, audit
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.sync import Synchronizer

ROOT = Path(__file__).resolve().parents[2]
PLANTED = "Quxplantedname"  # written into the copy: the audit's output must not carry it


def run(source: str, pg: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOURCES__OPENDENTAL__CREDENTIALS=source, DESTINATION__POSTGRES__CREDENTIALS=pg)
    env.update(DLT_DATA_DIR=str(tmp_path / "dlt"), SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S="0.5")
    argv = [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "-q", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)


def totals(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The command's totals, the JSON line the maintenance step reads."""
    [line] = [x for x in done.stdout.splitlines() if x.startswith("audit: ")]
    found: dict[str, Any] = json.loads(line.removeprefix("audit: "))
    return found


def audit_tables(source: str, pg: str, tmp_path: Path) -> dict[str, TableAudit]:
    """The audit as the command runs it, in this process: what it found per table."""
    settings = SyncSettings(credentials=source, dataset="opendental_raw")
    sync = Synchronizer(settings, DestinationSettings(credentials=pg), pipelines_dir=tmp_path / "audit")
    return {t.table: t for t in audit(sync, "all", None)}


def test_audit_finds_values_changed_under_an_equal_stamp_and_leaves_changes_in_flight_to_the_next_run(
    mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    source = mysql_url(mysql_database)
    build_demo_source(source, patients=150, seed=5)
    assert run(source, pg_database, tmp_path).returncode == 0
    clean = run(source, pg_database, tmp_path, "--audit")
    assert clean.returncode == 0, clean.stdout[-2000:] + clean.stderr[-2000:]
    found = totals(clean)
    assert found["tables"] == 31 and found["rows_compared"] > 10_000
    assert (found["rows_differing"], found["rows_unsettled"]) == (0, 0)

    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:  # stamps untouched: the proof still matches
        cur.execute(
            "UPDATE opendental_raw.patient SET l_name = %s WHERE pat_num IN "
            "(SELECT pat_num FROM opendental_raw.patient ORDER BY pat_num LIMIT 2)",
            (PLANTED,),
        )
        cur.execute(
            "UPDATE opendental_raw.payment SET pay_amt = pay_amt + 0.01 "
            "WHERE pay_num = (SELECT max(pay_num) FROM opendental_raw.payment)"
        )
    record = simulate_day(source, seed=5, day=1)
    corrupt = run(source, pg_database, tmp_path, "--audit")
    assert corrupt.returncode == 1
    found = totals(corrupt)
    assert (found["rows_differing"], found["tables_differing"]) == (3, ["patient", "payment"])
    assert found["rows_unsettled"] >= sum(len(t.inserted) for t in record.tables.values())  # the day, in flight
    assert PLANTED not in corrupt.stdout + corrupt.stderr

    assert run(source, pg_database, tmp_path, "--group", "all").returncode == 0  # the proof sees nothing
    settled = audit_tables(source, pg_database, tmp_path)
    assert sum(t.rows_unsettled for t in settled.values()) == 0
    differing = {t.table: (t.rows_differing, t.columns_differing) for t in settled.values() if not t.ok}
    assert differing == {"patient": (2, {"LName"}), "payment": (1, {"PayAmt"})}

    assert run(source, pg_database, tmp_path, "--tables", "patient,payment", "--full-refresh").returncode == 0
    healed = run(source, pg_database, tmp_path, "--audit")
    assert healed.returncode == 0 and totals(healed)["rows_differing"] == 0
