"""``scripts/benchmark.py --binlog``: the full load and incremental runs with ``sources.opendental.binlog = true``,
on a MariaDB this script starts with the binlog on (opendental_demo.binlog_server), each as a share of the full
load, with the rows the simulated days changed and what each run compared."""

from __future__ import annotations

import time
from collections import Counter

from bench_common import compared_by_table, fresh_pg_database, run_pipeline, source_rows

from opendental_demo.binlog_server import binlog_server
from opendental_demo.generate import build_demo_source
from opendental_demo.simulate import simulate_day


def compared_kinds(pg_url: str) -> dict[str, int]:
    """What the latest run compared (_od_reconciliation.compared), with how many tables each, most first."""
    return dict(Counter(compared_by_table(pg_url).values()).most_common())


def changed_rows(source_url: str, seed: int, days: range) -> int:
    """Apply simulated clinic days to the source; the rows they inserted, updated and deleted."""
    changed = 0
    for day in days:
        record = simulate_day(source_url, seed, day=day)
        changed += sum(len(c.inserted) + len(c.updated) + len(c.deleted) for c in record.tables.values())
    return changed


def binlog_benchmark(patients: int, seed: int, pg_url: str) -> int:
    """The full load and incremental runs with the binlog, on a MariaDB of this script's own with the binlog on."""
    on = {"SOURCES__OPENDENTAL__BINLOG": "true"}
    with binlog_server() as server:
        source_url = server.url("opendental_bench")
        t0 = time.perf_counter()
        build_demo_source(source_url, patients, seed)
        total = sum(source_rows(source_url).values())
        built = time.perf_counter() - t0
        print(f"built demo source ({patients} patients, {total:,} rows) with the binlog on in {built:.1f}s")
        fresh_pg_database(pg_url)
        full = run_pipeline(source_url, pg_url, settings=on)
        if full.returncode != 0:
            print(full.output[-3000:])
            return 1
        steps = [("(a) full load (binlog on)", full, total, compared_kinds(pg_url))]
        for label, days, settings in (
            ("(c) binlog run after one day", range(1, 2), on),
            ("(f) binlog run after three days", range(2, 5), on),
            ("(g) diff run after one day", range(5, 6), {"SOURCES__OPENDENTAL__BINLOG": "false"}),
        ):
            changed = changed_rows(source_url, seed, days)
            run = run_pipeline(source_url, pg_url, settings=settings)
            if run.returncode != 0:
                print(run.output[-3000:])
                return 1
            steps.append((label, run, changed, compared_kinds(pg_url)))
    print()
    print(f"{'step':<34}{'seconds':>9}{'rows':>12}{'of full load':>14}{'peak MB':>10}  compared (tables)")
    for label, run, rows, kinds in steps:
        share = f"{run.seconds / full.seconds:.1%}"
        described = "; ".join(f"{kind}: {n}" for kind, n in kinds.items())
        print(f"{label:<34}{run.seconds:>9.1f}{rows:>12,}{share:>14}{run.peak_rss_mb:>10.0f}  {described}")
    print("rows: the source's rows for (a), the rows the simulated days changed for the others")
    return 0
