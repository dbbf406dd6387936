"""The two commands: make_demo_source.py and simulate_clinic_day.py, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from demo.demo_support import connect, demo_url

ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = "SOURCES__OPENDENTAL__CREDENTIALS"


def run(script: str, *args: str, env_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    if env_url:
        env[ENV_VAR] = env_url
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def count(database: str, table: str) -> int:
    with connect(database) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM `{table}`")
        return int(cur.fetchone()[0])


def test_make_then_simulate_a_day(new_database_name: Callable[[str], str], tmp_path: Path) -> None:
    database = new_database_name("cli")
    url = demo_url(database)
    made = run("make_demo_source.py", "--patients", "60", "--seed", "3", env_url=url)
    assert made.returncode == 0, made.stderr
    assert count(database, "patient") == 60 and count(database, "securitylog") > 0

    record_file = tmp_path / "day.json"
    day = run(
        "simulate_clinic_day.py",
        "--database-url",
        url,
        "--day",
        "1",
        "--schema-drift",
        "--mass-stamp-bump",
        "--record",
        str(record_file),
    )
    assert day.returncode == 0, day.stderr
    record = json.loads(record_file.read_text())
    changes = {(c["table"], c["change"], c["column"]) for c in record["schema_changes"]}
    assert ("appointment", "add_column", "IsMirrored") in changes
    assert record["day"] == 1 and record["tables"]["appointment"]["deleted"]
    assert record["mass_stamp_bump"]["patient"]["rows"] > 0


def test_unreachable_server_is_one_clear_line() -> None:
    url = "mysql+pymysql://root:hunter2@127.0.0.1:1/od_test_demo_nowhere"
    for script, args in (("make_demo_source.py", ["--patients", "50"]), ("simulate_clinic_day.py", [])):
        result = run(script, *args, "--database-url", url)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "mysql+pymysql://root:***@127.0.0.1:1/od_test_demo_nowhere" in lines[0]
        assert "start-stop-daemon" in lines[0] and ENV_VAR in lines[0] and "hunter2" not in result.stderr


@pytest.mark.db  # asks the local MariaDB for a database it does not have
def test_a_missing_database_says_to_make_it() -> None:
    missing = run("simulate_clinic_day.py", "--database-url", demo_url("od_test_demo_does_not_exist"))
    assert missing.returncode != 0 and "make_demo_source.py" in missing.stderr


def test_bad_arguments_say_what_to_do() -> None:
    too_few = run("make_demo_source.py", "--patients", "3", "--database-url", demo_url("od_test_demo_unused"))
    assert too_few.returncode != 0 and "patients=3" in too_few.stderr and "20..1000000" in too_few.stderr
