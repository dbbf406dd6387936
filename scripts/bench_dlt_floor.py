"""What dlt alone costs a binlog run: as many rows of each table as a run loaded, merged by a bare dlt pipeline in a
new process (no source, no binlog, no proof; the project's .dlt/config.toml), timed as starting Python with dlt and
PyArrow imported, then the merge. ``scripts/benchmark.py --binlog`` prints it beside the binlog run after one day, as a
share of the full load: a floor under what any run that loads through dlt can cost.

Run as a script it is that child process: ``bench_dlt_floor.py FOLDER`` merges every ``FOLDER/<table>.parquet``
(primary key from ``FOLDER/keys.json``) into the ``dlt_floor`` schema of ``$DLT_FLOOR_PG_URL`` and prints the
merge's seconds."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DATASET = "dlt_floor"
URL_ENV = "DLT_FLOOR_PG_URL"  # the child's database, not on its command line


@dataclass(frozen=True)
class Floor:
    rows: int
    tables: int
    seconds: float  # the whole child process
    merge_seconds: float  # pipeline.run alone

    @property
    def start_seconds(self) -> float:
        return self.seconds - self.merge_seconds


def dlt_floor(pg_url: str) -> Floor:
    """As many rows of each table as the copy's latest run loaded, merged twice by a bare dlt pipeline in a new
    process; the second time is the one measured (the first creates the tables, as the full load did for the real
    run). The ``dlt_floor`` schema is dropped after."""
    # Imported here, not at the top: the child process imports this module too, and its start is measured.
    from bench_common import ROOT, drop_schema, run_timed

    from opendental_sync.load import postgres_credentials

    counts = latest_run_rows(pg_url)
    # The credentials the sync gives dlt (its session options, an empty password for trust auth), as a URL.
    env = dict(os.environ, **{URL_ENV: postgres_credentials(pg_url).to_native_representation()})
    try:
        with tempfile.TemporaryDirectory(prefix="dlt_floor_") as folder:
            export_rows(pg_url, counts, Path(folder))
            for _ in range(2):
                run = run_timed([sys.executable, str(Path(__file__).resolve()), folder], env=env, cwd=ROOT)
                if run.returncode != 0:
                    raise RuntimeError(f"the bare dlt merge failed:\n{run.output[-3000:]}")
    finally:
        drop_schema(pg_url, DATASET)
    merge = float(run.output.split("merge seconds: ")[1].split()[0])
    return Floor(sum(counts.values()), len(counts), run.seconds, merge)


def latest_run_rows(pg_url: str) -> dict[str, int]:
    """The rows the copy's latest run read and loaded, per raw table (``_od_run_log.rows_extracted``)."""
    from bench_common import latest_by_table  # here, not at the top: see dlt_floor

    rows = latest_by_table(
        pg_url,
        "SELECT table_name, rows_extracted FROM opendental_raw._od_run_log WHERE rows_extracted > 0 AND run_id = "
        "(SELECT run_id FROM opendental_raw._od_run_log ORDER BY started_at DESC LIMIT 1)",
    )
    return {table: int(n) for table, n in rows.items()}


def export_rows(pg_url: str, counts: dict[str, int], folder: Path) -> None:
    """As many rows of each raw table as the run loaded, without dlt's own columns, to ``<table>.parquet``; each
    table's key (the columns of the copy's ``<table>__od_key`` index) to ``keys.json``."""
    import adbc_driver_postgresql.dbapi as adbc
    import pyarrow.parquet as pq

    keys: dict[str, list[str]] = {}
    with adbc.connect(pg_url) as conn, conn.cursor() as cur:
        for table, n in counts.items():
            cur.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indexrelid = $1::regclass ORDER BY a.attnum",
                parameters=(f"opendental_raw.{table}__od_key",),
            )
            keys[table] = [r[0] for r in cur.fetchall()]
            cur.execute(f'SELECT * FROM opendental_raw."{table}" LIMIT {int(n)}')
            rows = cur.fetch_arrow_table()
            rows = rows.drop_columns([c for c in rows.column_names if c.startswith("_dlt")])
            pq.write_table(rows, folder / f"{table}.parquet")
    (folder / "keys.json").write_text(json.dumps(keys))


def merge(folder: Path, pg_url: str) -> float:
    """Merge every staged table into the ``dlt_floor`` schema (delete-insert on its key, as the sync does); the
    seconds ``pipeline.run`` took."""
    import dlt
    import pyarrow.parquet as pq

    keys = json.loads((folder / "keys.json").read_text())
    resources = [
        dlt.resource(
            pq.read_table(folder / f"{table}.parquet"),
            name=table,
            write_disposition={"disposition": "merge", "strategy": "delete-insert"},
            primary_key=key,
        )
        for table, key in keys.items()
    ]
    pipeline = dlt.pipeline(
        pipeline_name="dlt_floor",
        pipelines_dir=str(folder / "pipelines"),
        destination=dlt.destinations.postgres(credentials=pg_url),
        dataset_name=DATASET,
    )
    started = time.perf_counter()
    pipeline.run(resources, loader_file_format="parquet")
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"merge seconds: {merge(Path(sys.argv[1]), os.environ[URL_ENV]):.3f}")
