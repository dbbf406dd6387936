"""Least privilege on PostgreSQL (issue 15): scripts/pg_roles.sql creates a loader that owns raw and is not a
superuser, a transformer that reads raw, and an analyst that cannot; the pipeline runs as the loader."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from conftest import mysql_admin, mysql_url
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.sync import Synchronizer
from scripts import quality_report
from support.roles import as_role, pg_roles

DATASET = "opendental_raw"


@pytest.fixture
def roles(pg_database: str) -> Iterator[str]:
    with pg_roles(pg_database, DATASET) as found:
        yield found.prefix


def scalar(pg_url: str, query: str) -> object:
    with closing(psycopg2.connect(pg_url)) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


def test_pipeline_runs_as_a_loader_that_is_not_superuser(
    roles: str, mysql_database: str, pg_database: str, pipelines_dir: Path
) -> None:
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE person (PatNum bigint PRIMARY KEY, LName varchar(40)) ENGINE=MyISAM")
        cur.execute("INSERT INTO person VALUES (1, 'Synthetic'), (2, 'Person')")
    loader = as_role(pg_database, f"{roles}_loader")
    assert scalar(loader, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user") is False
    settings = SyncSettings(credentials=mysql_url(mysql_database), dataset=DATASET)
    sync = Synchronizer(settings, DestinationSettings(credentials=loader), pipelines_dir=pipelines_dir)
    for _ in range(2):  # a first load, then an incremental run (merge, through dlt's staging schema)
        summary = sync.run("all", ["person"])
        assert summary.ok, [r.error for r in summary.results]
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        cur.execute("UPDATE person SET LName = 'Changed' WHERE PatNum = 2")
        cur.execute("INSERT INTO person VALUES (3, 'New')")
    assert sync.run("all", ["person"]).ok
    assert scalar(pg_database, f"SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = '{DATASET}'") == (
        f"{roles}_loader"
    )
    transformer = as_role(pg_database, f"{roles}_transformer")
    assert scalar(transformer, f"SELECT count(*) FROM {DATASET}.person") == 3
    analyst = as_role(pg_database, f"{roles}_analyst")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        scalar(analyst, f"SELECT count(*) FROM {DATASET}.person")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        scalar(analyst, f"SELECT count(*) FROM {DATASET}._od_run_log")


def test_the_extract_load_report_runs_as_the_loader_without_elementary_s_schema(
    roles: str,
    mysql_database: str,
    pg_database: str,
    pipelines_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The loader may not read the transformer's schemas (Elementary's among them): the report leaves that
    section out instead of failing."""
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE person (PatNum bigint PRIMARY KEY, LName varchar(40)) ENGINE=MyISAM")
        cur.execute("INSERT INTO person VALUES (1, 'Synthetic')")
    loader = as_role(pg_database, f"{roles}_loader")
    settings = SyncSettings(credentials=mysql_url(mysql_database), dataset=DATASET)
    assert Synchronizer(settings, DestinationSettings(credentials=loader), pipelines_dir=pipelines_dir).run().ok
    with closing(psycopg2.connect(as_role(pg_database, f"{roles}_transformer"))) as conn, conn.cursor() as cur:
        cur.execute("CREATE SCHEMA elementary")
        cur.execute(
            "CREATE TABLE elementary.elementary_test_results (test_unique_id text, status text, detected_at timestamp)"
        )
        conn.commit()
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", loader)
    out = tmp_path / "quality.html"
    assert quality_report.main(["--out", str(out)]) == 0
    assert "Data-quality tests passing, latest result each: no tests yet." in out.read_text()
