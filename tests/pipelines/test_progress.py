"""A long read says how far it got: rows so far, each table's total once read, each loaded group."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import mysql_admin, mysql_url
from opendental_sync import progress
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.sync import Synchronizer

ROWS = {"zz_notes": 30_000, "zz_small": 700}  # not in tables.toml: settings inferred


def test_a_first_load_logs_rows_read_per_table_and_for_the_run(
    mysql_database: str,
    pg_database: str,
    pipelines_dir: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        for table, rows in ROWS.items():
            cur.execute(f"CREATE TABLE {table} (Num bigint NOT NULL PRIMARY KEY, Note text) ENGINE=MyISAM")
            cur.execute(f"INSERT INTO {table} SELECT seq, CONCAT('note ', seq) FROM seq_1_to_{rows}")
    monkeypatch.setattr(progress, "PROGRESS_EVERY_S", 0.0)  # a line for every batch, however fast
    settings = SyncSettings(credentials=mysql_url(mysql_database), dataset="opendental_raw")
    settings.chunk_size = 2000
    caplog.set_level("INFO", logger="opendental_sync")
    summary = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir).run()
    assert summary.ok, [r.error for r in summary.results]

    lines = [r.getMessage() for r in caplog.records if r.name in ("opendental_sync.progress", "opendental_sync.load")]
    total = sum(ROWS.values())
    for table, rows in ROWS.items():
        assert any(re.match(rf"{table}: read {rows:,} rows in \d+\.\ds \(run: \d of 2 tables read", x) for x in lines)
        assert any(x.startswith(f"{table}: ") and "rows read so far" in x for x in lines), lines
        assert any(re.match(rf"loaded [\w, ]*{table}[\w, ]*: [\d,]+ rows in", x) for x in lines), lines
    finished = [x for x in lines if re.search(r"\(run: 2 of 2 tables read", x)]
    assert finished and f"{total:,} rows in" in finished[-1], lines
    assert "note " not in caplog.text  # counts and times only, never a row's value
