"""Patient data safe by construction (issue 15): no row value and no password in any output, names from the
source never steer the product, bad input fails clearly for its own table while the others load.
Real MariaDB -> real PostgreSQL; the command line runs as a user would run it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_type_hints

import psycopg2
import pytest
from dlt.common.configuration.specs.base_configuration import is_secret_hint

from conftest import mysql_admin, mysql_url
from opendental_sync.config import DestinationSettings, SyncSettings, check_dataset, load_settings, unknown_settings
from opendental_sync.read import ExtractStats, ReadLimits, WholeTable, read_rows
from opendental_sync.safety import PublicError, describe_error, mask_urls, remove_tree, safe_dirname
from opendental_sync.sync import Synchronizer

ROOT = Path(__file__).resolve().parents[2]
DATASET = "opendental_raw"
PASSWORD = "PLANTPW7731"
# Values planted in the source: none may appear in any output.
SURROGATE_PREFIX = "PLANTSURR"  # followed by a lone surrogate (valid utf8mb3 for MariaDB, not UTF-8)
NUL_SECRET = "987-65-4321"
WIDE_DECIMAL = "31415926535897932384626433832795028841971693993751"
PLANTED = (SURROGATE_PREFIX[:8], NUL_SECRET, WIDE_DECIMAL, PASSWORD)


def execute(database: str, *statements: str) -> None:
    with mysql_admin(database) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


def with_password(pg_url: str) -> str:
    """The test server trusts local connections: a password in the URL is ignored, but must never show."""
    scheme, rest = pg_url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{PASSWORD}@{host}"


def cli(database: str, pg_url: str, data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ)
    environ.update(
        SOURCES__OPENDENTAL__CREDENTIALS=mysql_url(database),
        DESTINATION__POSTGRES__CREDENTIALS=pg_url,
        SOURCES__OPENDENTAL__RETRY_TRIES="1",
        DLT_DATA_DIR=str(data_dir),
        RUST_BACKTRACE="1",  # the worst case: a panic would print its whole backtrace
    )
    environ.update(env)
    return subprocess.run(
        [sys.executable, str(ROOT / "pipelines" / "opendental.py"), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def pg_rows(pg_url: str, query: str) -> list[tuple[Any, ...]]:
    with closing(psycopg2.connect(pg_url)) as conn, conn.cursor() as cur:
        cur.execute(query)
        return list(cur.fetchall())


def test_planted_values_and_password_never_reach_any_output(
    mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    execute(
        mysql_database,
        "CREATE TABLE good (id int PRIMARY KEY, s varchar(20)) ENGINE=MyISAM",
        "INSERT INTO good VALUES (1, 'fine'), (2, 'also fine')",
        # connectorx panics on it (printing the start of the value), PyMySQL cannot decode it either.
        "CREATE TABLE surr (id int PRIMARY KEY, s varchar(50)) ENGINE=MyISAM CHARSET=utf8mb3",
        f"INSERT INTO surr VALUES (1, CONCAT('{SURROGATE_PREFIX}', _utf8mb3 x'eda080', '123'))",
        # PostgreSQL text cannot hold NUL: the copy holds the text without it, counted per column.
        "CREATE TABLE nulled (id int PRIMARY KEY, note text) ENGINE=MyISAM",
        f"INSERT INTO nulled VALUES (1, CONCAT('ssn ', CHAR(0), '{NUL_SECRET}')), (2, 'clean')",
        # Wider than numeric(38,9): Arrow's cast would fail, and some of its messages quote the value.
        "CREATE TABLE widedec (id int PRIMARY KEY, d decimal(65,0)) ENGINE=MyISAM",
        f"INSERT INTO widedec VALUES (1, {WIDE_DECIMAL})",
    )
    url = with_password(pg_database)
    done = cli(mysql_database, url, tmp_path, "--tables", "good,surr,nulled,widedec")
    assert done.returncode == 1, done.stdout + done.stderr

    run_log = pg_rows(pg_database, f"SELECT t::text FROM {DATASET}._od_run_log t")
    reconciliation = pg_rows(pg_database, f"SELECT t::text FROM {DATASET}._od_reconciliation t")
    outputs = {"stdout": done.stdout, "stderr": done.stderr, "_od_run_log": str(run_log), "rec": str(reconciliation)}
    for name, text in outputs.items():
        for value in PLANTED:
            assert value not in text, f"{value!r} appears in {name}"
    assert "panicked" not in done.stderr

    status = dict(pg_rows(pg_database, f"SELECT table_name, status FROM {DATASET}._od_run_log"))
    assert status == {"good": "ok", "nulled": "ok", "surr": "failed", "widedec": "failed"}
    errors = dict(pg_rows(pg_database, f"SELECT table_name, error FROM {DATASET}._od_run_log WHERE error IS NOT NULL"))
    assert "column 's'" in errors["surr"] and "UTF-8" in errors["surr"]
    assert "column 'd'" in errors["widedec"]
    assert pg_rows(pg_database, f"SELECT id, note FROM {DATASET}.nulled ORDER BY id") == [
        (1, f"ssn {NUL_SECRET}"),
        (2, "clean"),
    ]
    nul = pg_rows(pg_database, f"SELECT nul_bytes_removed FROM {DATASET}._od_run_log WHERE table_name = 'nulled'")
    assert nul == [({"note": 1},)]


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("DESTINATION__POSTGRES__CREDENTIALS", f"postgresql://loader:{PASSWORD}@db-host:notaport/analytics"),
        ("DESTINATION__POSTGRES__CREDENTIALS", f"postgresql://loader:{PASSWORD}@db-host:5432"),
        ("SOURCES__OPENDENTAL__CREDENTIALS", f"mysql+pymysql://reader:{PASSWORD}@od host:3306/opendental"),
        ("SOURCES__OPENDENTAL__CREDENTIALS", f"mysql+pymysql://reader:{PASSWORD}@127.0.0.1:1/opendental"),
    ],
)
def test_malformed_or_unreachable_urls_never_print_the_password(
    mysql_database: str, pg_database: str, tmp_path: Path, variable: str, url: str
) -> None:
    done = cli(mysql_database, pg_database, tmp_path, "--tables", "none", **{variable: url})
    assert done.returncode == 2, done.stdout + done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert "***" in done.stderr


def test_mask_urls_and_error_descriptions_hide_passwords_and_values() -> None:
    text = f"could not open postgresql://u:{PASSWORD}@h/db or password={PASSWORD} or mysql://r:p@ss{PASSWORD}@h"
    assert PASSWORD not in mask_urls(text)
    # A driver's message quoting a value is told by its kind only; ours keeps its message, masked.
    assert NUL_SECRET not in describe_error(ValueError(f"The string '{NUL_SECRET}x' is not a valid decimal"))
    assert "withheld" in describe_error(RuntimeError(f"row ({NUL_SECRET}) rejected"))
    ours = describe_error(PublicError(f"cannot reach mysql://u:{PASSWORD}@h/db"))
    assert PASSWORD not in ours and "cannot reach" in ours


def test_credentials_never_appear_in_a_repr() -> None:
    settings = SyncSettings(credentials=f"mysql+pymysql://u:{PASSWORD}@h:3306/db")
    destination = DestinationSettings(credentials=f"postgresql://u:{PASSWORD}@h:5432/db")
    assert PASSWORD not in repr(settings) + str(settings) + repr(destination) + str(destination)
    # dlt's secret type: read only from secrets providers (secrets.toml, environment), masked by dlt itself.
    for spec in (SyncSettings, DestinationSettings):
        assert is_secret_hint(get_type_hints(spec, include_extras=True)["credentials"]), spec.__name__


def test_source_names_never_steer_the_product(mysql_database: str, pg_database: str, tmp_path: Path) -> None:
    execute(
        mysql_database,
        "CREATE TABLE good (id int PRIMARY KEY, s varchar(20)) ENGINE=MyISAM",
        "INSERT INTO good VALUES (1, 'fine')",
        "CREATE TABLE `_od_reconciliation` (id int PRIMARY KEY) ENGINE=MyISAM",
        "CREATE TABLE `_dlt_loads` (id int PRIMARY KEY) ENGINE=MyISAM",
        "CREATE TABLE `Patient` (id int PRIMARY KEY) ENGINE=MyISAM",
        "CREATE TABLE `patient` (id int PRIMARY KEY) ENGINE=MyISAM",
        "CREATE TABLE twocols (id int PRIMARY KEY, `AptNum` int, `apt_num` int) ENGINE=MyISAM",
        "CREATE TABLE markcol (id int PRIMARY KEY, `_od_deleted` int) ENGINE=MyISAM",
        "CREATE TABLE nokey (a int, b text) ENGINE=MyISAM",
        "INSERT INTO nokey VALUES (1, 'x')",
        # A name that was a path: staged under a safe folder name, and loaded like any other.
        "CREATE TABLE `../..` (id int PRIMARY KEY, v int) ENGINE=MyISAM",
        "INSERT INTO `../..` VALUES (1, 2)",
    )
    sentinel = tmp_path / "pipelines" / "keep-me"  # what `../..` from the staging folder would have deleted
    sentinel.parent.mkdir(parents=True)
    sentinel.write_text("x")
    done = cli(mysql_database, pg_database, tmp_path, "-q")
    names = "good,_od_reconciliation,Patient,nokey,../.."
    named = cli(mysql_database, pg_database, tmp_path, "-q", "--tables", names)
    assert done.returncode == 1 and named.returncode == 1, done.stdout + done.stderr
    assert sentinel.exists()
    errors = dict(pg_rows(pg_database, f"SELECT table_name, error FROM {DATASET}._od_run_log WHERE status <> 'ok'"))
    for table in ("_od_reconciliation", "_dlt_loads", "Patient", "patient", "twocols", "markcol", "nokey"):
        assert table in errors and table in errors[table], (table, errors)
    assert "AptNum" in errors["twocols"] and "_od_deleted" in errors["markcol"]
    assert "primary key" in errors["nokey"] and "exclude_tables" in errors["nokey"]  # the fix
    ok = {r[0] for r in pg_rows(pg_database, f"SELECT table_name FROM {DATASET}._od_run_log WHERE status = 'ok'")}
    assert ok == {"good", "../.."}
    # The pipeline's own tables hold only its bookkeeping.
    assert pg_rows(
        pg_database, f"SELECT count(*) FROM {DATASET}._od_reconciliation WHERE table_name LIKE '\\_od%'"
    ) == [(0,)]
    raw = {
        r[0]
        for r in pg_rows(
            pg_database, f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{DATASET}'"
        )
    }
    assert not {"patient", "twocols", "markcol", "nokey"} & raw


def test_staging_paths_are_safe_names_under_their_folder(tmp_path: Path) -> None:
    for name in ("../..", "/home/x", "a/b", "..", "Patient"):
        folder = safe_dirname(name)
        assert "/" not in folder and not folder.startswith(".")
    root = tmp_path / "stage"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    for bad in (root / ".." / "outside", outside, root.parent):
        with pytest.raises(PublicError, match="refusing to delete"):
            remove_tree(bad, root)
    assert outside.exists()


@pytest.mark.parametrize("dataset", ["../x", "Raw", "raw; drop schema public", "", "1raw", "a" * 64])
def test_dataset_must_be_a_plain_schema_name(dataset: str) -> None:
    with pytest.raises(ValueError, match="not a plain schema name"):
        check_dataset(dataset)


def test_cli_refuses_a_bad_dataset(mysql_database: str, pg_database: str, tmp_path: Path) -> None:
    done = cli(mysql_database, pg_database, tmp_path, "--dataset", "../../etc", "--dry-run")
    assert done.returncode == 2 and "'../../etc'" in done.stderr and "opendental_raw" in done.stderr  # value, fix


def test_unknown_settings_are_named() -> None:
    errors, warnings = unknown_settings(
        {
            "config.toml": {"sources": {"opendental": {"chunk_sise": 5000}}, "runtim": {"log_level": "INFO"}},
            "secrets.toml": {"source": {"opendental": {"credentials": "mysql://x"}}},
        },
        {"SOURCES__OPENDENTAL__RETRY_TRYS": "2", "SOURCE__OPENDENTAL__CREDENTIALS": "mysql://y"},
    )
    text = " ".join(errors)
    assert "chunk_sise" in text and "source.opendental.credentials" in text
    assert "SOURCES__OPENDENTAL__RETRY_TRYS" in text and "SOURCE__OPENDENTAL__CREDENTIALS" in text
    assert any("runtim" in w for w in warnings)


def test_the_schedules_settings_and_clinic_secrets_are_read() -> None:
    """[orchestration] (the scheduled runs) and dlt's [providers] are known sections, and the secret a clinic names
    as its source URL is read (by the scheduled runs), in secrets.toml or as an environment variable."""
    clinics = {"north": {"source_credentials": "sources.north.credentials", "dataset": "opendental_raw_north"},
               "south": {"source_credentials": "sources.opendental_south.credentials", "dataset": "raw_south"}}  # fmt: skip
    errors, warnings = unknown_settings(
        {
            "config.toml": {"orchestration": {"timezone": "UTC", "clinics": clinics}, "providers": {}},
            "secrets.toml": {"sources": {"north": {"credentials": "mysql://n"}}},
        },
        {"SOURCES__OPENDENTAL_SOUTH__CREDENTIALS": "mysql://s", "SOURCES__OPENDENTAL_WEST__CREDENTIALS": "mysql://w"},
    )
    assert warnings == []
    assert errors == [
        "environment variable SOURCES__OPENDENTAL_WEST__CREDENTIALS is not read; use SOURCES__OPENDENTAL__CREDENTIALS "
        "or DESTINATION__POSTGRES__CREDENTIALS"
    ]


def test_a_misspelt_section_does_not_fall_back_to_the_demo_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secrets.toml").write_text('[source.opendental]\ncredentials = "mysql+pymysql://r:p@h:3306/od"\n')
    with pytest.raises(ValueError, match=r"source\.opendental\.credentials is not read"):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SOURCES__OPENDENTAL__RETRY_TRIES", "0", "retry_tries = 0"),
        ("SOURCES__OPENDENTAL__RETRY_FIRST_DELAY_S", "-1", "retry_first_delay_s = -1"),
        ("SOURCES__OPENDENTAL__LOCK_TIMEOUT_S", "-5", "lock_timeout_s = -5"),
    ],
)
def test_retry_settings_out_of_range_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=message):
        load_settings(tmp_path)


def test_credential_columns_never_reach_raw_and_stage_is_private(
    mysql_database: str, pg_database: str, pipelines_dir: Path
) -> None:
    execute(
        mysql_database,
        "CREATE TABLE userod (UserNum bigint PRIMARY KEY, UserName varchar(255), Password varchar(255), "
        "MobileWebPin varchar(255), EClipboardClinicalPin varchar(128)) ENGINE=MyISAM",
        "INSERT INTO userod VALUES (1, 'front desk', 'SHA3-512$salt$hash', '1234', '5678')",
        "CREATE TABLE scratch (id int PRIMARY KEY) ENGINE=MyISAM",
    )
    settings = SyncSettings(credentials=mysql_url(mysql_database), dataset=DATASET, exclude_tables=["Scratch"])
    sync = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir)
    stale = sync.loader.stage_root(sync.loader.pipeline()) / "left-by-a-killed-run"
    stale.mkdir()
    (stale / "part-00000.parquet").write_bytes(b"rows")
    summary = sync.run("all", ["userod"])
    assert summary.ok, [r.error for r in summary.results]
    columns = pg_rows(
        pg_database,
        f"SELECT column_name FROM information_schema.columns WHERE table_schema = '{DATASET}' AND table_name = 'userod'",
    )
    assert {c[0] for c in columns} >= {"user_num", "user_name"}
    assert not {"password", "mobile_web_pin", "e_clipboard_clinical_pin"} & {c[0] for c in columns}
    root = sync.loader.stage_root(sync.loader.pipeline())
    assert not stale.exists() and list(root.iterdir()) == []
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert "scratch" not in {r.table for r in sync.run("all", None).results}


def test_wide_rows_are_read_in_queries_bounded_by_bytes(
    mysql_database: str, pg_database: str, pipelines_dir: Path
) -> None:
    execute(
        mysql_database,
        "CREATE TABLE scan (ScanNum bigint PRIMARY KEY, Img mediumblob) ENGINE=MyISAM",
        "INSERT INTO scan SELECT seq, REPEAT(CHAR(seq % 256), 60000) FROM seq_1_to_400",  # 24 MB in all
    )
    budget = 1024 * 1024
    settings = SyncSettings(credentials=mysql_url(mysql_database), dataset=DATASET, max_batch_bytes=budget)
    sync = Synchronizer(settings, DestinationSettings(credentials=pg_database), pipelines_dir=pipelines_dir)
    spec = next(s for s in sync.selected("all", ["scan"])[0] if s.name == "scan")
    rows = sync.rows_per_query(spec)
    assert rows < 20  # not chunk_size (10,000): one query would have read all 24 MB
    stats = ExtractStats()
    table = sync.source_tables()["scan"]
    limits = ReadLimits(rows, workers=1, max_bytes=budget)
    batches = read_rows(sync.source, table, spec, WholeTable(), datetime.now(UTC), stats, limits)
    assert sum(b.num_rows for b in batches) == 400
    assert stats.max_query_bytes <= 1.2 * budget and stats.batches >= 20
    summary = sync.run("all", ["scan"])
    assert summary.ok, [r.error for r in summary.results]
    copied = pg_rows(pg_database, f"SELECT count(*), sum(length(img)) FROM {DATASET}.scan")
    assert copied == [(400, 400 * 60000)]


def test_a_failed_load_leaves_no_row_files_and_prints_no_value(
    mysql_database: str, pg_database: str, tmp_path: Path
) -> None:
    planted = "PLANTLOAD-555-12-3456"
    execute(
        mysql_database,
        "CREATE TABLE note (id int PRIMARY KEY, s varchar(40)) ENGINE=MyISAM",
        "INSERT INTO note VALUES (1, 'a'), (2, 'b')",
        "CREATE TABLE good (id int PRIMARY KEY, s varchar(20)) ENGINE=MyISAM",
        "INSERT INTO good VALUES (1, 'fine')",
    )
    first = cli(mysql_database, pg_database, tmp_path, "-q")
    assert first.returncode == 0, first.stdout + first.stderr
    # Someone changed the copy by hand: PostgreSQL now rejects the text, quoting it in its error.
    with closing(psycopg2.connect(pg_database)) as conn, conn.cursor() as cur:
        cur.execute(f"ALTER TABLE {DATASET}.note ALTER COLUMN s TYPE integer USING NULL")
        conn.commit()
    execute(mysql_database, f"UPDATE note SET s = '{planted}' WHERE id = 2", "INSERT INTO good VALUES (2, 'more')")
    done = cli(mysql_database, pg_database, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert planted not in done.stdout + done.stderr
    run_log = pg_rows(pg_database, f"SELECT t::text FROM {DATASET}._od_run_log t")
    assert planted not in str(run_log)
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and planted.encode() in p.read_bytes()]
    assert leftovers == []
