"""`dbt build` on a copy the pipeline loaded from a demo source: every model builds and every test passes
(known demo quirks warn below their error thresholds). Then a simulated clinic day with schema drift, an
incremental run, and `dbt build` again: the tests still pass and deleted rows are kept in raw."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import mysql_url
from scripts.demo.generate import build_demo_source
from scripts.demo.simulate import simulate_day
from support.compare import differences, pg_scalar
from support.dbt_runs import dbt_build, run_pipeline, statuses


def dbt_build_ok(pg_url: str, target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Builds; asserts nothing failed. Returns the count per status and each test's status by unique_id."""
    done, results = dbt_build(pg_url, target)
    failing = [r["unique_id"] for r in results if r["status"] in ("error", "fail")]
    assert done.returncode == 0 and not failing, f"{failing}\n{done.stdout[-4000:]}"
    return statuses(results), {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("test.")}


def status_of(tests: dict[str, str], fragment: str, exclude: str = "\0") -> list[str]:
    """Statuses of the tests whose unique_id contains ``fragment`` (and not ``exclude``); asserts there are some."""
    found = [status for uid, status in tests.items() if fragment in uid and exclude not in uid]
    assert found, f"no test matches {fragment!r}"
    return found


def test_dbt_build_passes_on_the_loaded_demo_and_after_a_clinic_day(
    mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    source = mysql_url(mysql_database)
    build_demo_source(source, patients=200, seed=7, as_of=date.today())
    run_pipeline(source, pg_database, tmp_path / "dlt")
    first, tests = dbt_build_ok(pg_database, tmp_path / "target1")
    assert first.get("success", 0) + first.get("pass", 0) > 400  # models, snapshots, tests and unit tests ran
    # The demo's deliberate quirks (orphans, unbalanced payments) warn, below their error thresholds.
    assert first.get("warn", 0) >= 1
    # The package tests ran and hold on a current demo: raw types as declared (Elementary's baseline), staging
    # counts equal raw's live rows and recent data (dbt-expectations), every group ran within its window.
    assert set(status_of(tests, "schema_changes_from_baseline")) == {"pass"}
    assert len(status_of(tests, "schema_changes_from_baseline")) == 33  # 31 OpenDental tables + 2 of the pipeline
    assert set(status_of(tests, "expect_table_row_count_to_equal_other_table")) == {"pass"}
    # ... and equal the live rows the pipeline counted at its proof (independent of the models' filters)
    assert len(status_of(tests, "expect_table_aggregation_to_equal_other_table")) == 31
    assert set(status_of(tests, "expect_table_aggregation_to_equal_other_table")) == {"pass"}
    # A small demo clinic does not book something every day, so its history alone may be days old (a warning).
    assert set(status_of(tests, "expect_row_values_to_have_recent_data")) <= {"pass", "warn"}
    assert set(status_of(tests, "latest_pipeline_run_of_every_table_succeeded")) == {"pass"}
    assert set(status_of(tests, "latest_proof_of_every_table_matched")) == {"pass"}

    record = simulate_day(source, seed=7, day=1, schema_drift=True)
    run_pipeline(source, pg_database, tmp_path / "dlt")
    tables = sorted(record.tables)
    assert differences(mysql_database, pg_database, "opendental_raw", tables) == []
    _, tests = dbt_build_ok(pg_database, tmp_path / "target2")
    # After a clinic day, the high-frequency tables have today's entries, and every group ran in its window.
    assert set(status_of(tests, "expect_row_values_to_have_recent_data")) == {"pass"}
    assert set(status_of(tests, "_group_run_finished_within_")) == {"pass"}
    # The upgrade's new appointment column shows up in Elementary's schema-change test (a warning); the
    # baseline test ignores added columns and still passes.
    assert status_of(tests, "schema_changes_opendental_appointment", exclude="baseline") == ["warn"]
    assert status_of(tests, "schema_changes_from_baseline_opendental_appointment") == ["pass"]
    deleted = sum(len(c.deleted) for c in record.tables.values())
    assert deleted > 0
    assert pg_scalar(
        pg_database,
        "SELECT count(*) FROM opendental_raw.appointment WHERE _od_deleted",
    ) == len(record.tables["appointment"].deleted)
    # Snapshots keep the past: patients edited today have a closed earlier version.
    assert (
        pg_scalar(pg_database, "SELECT count(*) FROM snapshots.snp_opendental__patients WHERE dbt_valid_to IS NOT NULL")
        > 0
    )
