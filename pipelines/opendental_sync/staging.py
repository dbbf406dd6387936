"""Staged loading: the source is read into local Parquet files while dlt loads the files read before.

Reading (MariaDB, connectorx, Arrow typing) and loading (PostgreSQL's COPY) keep different processes
busy; one after the other, each leaves a core idle. Here the run reads table after table into Parquet
files named and typed as the raw tables, and a loader thread hands each finished group of tables to
dlt (``dlt.mark.with_file_import``: the files go into the load package as they are), then normalizes
and loads it, while the next tables are read. Only the loader thread touches the dlt pipeline.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.parquet as pq

from opendental_sync.names import raw_name
from opendental_sync.safety import private_dir

log = logging.getLogger(__name__)


@dataclass
class StagedFiles:
    """The Parquet files one table was read into, with their row counts."""

    files: list[tuple[Path, int]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.files)

    def imports(self) -> Iterator[object]:
        for path, rows in self.files:
            yield dlt.mark.with_file_import(str(path), "parquet", rows)


def write_parquet(
    batches: Iterable[pa.Table], directory: Path, max_rows: int, max_bytes: int | None = None
) -> StagedFiles:
    """Write typed batches to Parquet files of at most about ``max_rows`` rows and ``max_bytes``, columns
    named as dlt names them in raw (a loader job reads one whole file, so the file size bounds its memory)."""
    private_dir(directory)
    staged = StagedFiles()
    writer: pq.ParquetWriter | None = None
    in_file = 0
    bytes_in_file = 0

    def close() -> None:
        nonlocal writer
        if writer is not None:
            writer.close()
            staged.files.append((Path(writer.where), in_file))
            writer = None

    try:
        for batch in batches:
            batch = batch.rename_columns([raw_name(c) for c in batch.column_names])
            full = in_file >= max_rows or (max_bytes is not None and bytes_in_file >= max_bytes)
            if writer is not None and (full or not batch.schema.equals(writer.schema)):
                close()
            if writer is None:
                # Local, read once, soon deleted: no compression or dictionaries to spend CPU on.
                writer = pq.ParquetWriter(
                    str(directory / f"part-{len(staged.files):05d}.parquet"),
                    batch.schema,
                    compression="none",
                    use_dictionary=False,
                    write_statistics=False,
                )
                in_file = bytes_in_file = 0
            writer.write_table(batch)
            in_file += batch.num_rows
            bytes_in_file += batch.nbytes
    finally:
        close()
    return staged


def remove_row_files(working_dir: Path) -> int:
    """Delete the job files of dlt's finished load packages (``load/loaded/<id>/*_jobs/``): row values, and
    for failed jobs the database's message, which may quote them. dlt keeps them after a failed or aborted
    load; the package records (state, schema) stay. Returns how many files went."""
    removed = 0
    for jobs in (working_dir / "load" / "loaded").glob("*/*_jobs"):
        for path in jobs.iterdir():
            if path.is_file():
                path.unlink()
                removed += 1
    return removed
