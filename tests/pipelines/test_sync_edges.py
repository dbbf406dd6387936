"""Sync behaviour on small hand-made tables: values at the edges, deletes, same-second edits, late commits,
schema drift, reconciliation of a corrupted copy. Real MariaDB -> real PostgreSQL."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import psycopg2
import pyarrow as pa
import pytest

from conftest import MYSQL_HOST, MYSQL_PORT, mysql_admin, mysql_url
from opendental_sync.buckets import bucket_width
from opendental_sync.config import DestinationSettings, SyncSettings
from opendental_sync.copy_tables import CopyTables
from opendental_sync.destination import CopyDatabase
from opendental_sync.diff import reconcile
from opendental_sync.registry import TableSpec
from opendental_sync.results import RunSummary
from opendental_sync.shortcuts import COUNTED, KEYS_AND_STAMP_INDEX
from opendental_sync.snapshots import source_snapshot
from opendental_sync.source import SourceDatabase
from opendental_sync.sync import Synchronizer
from support.compare import differences, pg_scalar

DATASET = "opendental_raw"

EDGE_DDL = """
CREATE TABLE edge (
  id bigint(20) NOT NULL AUTO_INCREMENT,
  d date NOT NULL DEFAULT '0001-01-01',
  dt datetime NOT NULL DEFAULT '0001-01-01 00:00:00',
  tm time NOT NULL,
  flag tinyint(1) NOT NULL,
  big_u bigint(20) unsigned NOT NULL,
  s4 varchar(20) CHARACTER SET utf8mb4 DEFAULT NULL,
  s3 varchar(255) DEFAULT '',
  amount double NOT NULL,
  note text,
  img blob,
  price decimal(10,2) DEFAULT NULL,
  dn date DEFAULT NULL,
  stamp timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  PRIMARY KEY (id)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3
"""

EDGE_ROWS = """
INSERT INTO edge (id, d, dt, tm, flag, big_u, s4, s3, amount, note, img, price, dn) VALUES
 (1, '0000-00-00', '0000-00-00 00:00:00', '838:59:59', 2, 18446744073709551615, '\U0001f600 caf\u00e9', NULL, 0.1, 'a', x'00ff00', 12.34, '0000-00-00'),
 (2, '2024-02-00', '0001-01-01 00:00:00', '-12:00:00', 1, 0, NULL, '', 1e-300, '', NULL, NULL, NULL),
 (3, '2024-03-01', '2024-03-01 12:34:56', '10:00:00', 0, 5, '', 'x', -1, NULL, '', -1.5, '2024-03-01'),
 (4, '0001-01-01', '2024-02-29 23:59:59', '-838:59:59', 1, 9223372036854775808, '\u00df\u4e2d', ' trailing ', 1.7976931348623157e308, 'line1\\nline2\\t\\\\', x'', 0, NULL)
"""


def make_sync(database: str, pg_url: str, pipelines_dir: Path, **overrides: object) -> Synchronizer:
    settings = SyncSettings(credentials=mysql_url(database), dataset=DATASET)
    for k, v in overrides.items():
        setattr(settings, k, v)
    return Synchronizer(settings, DestinationSettings(credentials=pg_url), pipelines_dir=pipelines_dir)


def run(sync: Synchronizer, **kwargs: object) -> RunSummary:
    summary = sync.run(**kwargs)  # type: ignore[arg-type]
    return summary


def execute(database: str, *statements: str) -> None:
    with mysql_admin(database) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


@pytest.fixture
def edge_source(mysql_database: str) -> str:
    # Stamps in the past, so that a first run's "same second" re-read window holds none of these rows.
    execute(mysql_database, EDGE_DDL, EDGE_ROWS, "UPDATE edge SET stamp = '2024-01-01 08:00:00'")
    return mysql_database


def test_values_at_the_edges_survive(edge_source: str, pg_database: str, pipelines_dir: Path) -> None:
    summary = run(make_sync(edge_source, pg_database, pipelines_dir))
    assert summary.ok, summary
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []
    # Zero and impossible dates became NULL and were counted per column.
    result = summary.results[0]
    # NOT NULL columns count the NULLs read; a nullable one asks the server (its NULLs are not zero dates).
    assert result.zero_dates == {"d": 2, "dt": 1, "dn": 1}
    assert pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw.edge WHERE d IS NULL") == 2
    # NULL and '' stay distinct; TIME beyond 24 hours and unsigned bigint max survive as text/numeric.
    assert pg_scalar(pg_database, "SELECT s3 IS NULL FROM opendental_raw.edge WHERE id = 1") is True
    assert pg_scalar(pg_database, "SELECT s3 FROM opendental_raw.edge WHERE id = 2") == ""
    assert pg_scalar(pg_database, "SELECT tm FROM opendental_raw.edge WHERE id = 1") == "838:59:59"
    assert pg_scalar(pg_database, "SELECT big_u::text FROM opendental_raw.edge WHERE id = 1") == "18446744073709551615"
    assert pg_scalar(pg_database, "SELECT s4 FROM opendental_raw.edge WHERE id = 1") == "\U0001f600 caf\u00e9"
    # Types come from the source schema, not from the data: a tinyint(1) flag stays an integer.
    types = dict(
        (r.split(":")[0], r.split(":")[1])
        for r in pg_scalar(
            pg_database,
            "SELECT string_agg(column_name || ':' || data_type, ',') FROM information_schema.columns "
            "WHERE table_schema = 'opendental_raw' AND table_name = 'edge'",
        ).split(",")
    )
    assert types["flag"] == "bigint"
    assert types["amount"] == "double precision"
    assert types["dt"] == "timestamp without time zone"
    assert types["stamp"] == "timestamp with time zone"
    assert types["big_u"] == "numeric"


def test_a_first_load_leaves_planner_statistics_and_no_session_compiles_queries(
    edge_source: str, pg_database: str, pipelines_dir: Path
) -> None:
    # Sessions of this database start with JIT on, whatever the server's default: every session of ours, the
    # psycopg2 one, the ADBC one and dlt's, must turn it off.
    with closing(psycopg2.connect(pg_database)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'ALTER DATABASE "{pg_database.rsplit("/", 1)[1]}" SET jit = on')
    assert pg_scalar(pg_database, "SELECT current_setting('jit')") == "on"
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    assert run(sync).ok
    # The first load ANALYZEd the table's key and deleted flag (not its other columns): the planner knows the key
    # is unique.
    stats = (
        "SELECT n_distinct FROM pg_stats WHERE schemaname = 'opendental_raw' AND tablename = 'edge' AND attname = %s"
    )
    assert pg_scalar(pg_database, stats, ("id",)) == -1
    assert pg_scalar(pg_database, stats, ("_od_deleted",)) is not None
    assert pg_scalar(pg_database, stats, ("amount",)) is None
    with sync.copy.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT current_setting('jit')")
        assert cur.fetchone()[0] == "off"
    assert sync.copy._fetch_arrow("SELECT current_setting('jit') AS jit").column("jit").to_pylist() == ["off"]
    with sync.loader.pipeline().sql_client() as client:
        rows = client.execute_sql("SELECT current_setting('jit')")
        assert rows is not None and rows[0][0] == "off"


def test_changes_deletes_and_resurrection_reach_the_copy(
    edge_source: str, pg_database: str, pipelines_dir: Path
) -> None:
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    assert run(sync).ok
    execute(
        edge_source,
        "UPDATE edge SET amount = 42 WHERE id = 3",
        "DELETE FROM edge WHERE id IN (1, 2)",
        "INSERT INTO edge (id, tm, flag, big_u, amount) VALUES (10, '01:00:00', 0, 1, 3.5)",
    )
    summary = run(sync)
    assert summary.ok
    r = summary.results[0]
    assert (r.rows_inserted, r.rows_updated, r.rows_deleted) == (1, 1, 2)
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []
    # Deleted rows stay in raw, marked, with the time the deletion was found.
    assert (
        pg_scalar(
            pg_database, "SELECT count(*) FROM opendental_raw.edge WHERE _od_deleted AND _od_deleted_at IS NOT NULL"
        )
        == 2
    )
    # A key that comes back (OpenDental with random keys can reuse one) is live again, not duplicated.
    execute(edge_source, "INSERT INTO edge (id, tm, flag, big_u, amount) VALUES (1, '02:00:00', 1, 2, 9)")
    assert run(sync).ok
    assert pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw.edge WHERE id = 1") == 1
    assert pg_scalar(pg_database, "SELECT _od_deleted FROM opendental_raw.edge WHERE id = 1") is False
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []


def test_same_second_edit_and_late_commit_are_not_missed(
    edge_source: str, pg_database: str, pipelines_dir: Path
) -> None:
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    # Stamp rows with the current second, load, then edit them within that same second's stamp:
    # the stamp value stays identical, only the content changes.
    execute(edge_source, "UPDATE edge SET stamp = NOW()")
    assert run(sync).ok
    execute(edge_source, "UPDATE edge SET amount = amount + 1, stamp = stamp WHERE id = 3")
    # A late commit: a row written now with a stamp an hour old, older than anything already read.
    execute(edge_source, "UPDATE edge SET note = 'late', stamp = NOW() - INTERVAL 1 HOUR WHERE id = 4")
    assert run(sync).ok
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []


def test_whole_table_stamped_with_one_value(edge_source: str, pg_database: str, pipelines_dir: Path) -> None:
    execute(edge_source, "INSERT INTO edge (tm, flag, big_u, amount) SELECT '00:00:01', 0, seq, seq FROM seq_1_to_2500")
    sync = make_sync(edge_source, pg_database, pipelines_dir, chunk_size=500)
    assert run(sync).ok
    # An upgrade's table-wide UPDATE: every row gets the same new stamp, batch boundaries fall inside it.
    execute(edge_source, "UPDATE edge SET s3 = 'upgraded', stamp = '2030-01-01 00:00:00'")
    summary = run(sync)
    assert summary.ok
    assert summary.results[0].rows_updated == 2504
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []


def test_schema_drift_adds_columns_keeps_dropped_ones_and_picks_up_new_tables(
    edge_source: str, pg_database: str, pipelines_dir: Path
) -> None:
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    assert run(sync).ok
    execute(
        edge_source,
        "ALTER TABLE edge ADD COLUMN IsMirrored tinyint NOT NULL DEFAULT 7",
        "ALTER TABLE edge MODIFY s3 varchar(1000) DEFAULT ''",
        "CREATE TABLE newthing (ThingNum bigint PRIMARY KEY, Descript varchar(50)) ENGINE=MyISAM",
        "INSERT INTO newthing VALUES (1, 'one'), (2, 'two')",
    )
    summary = run(sync)
    assert summary.ok, [r.error for r in summary.results]
    edge = next(r for r in summary.results if r.table == "edge")
    assert any("added column IsMirrored" in c for c in edge.schema_changes)
    assert any("s3" in c and "varchar(1000)" in c for c in edge.schema_changes)
    # The new column holds the source's value on old rows too (their stamps did not move).
    assert pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw.edge WHERE is_mirrored = 7") == 4
    assert differences(edge_source, pg_database, DATASET, ["edge", "newthing"]) == []
    # A column dropped in the source stays in raw, with its values on the rows not read again since.
    execute(edge_source, "ALTER TABLE edge DROP COLUMN note", "UPDATE edge SET amount = 5 WHERE id = 4")
    summary = run(sync)
    assert summary.ok
    edge = next(r for r in summary.results if r.table == "edge")
    assert any("note" in c and "dropped" in c for c in edge.schema_changes)
    assert pg_scalar(pg_database, "SELECT note FROM opendental_raw.edge WHERE id = 1") == "a"
    assert pg_scalar(pg_database, "SELECT note IS NULL FROM opendental_raw.edge WHERE id = 4") is True
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []


def test_reconciliation_catches_a_corrupted_copy_and_the_next_run_heals_it(
    edge_source: str, pg_database: str, pipelines_dir: Path
) -> None:
    execute(edge_source, "INSERT INTO edge (tm, flag, big_u, amount) SELECT '00:00:01', 0, seq, seq FROM seq_1_to_200")
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    assert run(sync).ok
    # Someone edits the copy behind the pipeline's back: a row vanishes, one gets a wrong stamp, three are
    # wrongly marked deleted, one is duplicated.
    for statement in (
        "DELETE FROM opendental_raw.edge WHERE id = 50",
        "UPDATE opendental_raw.edge SET stamp = stamp - interval '1 day' WHERE id = 60",
        "UPDATE opendental_raw.edge SET _od_deleted = true WHERE id BETWEEN 70 AND 72",
        "INSERT INTO opendental_raw.edge SELECT * FROM opendental_raw.edge WHERE id = 80",
    ):
        pg_scalar(pg_database, statement + " RETURNING 1")
    spec = next(s for s in sync.selected("all", None)[0] if s.name == "edge")
    snap = source_snapshot(sync.source, spec, 1000)
    rec = reconcile(snap, sync.copy.snapshot(spec, True), spec)
    assert not rec.matches
    assert rec.mismatch_ranges() == "id 50, 60, 70-72, 80"
    assert rec.source_checksum != rec.copy_checksum
    # The next run's diff finds every one of them, fetches those keys again, and proves the result.
    summary = run(sync)
    assert summary.ok, [r.error for r in summary.results]
    assert summary.results[0].reconciliation is not None and summary.results[0].reconciliation.matches
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []
    assert pg_scalar(pg_database, "SELECT count(*) FROM opendental_raw.edge WHERE id = 80") == 1


def lose_a_row_before_marking_deletes(monkeypatch: pytest.MonkeyPatch, pg_database: str, row_id: int) -> None:
    """The copy loses a row after the run loaded and before it proves (a broken loader, a hand edit)."""
    original = CopyDatabase.mark_deleted

    def lose_a_row_then_mark(self: CopyDatabase, spec: TableSpec, keys: pa.Table) -> int:
        pg_scalar(pg_database, f"DELETE FROM opendental_raw.edge WHERE id = {row_id} RETURNING 1")
        return original(self, spec, keys)

    monkeypatch.setattr(CopyDatabase, "mark_deleted", lose_a_row_then_mark)


@pytest.mark.parametrize(("compared", "named"), [("every key", "id 3"), ("changed keys and row count", "id 1-4")])
def test_mismatch_fails_the_run_and_names_the_range(
    compared: str, named: str, edge_source: str, pg_database: str, pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    assert run(sync).ok
    if compared == "every key":
        sync.settings.stamp_check_interval_s = 0  # the daily check: every key, and the lost one by its bucket
    # A row is lost from the copy after this run loaded it and before it proves the result (as a broken
    # loader or a careless hand edit would): the proof must catch it. Counted, it names the table's whole key span.
    lose_a_row_before_marking_deletes(monkeypatch, pg_database, 3)
    execute(edge_source, "UPDATE edge SET amount = 1 WHERE id = 4")  # so that this run loads something
    summary = run(sync)
    monkeypatch.undo()
    assert not summary.ok
    result = summary.results[0]
    assert result.status == "mismatch"
    assert result.error is not None and named in result.error
    assert (
        pg_scalar(
            pg_database,
            "SELECT mismatch_ranges FROM opendental_raw._od_reconciliation WHERE NOT matches",
        )
        == named
    )
    warn = make_sync(edge_source, pg_database, pipelines_dir, on_mismatch="warn")
    assert run(warn).ok  # and the run after heals it
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []


def test_a_first_run_that_mismatches_still_leaves_its_unsettled_second_to_the_next(
    edge_source: str, pg_database: str, pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    original = CopyTables.ensure_key_index

    def lose_a_row_first(self: CopyTables, spec: TableSpec, columns: Sequence[str] = ()) -> None:
        pg_scalar(pg_database, "DELETE FROM opendental_raw.edge WHERE id = 2 RETURNING 1")
        original(self, spec, columns)

    monkeypatch.setattr(CopyTables, "ensure_key_index", lose_a_row_first)
    # Rows stamped in the second the first run reads them; that run loses a row before its proof.
    execute(edge_source, "UPDATE edge SET stamp = NOW()")
    summary = run(sync)
    monkeypatch.undo()
    assert summary.results[0].status == "mismatch"
    # A second edit within that same second: the stamp stays the same, only the content changes.
    execute(edge_source, "UPDATE edge SET amount = amount + 1, stamp = stamp WHERE id = 3")
    summary = run(sync)
    assert summary.ok, [r.error for r in summary.results]
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []


def test_runs_with_a_read_only_account(edge_source: str, pg_database: str, pipelines_dir: Path) -> None:
    user = f"ro_{edge_source[-10:]}"
    with mysql_admin() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'ro-pass'")
        cur.execute(f"CREATE USER '{user}'@'localhost' IDENTIFIED BY 'ro-pass'")
        for host in ("%", "localhost"):
            cur.execute(f"GRANT SELECT, SHOW VIEW ON `{edge_source}`.* TO '{user}'@'{host}'")
            cur.execute(f"GRANT PROCESS ON *.* TO '{user}'@'{host}'")
    try:
        settings = SyncSettings(
            credentials=f"mysql+pymysql://{user}:ro-pass@{MYSQL_HOST}:{MYSQL_PORT}/{edge_source}", dataset=DATASET
        )
        sync = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir)
        summary = sync.run()
        assert summary.ok, [r.error for r in summary.results]
        # The account really cannot write: the pipeline never needed to.
        with pytest.raises(Exception, match="denied"):
            import pymysql  # type: ignore[import-untyped]

            with (
                pymysql.connect(
                    host=MYSQL_HOST, port=MYSQL_PORT, user=user, password="ro-pass", database=edge_source
                ) as ro,
                ro.cursor() as cur,
            ):
                cur.execute("UPDATE edge SET amount = 0")
        assert differences(edge_source, pg_database, DATASET, ["edge"]) == []
    finally:
        with mysql_admin() as conn, conn.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
            cur.execute(f"DROP USER IF EXISTS '{user}'@'localhost'")


def test_values_the_fast_reader_rejects_are_read_by_the_fallback(edge_source: str) -> None:
    db = SourceDatabase(mysql_url(edge_source))
    # A raw TIME beyond 24 hours makes connectorx panic; the batch is read again through PyMySQL.
    table = db.read_arrow("SELECT id, tm FROM edge ORDER BY id")
    assert table.num_rows == 4
    assert sum(db.fallbacks.values()) == 1
    assert table.column("tm").to_pylist()[0] == datetime.timedelta(hours=838, minutes=59, seconds=59)


def test_a_table_whose_stamp_is_indexed_finds_changes_through_the_index(
    edge_source: str, pg_database: str, pipelines_dir: Path
) -> None:
    execute(
        edge_source,
        "ALTER TABLE edge ADD KEY stamp (stamp)",
        "INSERT INTO edge (tm, flag, big_u, amount) SELECT '00:00:01', 0, seq, seq FROM seq_1_to_3000",
        "UPDATE edge SET stamp = '2024-01-01 08:00:00'",
    )
    sync = make_sync(edge_source, pg_database, pipelines_dir, chunk_size=500)
    assert run(sync).ok
    execute(
        edge_source,
        "UPDATE edge SET amount = amount + 1 WHERE id IN (2, 1500)",  # stamps move to now
        "UPDATE edge SET note = 'late', stamp = NOW() - INTERVAL 5 MINUTE WHERE id = 2900",  # a late commit
        "DELETE FROM edge WHERE id IN (3, 2000)",
        "INSERT INTO edge (tm, flag, big_u, amount) VALUES ('00:00:02', 1, 1, 1)",
    )
    summary = run(sync)
    assert summary.ok, summary
    edge = summary.results[0]
    assert edge.compared == KEYS_AND_STAMP_INDEX
    assert (edge.rows_inserted, edge.rows_updated, edge.rows_deleted) == (1, 3, 2)
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []
    compared = f"SELECT compared FROM {DATASET}._od_reconciliation ORDER BY checked_at DESC LIMIT 1"
    assert pg_scalar(pg_database, compared) == KEYS_AND_STAMP_INDEX

    # A row stamped back, before the overlap (in its own bucket): the stamp index cannot find it; the
    # periodic check of every row's stamp does.
    execute(edge_source, "UPDATE edge SET amount = 77, stamp = '2020-01-01 00:00:00' WHERE id = 700")
    assert run(sync).ok
    stale = ["edge (700,): column amount differs", "edge (700,): column stamp differs"]
    assert sorted(differences(edge_source, pg_database, DATASET, ["edge"])) == stale  # the known blind spot
    sync.settings.stamp_check_interval_s = 0
    summary = run(sync)
    assert summary.ok, summary
    assert pg_scalar(pg_database, compared) == "keys and tokens"
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []


def test_after_a_mismatch_the_next_run_compares_every_stamp(
    edge_source: str, pg_database: str, pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    execute(edge_source, "ALTER TABLE edge ADD KEY stamp (stamp)")
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    assert run(sync).ok
    lose_a_row_before_marking_deletes(monkeypatch, pg_database, 3)
    execute(edge_source, "UPDATE edge SET amount = 1 WHERE id = 3")
    assert run(sync).results[0].status == "mismatch"
    monkeypatch.undo()
    # The copy was found wrong: the stamp index is not trusted again until every stamp was compared.
    assert run(sync).ok
    compared = f"SELECT compared FROM {DATASET}._od_reconciliation ORDER BY checked_at DESC LIMIT 1"
    assert pg_scalar(pg_database, compared) == "keys and tokens"
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []
    assert run(sync).ok
    assert pg_scalar(pg_database, compared) == COUNTED[KEYS_AND_STAMP_INDEX]


def test_a_fresh_copy_database_with_a_kept_pipeline_directory_is_loaded_whole(
    edge_source: str, pg_database: str, pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One load group per table: dlt then sees a schema version it has already stored after the first
    # group, and would create no table for the others if the pipeline did not create them itself.
    monkeypatch.setattr("opendental_sync.load.GROUP_ROWS", 1)
    execute(edge_source, "CREATE TABLE other (OtherNum bigint PRIMARY KEY, Descript varchar(50)) ENGINE=MyISAM")
    execute(edge_source, "INSERT INTO other VALUES (1, 'one'), (2, 'two')")
    assert run(make_sync(edge_source, pg_database, pipelines_dir)).ok
    conn = psycopg2.connect(pg_database)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA {DATASET} CASCADE")
    conn.close()
    summary = run(make_sync(edge_source, pg_database, pipelines_dir))
    assert summary.ok, summary
    assert differences(edge_source, pg_database, DATASET, ["edge", "other"]) == []


def test_changed_rows_in_far_apart_buckets_are_fetched_alone(
    edge_source: str, pg_database: str, pipelines_dir: Path
) -> None:
    execute(
        edge_source,
        "DELETE FROM edge",
        "INSERT INTO edge (id, tm, flag, big_u, amount) SELECT seq, '00:00:01', 0, seq, seq FROM seq_1_to_3072",
        "UPDATE edge SET stamp = '2024-01-01 08:00:00'",
    )
    sync = make_sync(edge_source, pg_database, pipelines_dir)
    assert run(sync).ok
    # The last row of the first bucket and the first row of the twelfth: next to each other among the
    # changed buckets' keys, ten buckets apart in the table.
    width = bucket_width(1, 3072, 3072)
    execute(edge_source, f"UPDATE edge SET amount = -1 WHERE id IN ({width - 1}, {11 * width})")
    summary = run(sync)
    assert summary.ok, summary
    assert (summary.results[0].rows_extracted, summary.results[0].rows_updated) == (2, 2)
    assert differences(edge_source, pg_database, DATASET, ["edge"]) == []
