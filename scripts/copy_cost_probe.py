"""Probe: what the copy's side of a run costs PostgreSQL, with JIT and without, and the first load's ANALYZE.

    python scripts/copy_cost_probe.py --table procedurelog

On an existing copy (e.g. the benchmark's, database `opendental_bench`, schema `opendental_raw`), runs the
queries an incremental run sends the copy, through the pipeline's own code (CopyDatabase), each --repeat times,
and prints the fastest time twice: in the sessions a run opens (options=-cjit=off), and in sessions with
JIT on (options=-cjit=on), where PostgreSQL compiles any query whose estimated cost passes jit_above_cost:
  range snapshot   keys and stamps of --buckets buckets spread over the key space, joined by key range
                   (what a run reads of the copy's dirty buckets);
  key fingerprint  the bucket fingerprints of the live keys (the copy's side of a comparison of keys);
  live row scan    the copy's live rows counted by a scan (how a table checked by its row count was proven);
  live row counter the same read from the table's counter (row_counter.py: how it is proven now).
Then it times, alternately and each --repeat times, the first load's ANALYZE of the columns the runs look rows up
by (CopyTables.analyze) against an ANALYZE of the whole table. Both only refresh the planner's statistics; nothing
else is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial

import psycopg2.errors
from bench_common import add_pg_url_argument
from psycopg2 import sql

from opendental_sync.buckets import bucket_width, key_ranges
from opendental_sync.destination import CopyDatabase, session_url
from opendental_sync.names import raw_name
from opendental_sync.registry import TableSpec, load_registry
from opendental_sync.row_counter import LIVE_ROWS


def has_counter(db: CopyDatabase, spec: TableSpec) -> bool:
    """Whether the copy's table has a counter this version trusts (a copy an earlier version kept may not)."""
    if LIVE_ROWS not in db.tables.existing():
        return False
    try:
        return db.counter.counted(spec) is not None
    except psycopg2.errors.UndefinedColumn:  # its counter table predates triggers_version: not trusted either
        return False


def fastest(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", default="procedurelog")
    p.add_argument("--dataset", default="opendental_raw")
    p.add_argument("--buckets", type=int, default=20, help="dirty buckets in the range snapshot")
    p.add_argument("--repeat", type=int, default=3)
    add_pg_url_argument(p, "opendental_bench")
    args = p.parse_args(argv)
    spec = load_registry().get(args.table)
    if spec is None or len(spec.primary_key) != 1:
        print(f"--table {args.table}: not a single-key table of tables.toml; try procedurelog", file=sys.stderr)
        return 2
    ours = CopyDatabase(args.pg_url, args.dataset)
    if raw_name(spec.name) not in ours.tables.existing():
        print(f"--table {args.table}: no such table in {args.dataset}; run the benchmark first", file=sys.stderr)
        return 2
    jit = CopyDatabase(session_url(args.pg_url, "-cjit=on"), args.dataset)
    key = sql.Identifier(raw_name(spec.primary_key[0]))
    table = sql.Identifier(args.dataset, raw_name(spec.name))
    [(low, high, rows)] = ours.execute(sql.SQL("SELECT min({k}), max({k}), count(*) FROM {t}").format(k=key, t=table))
    [(above,)] = ours.execute("SHOW jit_above_cost")
    if not rows:
        print(f"--table {args.table}: the copy's table is empty", file=sys.stderr)
        return 2
    width = bucket_width(low, high, rows)
    step = max(1, (high // width - low // width) // args.buckets)
    ranges = key_ranges(range(low // width, high // width + 1, step), width)[: args.buckets]
    print(f"{args.dataset}.{raw_name(spec.name)}: {rows:,} rows, key {low}..{high}, buckets of {width:,} keys")
    settings = [db.execute("SHOW jit")[0][0] for db in (ours, jit)]
    print(f"{'query':<18}{'jit off':>10}{'jit on':>10}   (fastest of {args.repeat}; the sessions' jit: ", end="")
    print(f"{', '.join(settings)}; jit_above_cost {above})")
    queries: dict[str, Callable[[CopyDatabase], object]] = {
        "range snapshot": lambda db: db.snapshot(spec, True, ranges),
        "key fingerprint": lambda db: db.fingerprint(spec, width, None, "keys"),
        "live row scan": lambda db: db.live_count(spec),  # what a run's count proof cost before row_counter.py
        "live row counter": lambda db: db.counter.counted(spec),  # what it costs now (None where not installed)
    }
    if not has_counter(ours, spec):
        del queries["live row counter"]
        print("live row counter   none on this copy's table (a run of this version installs it)")
    for name, query in queries.items():
        off, on = (fastest(partial(query, db), args.repeat) for db in (ours, jit))
        print(f"{name:<18}{off:>9.3f}s{on:>9.3f}s")
    # Alternately, each --repeat times, so that neither finds the pages the other read in the cache alone.
    whole_s: list[float] = []
    narrow_s: list[float] = []
    for _ in range(args.repeat):
        whole_s.append(fastest(lambda: ours.execute(sql.SQL("ANALYZE {}").format(table)), 1))
        narrow_s.append(fastest(lambda: ours.tables.analyze(spec), 1))
    print(f"ANALYZE  whole table {min(whole_s):.3f}s, the columns a first load analyzes {min(narrow_s):.3f}s")
    ours.close()
    jit.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
