"""The README's speed commands, run small: the benchmark, the writer-stall probe and the read-cost probe must
keep working end to end (their figures are read by people, not asserted here)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg2

from conftest import mysql_execute, mysql_url
from opendental_sync.destination import CopyDatabase
from opendental_sync.registry import load_registry
from support.compare import pg_scalar

ROOT = Path(__file__).resolve().parents[2]
PATIENTS = "300"


def run_script(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args], capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def seconds(out: str, step: str) -> float:
    """The step's time: the first figure of its line (the benchmark prints a table for people, no JSON)."""
    found = re.search(rf"^{re.escape(step)}\D*?\s(\d+\.\d)\s", out, re.MULTILINE)
    assert found is not None, f"no time for {step}:\n{out}"
    return float(found[1])


def test_the_benchmark_times_every_step_against_the_raw_pipe(mysql_database: str, pg_database: str) -> None:
    out = run_script(
        "benchmark.py", "--patients", PATIENTS, "--source-url", mysql_url(mysql_database), "--pg-url", pg_database
    ).stdout
    steps = ("(b) raw pipe", "(a) full load", "(c) incremental after one day", "(d) bounded reads alone")
    for step in (*steps, "(f) run with nothing changed"):
        assert seconds(out, step) > 0, out
    # Which shortcut each table took: with nothing changed, no table is read (every one not written since).
    assert re.search(r"\(f\) nothing changed compared per table:\n    not written since the last proven run", out), out
    assert "warning" not in out  # the bounded reads saw every row of the source
    assert re.search(r"read path connectorx: \d+ tables", out), out
    assert "PyMySQL" not in out  # no batch needed the slow fallback: the fast path read every value
    if shutil.which("pgloader"):  # .ci/run installs it; the step is optional where it is not installed
        assert seconds(out, "(e) pgloader") > 0, out
        copied = re.search(r"pgloader exited 0 and copied ([\d,]+) of the source's ([\d,]+) rows", out)
        assert copied is not None and copied[1] == copied[2], out  # its zero-date rules let it copy every row
    else:
        assert "(e) pgloader: not installed" in out, out


def test_the_benchmark_times_the_runs_with_the_binlog(pg_database: str) -> None:
    out = run_script(
        "benchmark.py", "--binlog", "--patients", PATIENTS, "--smaller-clinic", "100", "--pg-url", pg_database
    ).stdout
    for clinic in out.split("\nclinic of ")[1:]:  # the larger clinic's runs, then the smaller's
        steps = {}
        for step in ("(a) full load", "(c) binlog run after one day", "(f) binlog run after three days", "(g) diff"):
            line = next((x for x in clinic.splitlines() if x.startswith(step)), None)
            assert line is not None, f"no line for {step}:\n{out}"
            assert float(line[34:43]) > 0, line
            steps[step] = line
        # The binlog runs followed the binlog for every table of the demo; the last one compared by diff.
        for step in ("(c) binlog run after one day", "(f) binlog run after three days"):
            assert "binlog: keys changed since the last position: 31" in steps[step], steps[step]
        assert "binlog:" not in steps["(g) diff"], steps["(g) diff"]
        # dlt alone merged as many rows of as many tables as run (c) loaded.
        floor = re.search(
            r"^dlt alone: ([\d,]+) rows of the (\d+) tables run \(c\) loaded, .*: (\d+\.\d) s, ", clinic, re.M
        )
        assert floor is not None, clinic
        assert int(floor[1].replace(",", "")) > 0 and int(floor[2]) > 0 and float(floor[3]) > 0, floor[0]
    fits = re.findall(r"^ +([\d,]+) patients .*: (-?\d+\.\d) s \+ (-?\d+\.\d+) s per 1,000 rows$", out, re.MULTILINE)
    assert [patients for patients, _, _ in fits] == [PATIENTS, "100"], out
    with closing(psycopg2.connect(pg_database)) as conn, conn.cursor() as cur:  # the bare dlt merge left nothing
        cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'dlt_floor'")
        assert cur.fetchone() == (0,)


def test_the_probe_reports_the_longest_writer_stall(mysql_database: str, pg_database: str) -> None:
    out = run_script(
        "writer_stall_probe.py",
        "--patients",
        PATIENTS,
        "--source-url",
        mysql_url(mysql_database),
        "--pg-url",
        pg_database,
    ).stdout
    for phase in ("writer alone", "during our full load", "during our incremental run"):
        assert phase in out, out
    assert ("during pgloader" in out) == bool(shutil.which("pgloader")), out
    assert re.search(r"longest writer stall while we read: \d+ ms", out), out


def test_the_read_cost_probe_reads_the_table_in_every_shape(mysql_database: str) -> None:
    mysql_execute(
        mysql_database,
        "CREATE TABLE securitylog (SecurityLogNum bigint NOT NULL PRIMARY KEY, FKey bigint NOT NULL, LogText text) "
        "ENGINE=MyISAM",
        "INSERT INTO securitylog SELECT seq, seq % 7, 'entry' FROM seq_1_to_5000",
    )
    out = run_script(
        "read_cost_probe.py",
        "--table",
        "securitylog",
        "--chunk-size",
        "1000",
        "--source-url",
        mysql_url(mysql_database),
    ).stdout
    assert "securitylog: 5,000 rows" in out, out
    for shape in ("scan", "key ranges", "handler", "mrr", "fingerprint", "keys only"):
        assert re.search(rf"^{shape} +\d+\.\d\d +\S+ +\S+$", out, re.MULTILINE), f"{shape}:\n{out}"


def test_the_read_cost_probe_reads_a_stamp_as_a_run_does_where_no_index_leads_with_it(mysql_database: str) -> None:
    mysql_execute(
        mysql_database,
        "CREATE TABLE commlog (CommlogNum bigint NOT NULL PRIMARY KEY, Note text, DateTStamp timestamp NOT NULL "
        "DEFAULT current_timestamp() ON UPDATE current_timestamp()) ENGINE=MyISAM",
        "INSERT INTO commlog (CommlogNum, Note) SELECT seq, 'called' FROM seq_1_to_3000",
    )
    args = ["--table", "commlog", "--chunk-size", "1000", "--source-url", mysql_url(mysql_database)]
    out = run_script("read_cost_probe.py", *args).stdout
    for shape in ("stamps", "keys, stamps", "fingerprint"):
        assert re.search(rf"^{shape} +\d+\.\d\d +\S+ +\S+$", out, re.MULTILINE), f"{shape}:\n{out}"
    # The stamp-read probe finds the same keys each way (none stamped long ago, all 3000 within the hour).
    out = run_script("stamp_read_probe.py", "--table", "commlog", "--hours", "1", *args[-2:]).stdout
    assert re.search(r"^stamps read on the server +\d+\.\d\d s  3,000 keys$", out, re.MULTILINE), out
    assert re.search(r"^every key and stamp fetched +\d+\.\d\d s  3,000 keys$", out, re.MULTILINE), out


def test_client_passwords_travel_in_the_environment_not_the_command_line() -> None:
    from scripts.bench_common import client_env, mariadb_command, psql_url

    source, destination = "mysql+pymysql://bench:S3cretSrc@db:3306/od", "postgresql://loader:S3cretDst@pg:5432/a"
    argv = " ".join(mariadb_command(source)) + " " + psql_url(destination)
    assert "S3cretSrc" not in argv and "S3cretDst" not in argv  # `ps` shows argv to every user
    env = client_env(source, destination)
    assert env["MYSQL_PWD"] == "S3cretSrc" and env["PGPASSWORD"] == "S3cretDst"


def test_the_copy_cost_probe_times_a_runs_copy_queries_with_and_without_jit(pg_database: str) -> None:
    with closing(psycopg2.connect(pg_database)) as conn, conn, conn.cursor() as cur:
        cur.execute(
            "CREATE SCHEMA opendental_raw; CREATE TABLE opendental_raw.procedurelog (proc_num bigint PRIMARY KEY, "
            "date_t_stamp timestamptz, note text, _od_deleted boolean NOT NULL DEFAULT false); "
            "INSERT INTO opendental_raw.procedurelog SELECT g, now(), 'done' FROM generate_series(1, 5000) AS g"
        )
    copy = CopyDatabase(pg_database, "opendental_raw")
    try:
        copy.counter.ensure()
        assert copy.counter.live_rows(load_registry()["procedurelog"]) == 5000  # as a run of this version leaves it
    finally:
        copy.close()
    out = run_script("copy_cost_probe.py", "--table", "procedurelog", "--repeat", "1", "--pg-url", pg_database).stdout
    assert "opendental_raw.procedurelog: 5,000 rows, key 1..5000, buckets of 64 keys" in out, out
    assert "the sessions' jit: off, on;" in out, out
    for query in ("range snapshot", "key fingerprint", "live row scan", "live row counter"):
        assert re.search(rf"^{query} +\d+\.\d{{3}}s +\d+\.\d{{3}}s$", out, re.MULTILINE), f"{query}:\n{out}"
    assert re.search(r"^ANALYZE  whole table \d+\.\d{3}s, the columns a first load analyzes \d+\.\d{3}s$", out, re.M), (
        out
    )
    assert pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw.procedurelog") == 5000
