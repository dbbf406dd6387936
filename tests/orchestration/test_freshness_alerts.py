"""A source past its freshness warns once, through the scheduled build's check (`dbt source freshness` of the
group's sources, as the dbt sources declare each group's SLA, measured from the table's last good run in the
run log), and resolves when a run loads the table again. A check starts from the parse of the dbt command before it
(the build's), not parsing the project again."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg2
import pytest

from opendental_ops.alerts import freshness_problems, report, source_freshness
from opendental_ops.steps import DBT_PROJECT, dbt_command
from support.alert_servers import webhook_server
from support.dbt_runs import dbt_env


def test_a_high_table_loaded_two_days_ago_breaches_its_freshness_and_resolves_when_loaded(
    pg_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:
        cur.execute("CREATE SCHEMA od_fresh")
        cur.execute("CREATE TABLE od_fresh._od_run_log (table_name text, status text, finished_at timestamptz)")
        # Its last good run was 50 hours ago; a failed run since does not count.
        cur.execute(
            "INSERT INTO od_fresh._od_run_log VALUES ('appointment', 'ok', now() - interval '50 hours'), "
            "('appointment', 'failed', now() - interval '1 hour'), ('patient', 'ok', now())"
        )
    env = {**dbt_env(pg_database), "OPENDENTAL_RAW_SCHEMA": "od_fresh"}
    monkeypatch.setenv("ALERTS__STATE_FILE", str(tmp_path / "alert_state.json"))
    selection = ["source:opendental.appointment"]

    def check(target: Path, parsed_in: Path | None = None) -> None:
        found = source_freshness(dbt_command(), DBT_PROJECT, env, selection, target, parsed_in)
        assert len(found) == 1, "dbt source freshness gave no result"
        report(pg_database, "od_fresh", "freshness high", freshness_problems(found, "freshness high", []))

    with webhook_server() as (hook, json_url):
        monkeypatch.setenv("ALERTS__WARNING", json.dumps([json_url]))
        check(tmp_path / "first")
        assert [p["title"] for p in hook.posts] == ["[opendental-sync] WARNING: freshness breach (freshness high)"]
        message = hook.posts[0]["message"]
        assert "1 of 1 source table(s) of freshness high" in message
        assert "opendental.appointment last loaded 50.0 h ago (warn after 6 hour(s); error)" in message
        with psycopg2.connect(pg_database) as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO od_fresh._od_run_log VALUES ('appointment', 'ok', now())")
        check(tmp_path / "second", parsed_in=tmp_path / "first")
        assert [p["type"] for p in hook.posts[1:]] == ["success"]
        assert "RESOLVED: freshness breach (freshness high)" in hook.posts[1]["title"]
    # The first check parsed the project; the second started from the parse the first saved (as a group's check
    # starts from its build's).
    assert "Starting full parse" in (tmp_path / "first" / "logs" / "dbt.log").read_text()
    second = (tmp_path / "second" / "logs" / "dbt.log").read_text()
    assert "Starting full parse" not in second and "Partial parsing enabled" in second
