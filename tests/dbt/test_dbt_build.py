"""`dbt build` on a copy the pipeline loaded from a demo source: every model builds and every test passes
(known demo quirks warn below their error thresholds). Then a simulated clinic day with schema drift, an
incremental run, and `dbt build` again: the tests still pass and deleted rows are kept in raw.

It runs as a clinic runs it, with scripts/pg_roles.sql's roles: the pipeline as the loader, dbt as the
transformer, and an analyst who reads the masked layer and nothing else."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from pathlib import Path

import psycopg2
import pytest
import yaml  # type: ignore[import-untyped]

from conftest import mysql_url
from opendental_demo.generate import build_demo_source
from opendental_demo.simulate import simulate_day
from support.compare import differences, pg_scalar
from support.dbt_runs import ROOT, dbt_build, run_pipeline, statuses
from support.roles import Roles, as_role, pg_roles


def dbt_build_ok(pg_url: str, target: Path, analyst: str) -> tuple[dict[str, int], dict[str, str]]:
    """Builds; asserts nothing failed. Returns the count per status and each test's status by unique_id."""
    done, results = dbt_build(pg_url, target, env={"OPENDENTAL_ANALYST_ROLES": analyst})
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
    with pg_roles(pg_database) as roles:
        build_and_check(mysql_database, pg_database, roles, tmp_path)


def build_and_check(mysql_database: str, pg_database: str, roles: Roles, tmp_path: Path) -> None:
    source = mysql_url(mysql_database)
    loader, transformer = as_role(pg_database, roles.loader), as_role(pg_database, roles.transformer)
    build_demo_source(source, patients=200, seed=7, as_of=date.today())
    run_pipeline(source, loader, tmp_path / "dlt")
    # One target path for both builds, as a clinic's scheduled builds of a group have: the second starts from the
    # parse the first saved there.
    first, tests = dbt_build_ok(transformer, tmp_path / "target", roles.analyst)
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

    analysts_read_only_the_masked_layer(as_role(pg_database, roles.analyst))

    record = simulate_day(source, seed=7, day=1, schema_drift=True)
    run_pipeline(source, loader, tmp_path / "dlt")
    tables = sorted(record.tables)
    assert differences(mysql_database, pg_database, "opendental_raw", tables) == []
    _, tests = dbt_build_ok(transformer, tmp_path / "target", roles.analyst)
    # After a clinic day, the high-frequency tables have today's entries, and every group ran in its window.
    assert set(status_of(tests, "expect_row_values_to_have_recent_data")) == {"pass"}
    assert set(status_of(tests, "_group_run_finished_within_")) == {"pass"}
    # The upgrade's new appointment column shows up in Elementary's schema-change test (a warning); the
    # baseline test ignores added columns and still passes.
    assert status_of(tests, "schema_changes_opendental_appointment", exclude="baseline") == ["warn"]
    assert status_of(tests, "schema_changes_from_baseline_opendental_appointment") == ["pass"]
    # The monitoring models: the two runs of group all, and the first build's test results, as Elementary
    # recorded them (the demo's quirks warn, so the pass rate is under its 100% target).
    assert (
        pg_scalar(
            pg_database, "SELECT sum(runs) FROM monitoring.monitoring__group_run_trends WHERE run_scope = 'group all'"
        )
        == 2
    )
    quality = "SELECT tests, tests_warned, is_meeting_target FROM monitoring.monitoring__data_quality_pass_rate"
    with closing(psycopg2.connect(pg_database)) as conn, conn.cursor() as cur:
        cur.execute(quality)
        tests_recorded, warned, meeting = cur.fetchone()
    assert tests_recorded > 400 and warned >= 1 and meeting is False
    deleted = sum(len(c.deleted) for c in record.tables.values())
    assert deleted > 0
    assert pg_scalar(
        pg_database,
        "SELECT count(*) FROM opendental_raw.appointment WHERE _od_deleted",
    ) == len(record.tables["appointment"].deleted)
    # Snapshots keep the past: patients edited today have a closed earlier version.
    assert (
        pg_scalar(
            pg_database,
            "SELECT count(*) FROM snapshots.snp_opendental__patient_versions WHERE dbt_valid_to IS NOT NULL",
        )
        > 0
    )


def analysts_read_only_the_masked_layer(analyst: str) -> None:
    """The analyst reads every masked view, whose columns are the staging model's less those tagged pii (the
    birth date as its year); raw, staging and the snapshots of patients are closed to them."""
    pii = pii_columns()
    with closing(psycopg2.connect(analyst)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT table_name, array_agg(column_name::text) FROM information_schema.columns "
            "WHERE table_schema = 'masked' GROUP BY table_name"
        )
        masked = dict(cur.fetchall())
        assert len(masked) == 31
        for view, columns in masked.items():
            cur.execute(f"SELECT count(*) FROM masked.{view}")  # the grant: readable
            staging = view.replace("masked_opendental__", "stg_opendental__")
            assert not set(columns) & pii.get(staging, set()), view
        patients = set(masked["masked_opendental__patients"])
        assert {"patient_id", "birth_date_year", "gender"} <= patients
        assert not patients & {"last_name", "first_name", "ssn", "birth_date", "email", "address", "home_phone"}
        for relation in (
            "opendental_raw.patient",
            "staging.stg_opendental__patients",
            "snapshots.snp_opendental__patient_versions",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(f"SELECT count(*) FROM {relation}")
            conn.rollback()


def pii_columns() -> dict[str, set[str]]:
    """The staging columns tagged pii, per model, from each model's YAML."""
    models = [
        model
        for path in sorted((ROOT / "dbt_project/models/staging/opendental").glob("stg_opendental__*.yml"))
        for model in yaml.safe_load(path.read_text())["models"]
    ]
    assert len(models) == 31
    return {
        m["name"]: {c["name"] for c in m.get("columns", []) if "pii" in (c.get("config") or {}).get("tags", [])}
        for m in models
    }
