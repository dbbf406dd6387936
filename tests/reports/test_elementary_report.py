"""Elementary's report of a `dbt build` in which tests fail on rows that carry recognisable patient values:
the report and Elementary's tables hold none of those values, and a real browser shows the run's tests with
the same failures as dbt's run_results.json."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from conftest import mysql_admin, mysql_url
from opendental_demo.generate import build_demo_source
from opendental_ops.alerts import start_from_parse
from opendental_ops.settings import Clinic
from opendental_ops.steps import Command, check_build
from scripts import elementary_report as report_script
from support.alert_servers import smtp_server, webhook_server
from support.dbt_runs import ROOT, dbt_build, dbt_env, elementary_report, run_pipeline

# Synthetic, but shaped like what must never leak: a name, an SSN, a birth date, free-text notes.
PLANTED = {
    "last name": "Quillfeatherstone",
    "first name": "Ottoline",
    "ssn": "987-65-4329",
    "birth date": "2090-05-17",
    "payment note": "Dentures-lost-Xylophone-8812",
    "commlog note": "Called-about-Zanzibar-4471",
}
PATIENT, ORPHAN_PATIENT = 900_001, 900_777
# The raw schema, named to dbt as the scheduled steps name it: every dbt command here runs with the same settings,
# so each starts from the parse of the build (a change of setting would have dbt parse the project again).
RAW_SCHEMA = {"OPENDENTAL_RAW_SCHEMA": "opendental_raw"}


def plant_failing_rows(database: str) -> None:
    """A patient born in the future whose guarantor does not exist, a payment far over any sane amount, and a
    commlog of a patient that does not exist: each fails (or warns) a test, each carries planted values."""
    with mysql_admin(database) as conn, conn.cursor() as cur:
        cur.execute("SELECT PayType FROM payment WHERE PayType <> 0 LIMIT 1")
        pay_type = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO patient (PatNum, LName, FName, SSN, Birthdate, Guarantor, PatStatus, DateFirstVisit)"
            " VALUES (%s, %s, %s, %s, %s, %s, 0, CURDATE())",
            (PATIENT, PLANTED["last name"], PLANTED["first name"], PLANTED["ssn"], PLANTED["birth date"], 123_456_789),
        )
        cur.execute(
            "INSERT INTO payment (PayType, PayDate, PayAmt, PayNote, PatNum, ClinicNum, DateEntry, DepositNum,"
            " Receipt, IsRecurringCC) VALUES (%s, CURDATE(), 7777777.77, %s, %s, 0, CURDATE(), 0, '', 0)",
            (pay_type, PLANTED["payment note"], PATIENT),
        )
        cur.execute(
            "INSERT INTO commlog (PatNum, CommDateTime, Note) VALUES (%s, NOW(), %s)",
            (ORPHAN_PATIENT, PLANTED["commlog note"]),
        )


@dataclass
class Built:
    pg_url: str
    results: list[dict[str, Any]]
    report: Path
    target: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """A demo clinic with the planted rows, copied, built with dbt, and reported on by Elementary."""
    from conftest import PG_ADMIN_URL, pg_url

    tmp = tmp_path_factory.mktemp("report")
    name = f"od_test_report_{date.today():%Y%m%d}_{id(tmp) % 100000}"
    with mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb3")
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        source = mysql_url(name)
        build_demo_source(source, patients=200, seed=11, as_of=date.today())
        plant_failing_rows(name)
        run_pipeline(source, pg_url(name), tmp / "dlt")
        _, results = dbt_build(pg_url(name), tmp / "target", env=RAW_SCHEMA)
        done = elementary_report(pg_url(name), tmp / "elementary_report.html")
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield Built(pg_url(name), results, tmp / "elementary_report.html", tmp / "target")
    finally:
        with mysql_admin() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def embedded_data(report: Path) -> str:
    """The report's data as text: the page carries it as base64 JSON (window.elementaryData)."""
    html = report.read_text()
    match = re.search(r"window\.elementaryData = JSON\.parse\(atob\('([A-Za-z0-9+/=]+)'\)\)", html)
    assert match, "the report carries no embedded data"
    return json.dumps(json.loads(base64.b64decode(match.group(1))))


def test_failing_tests_on_planted_rows_fail(built: Built) -> None:
    failed = {r["unique_id"] for r in built.results if r["status"] == "fail"}
    assert any("birth_date" in uid for uid in failed), failed
    assert any("assert_patient_guarantors_exist" in uid for uid in failed), failed
    warned = {r["unique_id"] for r in built.results if r["status"] == "warn"}
    assert any("payment_amount" in uid and "between" in uid for uid in warned), warned


def test_failing_tests_warn_once_on_each_channel_and_resolve_without_values(
    built: Built, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The scheduled build's check (`steps.check_build`): the failing and the warning tests each send one warning,
    a second look within the repeat interval sends nothing, a clean build resolves both. The demo is fresh, so
    `dbt source freshness` finds nothing late."""
    clinic = Clinic("planted", "sources.opendental.credentials", "opendental_raw", "UTC")
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", built.pg_url)
    monkeypatch.setenv("ALERTS__STATE_FILE", str(tmp_path / "alert_state.json"))
    env = {**dbt_env(built.pg_url), **RAW_SCHEMA}
    build = Command("dbt_build", ["dbt", "build", "--target-path", str(built.target)], env, "all")
    with smtp_server() as (box, mail_url), webhook_server() as (hook, json_url):
        monkeypatch.setenv("ALERTS__WARNING", json.dumps([mail_url, json_url]))
        check_build(build, clinic)
        assert sorted(p["title"] for p in hook.posts) == [
            "[opendental-sync] WARNING: data-quality tests failed (dbt tests all)",
            "[opendental-sync] WARNING: data-quality tests warned (dbt tests all)",
        ]
        failed = next(p["message"] for p in hook.posts if "failed" in p["title"])
        assert "assert_patient_guarantors_exist" in failed and "test(s) failed" in failed
        assert len(box.messages) == 2
        check_build(build, clinic)  # the same results again, within the repeat interval: nothing new
        assert len(hook.posts) == 2
        clean = tmp_path / "clean"
        clean.mkdir()
        start_from_parse(built.target, clean)  # as a build leaves it, with its parse
        (clean / "run_results.json").write_text(
            json.dumps({"results": [{"unique_id": "test.opendental.t.1", "status": "pass"}]})
        )
        passed = Command("dbt_build", ["dbt", "build", "--target-path", str(clean)], env, "all")
        check_build(passed, clinic)
        # Each check's `dbt source freshness` started from the parse of the build before it, none parsed in full.
        for checked in (built.target, clean):
            assert "Starting full parse" not in (checked / "freshness" / "logs" / "dbt.log").read_text()
        assert [p["type"] for p in hook.posts[2:]] == ["success", "success"]
        assert all("RESOLVED: data-quality tests" in p["title"] for p in hook.posts[2:])
        for text in [*box.texts(), *hook.texts()]:
            for what, value in PLANTED.items():
                assert value not in text, f"{what} in an alert"


def test_no_planted_value_reaches_the_report(built: Built) -> None:
    data, html = embedded_data(built.report), built.report.read_text()
    assert "stg_opendental__patients" in data  # the decoded data is the report's, with its tests
    for what, value in PLANTED.items():
        assert value not in data, f"{what} in the report's data"
        assert value not in html, f"{what} in the report's page"


def test_no_planted_value_in_tables_analysts_read_besides_the_copy(built: Built, tmp_path: Path) -> None:
    """Elementary's tables (and any dbt store-failures schema) and the analysts' masked layer hold no planted
    value (the planted patient's row is there, without them)."""
    # The build skipped the masked view of patients (a test on its staging model failed); build it alone.
    done, _ = dbt_build(
        built.pg_url,
        tmp_path / "target",
        "--select",
        "masked_opendental__patients",
        env=RAW_SCHEMA,
        parsed_in=built.target,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    conn = psycopg2.connect(built.pg_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
                " WHERE table_schema IN ('elementary', 'masked') OR table_schema LIKE '%%dbt_test__audit'"
            )
            tables = cur.fetchall()
            assert len(tables) > 40 and sum(schema == "masked" for schema, _ in tables) == 31
            cur.execute(
                "SELECT birth_date_year FROM masked.masked_opendental__patients WHERE patient_id = %s", (PATIENT,)
            )
            assert cur.fetchone() == (2090,)
            # No failing test's rows were sampled (several failed); what Elementary keeps of a test's result are
            # the anomaly tests' metrics (counts per day), never rows of the tables.
            cur.execute("SELECT count(*) FROM elementary.test_result_rows WHERE test_type <> 'anomaly_detection'")
            assert cur.fetchone()[0] == 0
            cur.execute("SELECT count(*) FROM elementary.elementary_test_results WHERE status IN ('fail', 'error')")
            assert cur.fetchone()[0] >= 2
            patterns = [f"%{v}%" for v in PLANTED.values()]
            for schema, table in tables:
                cur.execute(f'SELECT count(*) FROM "{schema}"."{table}" t WHERE t::text ILIKE ANY(%s)', (patterns,))
                assert cur.fetchone()[0] == 0, f"a planted value in {schema}.{table}"
    finally:
        conn.close()


def rendered_text(report: Path, page: str, tmp: Path) -> str:
    """The text a person sees on ``page`` of the report, as rendered by headless Chromium (no network)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is needed (.ci/run installs it: apt-get install chromium)"
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp / 'chromium'}",
         "--virtual-time-budget=20000", "--dump-dom", f"{report.as_uri()}#/report/{page}"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", done.stdout, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_a_browser_shows_the_runs_tests_and_its_failures(built: Built, tmp_path: Path) -> None:
    text = rendered_text(built.report, "test-results", tmp_path)
    # The page's status filters: Elementary counts failed and erroring tests together under "Errors".
    shown = {label: int(n) for label, n in re.findall(r"\b(All|Passed|Warnings|Errors) \((\d+)\)", text)}
    tests = [r for r in built.results if r["unique_id"].startswith("test.")]
    expected = {
        "All": len(tests),
        "Passed": sum(r["status"] == "pass" for r in tests),
        "Warnings": sum(r["status"] == "warn" for r in tests),
        "Errors": sum(r["status"] in ("fail", "error") for r in tests),
    }
    assert expected["Errors"] >= 2
    assert shown == expected, text[:3000]
    # Each test is listed with its table, column and last status, e.g. the failing birth-date range test.
    assert re.search(
        r"stg_opendental__patients birth_date expect_column_values_to_be_between \w+ dbt [\d/: APM]+ Failure", text
    )


def test_extract_load_report_tells_the_runs_story_without_values(built: Built, tmp_path: Path) -> None:
    """reports/quality.html keeps what Elementary lacks: per-run charts and per-table load figures."""
    out = tmp_path / "quality.html"
    env = dict(os.environ, DESTINATION__POSTGRES__CREDENTIALS=built.pg_url)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "quality_report.py"), "--out", str(out)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    page = out.read_text()
    assert page.count("<svg") >= 4 and 'aria-label="Run duration"' in page
    assert len(re.findall(r"<tr><td>[a-z]+</td><td><span class=\"badge ok\">ok</span>", page)) == 31
    assert "expect_column_values_to_be_between" not in page  # test results live in Elementary's report
    # Monitoring against the targets: the one run succeeded; the planted rows fail tests, so quality is below 100%.
    assert "Runs that succeeded, last 30 days: <b>100.00%</b> (1 of 1 runs)" in page
    quality = re.search(r"Data-quality tests passing, latest result each: <b>([\d.]+)%</b> \(([\d,]+) of", page)
    assert quality and 90 < float(quality.group(1)) < 100, quality
    assert int(quality.group(2).replace(",", "")) == sum(
        r["status"] == "pass" for r in built.results if r["unique_id"].startswith("test.")
    )
    assert 'aria-label="Duration, group all"' in page and 'aria-label="Throughput, group all"' in page
    for what, value in PLANTED.items():
        assert value not in page, f"{what} in the extract-load report"


def test_reports_started_at_once_on_a_new_install_install_edrs_packages_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While edr's packages are missing, a report holds the install lock for its whole edr run (edr installs
    them); once they are there, reports run side by side."""
    work = tmp_path / ".edr"
    monkeypatch.setattr(report_script, "WORK", work)

    def held_by_another() -> bool:
        with open(work / "install.lock") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(other, fcntl.LOCK_UN)
            return False

    # What edr is run with by the script's main (edr itself stands aside: it would need a built warehouse): whether
    # the lock was held while it ran, and whether it was told to install the packages.
    edr_runs: list[tuple[bool, bool]] = []

    def edr(command: list[str], env: dict[str, str], cwd: Path, check: bool) -> subprocess.CompletedProcess[str]:
        config = Path(command[command.index("--config-dir") + 1]) / "config.yml"
        edr_runs.append((held_by_another(), "run_dbt_deps_if_needed: true" in config.read_text()))
        return subprocess.CompletedProcess(command, 1)

    monkeypatch.setattr(report_script.subprocess, "run", edr)
    with report_script.first_install_lock() as installed:
        assert installed is False and held_by_another()
    assert not held_by_another()
    report_script.main(["--out", str(tmp_path / "report.html")])
    for name in report_script.EDR_PACKAGES:
        (work / "dbt_packages" / name).mkdir(parents=True)
        (work / "dbt_packages" / name / "dbt_project.yml").write_text("name: x\n")
    with report_script.first_install_lock() as installed:
        assert installed is True and not held_by_another()
    report_script.main(["--out", str(tmp_path / "report.html")])
    assert edr_runs == [(True, True), (False, False)]
