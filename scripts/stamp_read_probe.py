"""Probe: what it costs a run to find the rows stamped since the last one, in a table whose stamp leads no index.

    python scripts/stamp_read_probe.py --table commlog

On an existing demo source (e.g. the benchmark's `opendental_bench`), times the three ways, each through the
pipeline's own code, with the run's settings (chunk_size rows a query, read_workers queries at a time):
  stamps read on the server   snapshots.stamped_by_scan: each page's stamps compared by MariaDB, only the keys
                              stamped in the last --hours returned (what a run does now);
  every key and stamp fetched snapshots.source_snapshot, then filtered here (what a run did before);
  token fingerprints          snapshots.source_fingerprint of keys and stamps (the full comparison's source side).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import pyarrow.compute as pc
from bench_common import add_source_url_argument

from opendental_sync.buckets import bucket_width
from opendental_sync.config import SyncSettings
from opendental_sync.registry import load_registry
from opendental_sync.snapshots import STAMP, key_bounds, source_fingerprint, source_snapshot, stamped_by_scan
from opendental_sync.source import SourceDatabase

T = TypeVar("T")


def timed(step: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", default="commlog")
    p.add_argument("--hours", type=int, default=3, help="how far back a row's stamp counts as changed")
    add_source_url_argument(p)
    args = p.parse_args(argv)
    spec = load_registry().get(args.table)
    if spec is None or spec.stamp is None:
        print(f"--table {args.table}: not a table of tables.toml with a stamp; try commlog", file=sys.stderr)
        return 2
    settings = SyncSettings()
    db = SourceDatabase(args.source_url)
    bounds = key_bounds(db, spec)
    since = db.server_epoch() - args.hours * 3600
    chunk, workers = settings.chunk_size, settings.read_workers
    print(f"{args.table}: {bounds[2]:,} rows, {chunk:,} rows a query, {workers} at a time")
    scan_s, found = timed(lambda: stamped_by_scan(db, spec, since, bounds, bounds[2], workers, chunk))
    fetch_s, snapshot = timed(lambda: source_snapshot(db, spec, chunk))
    fingerprint_s, _ = timed(
        lambda: source_fingerprint(db, spec, bucket_width(*bounds), bounds, "keys and tokens", workers, chunk)
    )
    fetched = snapshot.filter(pc.greater_equal(snapshot.column(STAMP), since)).num_rows
    print(f"{'stamps read on the server':<28}{scan_s:>7.2f} s  {len(found or []):,} keys")
    print(f"{'every key and stamp fetched':<28}{fetch_s:>7.2f} s  {fetched:,} keys")
    print(f"{'token fingerprints':<28}{fingerprint_s:>7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
