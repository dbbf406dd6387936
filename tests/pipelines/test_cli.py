"""The console script `opendental-sync` is the command line of `python pipelines/opendental.py`, run from any
folder (it reads .dlt/ from there, as dlt does; credentials here come from the environment)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import mysql_admin, mysql_url
from support.compare import pg_scalar


def test_the_console_script_runs_the_sync_from_any_folder(
    mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    with mysql_admin(mysql_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE zz_note (NoteNum bigint PRIMARY KEY, Note varchar(20)) ENGINE=MyISAM")
        cur.execute("INSERT INTO zz_note SELECT seq, 'synthetic' FROM seq_1_to_25")
    env = dict(
        os.environ,
        SOURCES__OPENDENTAL__CREDENTIALS=mysql_url(mysql_database),
        DESTINATION__POSTGRES__CREDENTIALS=pg_database,
        DLT_DATA_DIR=str(tmp_path / "dlt"),
    )
    script = Path(sys.executable).parent / "opendental-sync"
    done = subprocess.run(
        [str(script), "--tables", "zz_note", "-q"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw.zz_note WHERE NOT _od_deleted") == 25
    matches = "SELECT bool_and(matches) FROM opendental_raw._od_reconciliation WHERE table_name = 'zz_note'"
    assert pg_scalar(pg_database, matches) is True
