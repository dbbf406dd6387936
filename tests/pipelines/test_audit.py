"""The full audit (`opendental.py --audit`) on a loaded demo: a value changed in the copy under an equal stamp
is found (the daily proof cannot see it) by table, column and count, never by value; a clinic day not yet
loaded is only unsettled; a run settles it; a full refresh of the table heals the corruption."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2

from conftest import mysql_url
from opendental_demo.generate import build_demo_source
from opendental_demo.simulate import simulate_day

ROOT = Path(__file__).resolve().parents[2]
PLANTED = "Quxplantedname"  # written into the copy: the audit's output must not carry it


def run(source: str, pg: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOURCES__OPENDENTAL__CREDENTIALS=source, DESTINATION__POSTGRES__CREDENTIALS=pg)
    env.update(DLT_DATA_DIR=str(tmp_path / "dlt"), SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S="0.5")
    argv = [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "-q", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)


def totals(done: subprocess.CompletedProcess[str]) -> dict:
    [line] = [x for x in done.stdout.splitlines() if x.startswith("audit: ")]
    return json.loads(line.removeprefix("audit: "))


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
    assert "patient: 2 of " in corrupt.stdout and " rows differ in LName " in corrupt.stdout
    assert " rows differ in PayAmt " in corrupt.stdout
    assert PLANTED not in corrupt.stdout + corrupt.stderr

    assert run(source, pg_database, tmp_path, "--group", "all").returncode == 0  # the proof sees nothing
    settled = totals(run(source, pg_database, tmp_path, "--audit"))
    assert (settled["rows_differing"], settled["rows_unsettled"]) == (3, 0)

    assert run(source, pg_database, tmp_path, "--tables", "patient,payment", "--full-refresh").returncode == 0
    healed = run(source, pg_database, tmp_path, "--audit")
    assert healed.returncode == 0 and totals(healed)["rows_differing"] == 0
