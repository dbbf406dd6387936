"""Alerts over real protocols on loopback: an SMTP server (aiosmtpd) and an HTTP webhook receive what the
command line sends through Apprise, with the run against the real MariaDB and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pyarrow as pa
import pytest

from conftest import MYSQL_HOST, mysql_execute, mysql_url
from opendental_sync.alerts import Alert, AlertSettings, channel_name, make_channel
from opendental_sync.diff import Reconciliation
from opendental_sync.monitoring import RunMonitor
from opendental_sync.results import RunSummary, TableResult
from opendental_sync.run_lock import RunLockLost
from opendental_sync.safety import mask_urls
from support.alert_servers import SMTP_PASSWORD, Mailbox, Webhook, free_port, smtp_server, webhook_server

ROOT = Path(__file__).resolve().parents[2]
DATASET = "opendental_raw"
PLANTED = "Zqxvmplanted"  # a patient's name: no alert may carry it
SOURCE_PASSWORD = "Src-Pw-55291"  # in the URL of the unreachable source: no alert may carry it


@pytest.fixture
def channels() -> Iterator[tuple[Mailbox, str, Webhook, str]]:
    with smtp_server() as (box, mail_url), webhook_server() as (hook, json_url):
        yield box, mail_url, hook, json_url


def make_source(database: str) -> None:
    mysql_execute(
        database,
        "CREATE TABLE patient (PatNum bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, LName varchar(100), "
        "DateTStamp timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()) ENGINE=MyISAM",
        "INSERT INTO patient (LName) SELECT CONCAT('name', seq) FROM seq_1_to_500",
        ("INSERT INTO patient (LName) VALUES (%s)", (PLANTED,)),
    )


def env_for(source_url: str, pg_url: str, tmp_path: Path, **alerts: list[str] | str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SOURCES__OPENDENTAL__CREDENTIALS=source_url,
        DESTINATION__POSTGRES__CREDENTIALS=pg_url,
        SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S="0.2",
        DLT_DATA_DIR=str(tmp_path / "dlt"),
        ALERTS__STATE_FILE=str(tmp_path / "alert_state.json"),
    )
    for name, value in alerts.items():
        env[f"ALERTS__{name.upper()}"] = json.dumps(value) if isinstance(value, list) else value
    return env


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "pipelines" / "opendental.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def closed_source_url() -> str:
    return f"mysql+pymysql://root:{SOURCE_PASSWORD}@{MYSQL_HOST}:{free_port()}/opendental"


def assert_nothing_private(*texts: str) -> None:
    for text in texts:
        assert PLANTED not in text
        assert SOURCE_PASSWORD not in text
        assert SMTP_PASSWORD not in text


def test_alert_test_reaches_each_channel_and_names_the_one_that_failed(
    channels: tuple[Mailbox, str, Webhook, str], tmp_path: Path
) -> None:
    box, mail_url, hook, json_url = channels
    env = env_for("mysql+pymysql://unused@127.0.0.1:1/x", "postgresql://unused@127.0.0.1:1/x", tmp_path)
    env["ALERTS__CRITICAL"] = json.dumps([mail_url, json_url])
    ok = cli(env, "--alert-test", "--severity", "critical")
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert len(box.messages) == 1 and len(hook.posts) == 1
    assert "test message for level critical" in box.texts()[0]
    assert hook.posts[0]["type"] == "failure"

    closed = f"json://127.0.0.1:{free_port()}/alerts"
    env["ALERTS__WARNING"] = json.dumps([json_url, closed])
    failed = cli(env, "--alert-test", "--severity", "warning")
    assert failed.returncode == 1
    port = closed.split(":")[2].split("/")[0]
    assert f"json://127.0.0.1:{port}" in failed.stderr
    assert len(hook.posts) == 2 and hook.posts[1]["type"] == "warning"
    assert_nothing_private(failed.stdout, failed.stderr, *box.texts(), *hook.texts())


def test_unreachable_source_alerts_once_repeats_after_the_interval_and_resolves(
    channels: tuple[Mailbox, str, Webhook, str], mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    box, mail_url, hook, json_url = channels
    make_source(mysql_database)
    info_hook_url = json_url.replace("/alerts", "/info")
    down = env_for(closed_source_url(), pg_database, tmp_path, critical=[mail_url, json_url], info=[info_hook_url])

    first = cli(down, "-q")
    assert first.returncode == 2, first.stderr[-2000:]
    assert len(box.messages) == 1 and len(hook.posts) == 1  # one critical alert on each channel
    assert "CRITICAL: source database unreachable (group all)" in box.texts()[0]
    assert "critical/source_unreachable/group all" in hook.posts[0]["message"]

    again = cli(down, "-q")  # within the repeat interval: nothing new
    assert again.returncode == 2
    assert len(box.messages) == 1 and len(hook.posts) == 1

    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:  # the interval has passed
        cur.execute(f"UPDATE {DATASET}._od_alert_state SET last_sent = last_sent - interval '7 hours'")
        cur.execute(f"SELECT times_seen FROM {DATASET}._od_alert_state")
        assert cur.fetchall() == [(2,)]
    repeated = cli(down, "-q")
    assert repeated.returncode == 2
    assert len(box.messages) == 2 and len(hook.posts) == 2
    assert "repeated: still there since" in hook.posts[1]["message"]

    up = env_for(mysql_url(mysql_database), pg_database, tmp_path, critical=[mail_url, json_url], info=[info_hook_url])
    good = cli(up, "-q")
    assert good.returncode == 0, good.stderr[-2000:]
    resolved_mail = box.texts()[2]
    assert "RESOLVED: source database unreachable (group all)" in resolved_mail
    assert [p["type"] for p in hook.posts[2:]] == ["success", "info"]  # resolved, then the run's figures
    assert "run completed (group all)" in hook.posts[3]["title"]
    assert "patient 501 rows" in hook.posts[3]["message"]

    quiet = cli(up, "-q")  # nothing open any more: only the info message
    assert quiet.returncode == 0
    assert len(box.messages) == 3 and [p["type"] for p in hook.posts[4:]] == ["info"]
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {DATASET}._od_alert_state")
        assert cur.fetchone() == (0,)
        cur.execute(f"SELECT scope, status, tables, rows_extracted, peak_memory_mb > 0 FROM {DATASET}._od_run_metrics")
        assert sorted(cur.fetchall()) == [("group all", "ok", 1, 0, True), ("group all", "ok", 1, 501, True)]
    assert_nothing_private(*box.texts(), *hook.texts())


def test_a_run_slower_than_its_group_s_recent_runs_warns(
    channels: tuple[Mailbox, str, Webhook, str], mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    _, _, hook, json_url = channels
    make_source(mysql_database)
    env = env_for(mysql_url(mysql_database), pg_database, tmp_path, warning=[json_url], min_duration_s="0")
    assert cli(env, "-q").returncode == 0
    assert hook.posts == []  # one earlier run: too few to compare
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:  # earlier runs that took a millisecond
        for i in range(3):
            cur.execute(
                f"INSERT INTO {DATASET}._od_run_metrics VALUES (%s, 'group all', false, now(), now(), 'ok', 1, 1, "
                "0, 0.001, 0, 100, 1, 1, 0)",
                (f"fast-{i}",),
            )
    slow = cli(env, "-q")
    assert slow.returncode == 0
    assert len(hook.posts) == 1 and hook.posts[0]["type"] == "warning"
    message = hook.posts[0]["message"]
    assert "run slower than usual (group all)" in hook.posts[0]["title"]
    assert "the median 0.0 s of the last 4 completed run(s) of group all" in message
    assert_nothing_private(*hook.texts())


def test_a_copy_over_its_size_and_a_disk_over_its_fullness_warn(
    channels: tuple[Mailbox, str, Webhook, str], mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    _, _, hook, json_url = channels
    make_source(mysql_database)
    env = env_for(mysql_url(mysql_database), pg_database, tmp_path, warning=[json_url])
    assert cli(env, "-q").returncode == 0
    assert hook.posts == []  # a small copy on a disk with room: the defaults (100 GB, 90%) hold
    tight = {**env, "ALERTS__MAX_DATABASE_GB": "0.001", "ALERTS__MAX_DISK_USED_PERCENT": "0.01"}
    assert cli(tight, "-q").returncode == 0
    titles = sorted(p["title"] for p in hook.posts)
    assert titles == [
        "[opendental-sync] WARNING: database large (group all)",
        "[opendental-sync] WARNING: disk nearly full (group all)",
    ]
    messages = " ".join(p["message"] for p in hook.posts)
    assert "(alerts.max_database_gb = 0.001)" in messages
    assert f"working folder {tmp_path / 'dlt'}" in messages
    assert cli(env, "-q").returncode == 0  # the limits back to their defaults: both resolve
    assert sorted(p["type"] for p in hook.posts[2:]) == ["success", "success"]
    assert_nothing_private(*hook.texts())


def test_unreachable_destination_keeps_alert_state_in_a_file(
    channels: tuple[Mailbox, str, Webhook, str], mysql_database: str, tmp_path: Path
) -> None:
    _, _, hook, json_url = channels
    dest = f"postgresql://postgres:{SOURCE_PASSWORD}@127.0.0.1:{free_port()}/x"
    env = env_for(mysql_url(mysql_database), dest, tmp_path, critical=[json_url])
    for _ in range(2):
        assert cli(env, "-q").returncode == 2
    assert len(hook.posts) == 1
    assert "destination database unreachable (group all)" in hook.posts[0]["title"]
    assert "critical/destination_unreachable/group all" in (tmp_path / "alert_state.json").read_text()
    assert_nothing_private(*hook.texts())


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("mailtos://alerts:pw@smtp.clinic.example?to=ops@clinic.example", "mailtos://smtp.clinic.example"),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#ops", "slack://T...2"),
        ("pagerduty://integration-key-1@api-key-2/opendental-sync", "pagerduty://****"),
    ],
)
def test_slack_pagerduty_and_email_urls_parse_and_are_named_without_secrets(url: str, name: str) -> None:
    assert make_channel(url) is not None
    assert channel_name(url) == name


def test_bad_alert_urls_are_refused_with_the_fix(tmp_path: Path) -> None:
    env = env_for("mysql+pymysql://u@127.0.0.1:1/x", "postgresql://u@127.0.0.1:1/x", tmp_path)
    env["ALERTS__CRITICAL"] = json.dumps(["nosuchservice://user:Secret-Pw-1@host"])
    done = cli(env, "--alert-test")
    assert done.returncode == 2
    assert "alerts.critical[1] (nosuchservice://host)" in done.stderr and "Secret-Pw-1" not in done.stderr


def test_passwords_in_error_texts_are_masked() -> None:
    text = "cannot connect to mysql+pymysql://od:hunter2@db:3306/od and postgresql://u:p%40ss@pg/x"
    assert mask_urls(text) == "cannot connect to mysql+pymysql://od:***@db:3306/od and postgresql://u:***@pg/x"
    alert = Alert("critical", "x postgresql://u:pw@h/db", ["see redis://:pw2@cache:6379"])
    assert "pw" not in alert.subject.replace("postgresql", "") and "pw2" not in alert.body
    assert AlertSettings().urls("info") == []


def test_failed_and_mismatched_tables_alert_by_name_and_count_never_by_value(
    channels: tuple[Mailbox, str, Webhook, str], tmp_path: Path
) -> None:
    _, _, hook, json_url = channels
    settings = AlertSettings(critical=[json_url], state_file=str(tmp_path / "state.json"))
    proof = Reconciliation(1000, 998, "a1", "b2", 0, pa.table({"PatNum": pa.array([], pa.int64())}), ((7301, 7364),))
    failed = TableResult("patient", "stamp", status="failed", error=f"IntegrityError: Key (LName)=({PLANTED}) exists")
    mismatched = TableResult("procedurelog", "stamp", status="mismatch", reconciliation=proof)
    mismatched.error = f"copy differs from source at {proof.mismatch_ranges()}"
    summary = RunSummary("20261206T000000Z-abc", [failed, mismatched], 12.5)
    monitor = RunMonitor(settings, "group high")
    monitor.completed(summary)
    assert [p["title"] for p in hook.posts] == [
        "[opendental-sync] CRITICAL: run failed (group high)",
        "[opendental-sync] CRITICAL: reconciliation mismatch (group high)",
    ]
    assert "1 of 2 table(s) failed: patient" in hook.posts[0]["message"]
    assert "IntegrityError" in hook.posts[0]["message"]
    assert "procedurelog: source 1000 rows, copy 998 rows" in hook.posts[1]["message"]
    for text in hook.texts():
        assert PLANTED not in text and "7301" not in text and "7364" not in text

    RunMonitor(settings, "group high").failed(RunLockLost("another run took the lock on schema 'opendental_raw'"))
    assert hook.posts[2]["title"] == "[opendental-sync] CRITICAL: run lock lost (group high)"
    RunMonitor(settings, "group high").failed(KeyError(PLANTED))  # the same key as the failed tables: held back
    assert len(hook.posts) == 3
    RunMonitor(settings, "group low").failed(KeyError(PLANTED))  # an unexpected error: its type only
    assert "Error: KeyError (details in the command's output)" in hook.posts[3]["message"]
    assert PLANTED not in hook.texts()[3]
