"""``scripts/benchmark.py --binlog``: the full load and incremental runs with ``sources.opendental.binlog = true``,
on a MariaDB this script starts with the binlog on (opendental_demo.binlog_server), each as a share of the full
load, with the rows the simulated days changed and what each run compared; at two clinic sizes, with each size's
binlog run time as a fixed part plus a part per changed row."""

from __future__ import annotations

import time
from collections import Counter

from bench_common import Timed, compared_by_table, fresh_pg_database, run_pipeline, source_rows
from bench_dlt_floor import Floor, dlt_floor

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


Step = tuple[str, Timed, int, dict[str, int]]  # label, the run, rows (source's or changed), compared kinds


def binlog_benchmark(patients: int, seed: int, pg_url: str, smaller: int = 0) -> int:
    """The full load and incremental runs with the binlog, on a MariaDB of this script's own with the binlog on; with
    ``smaller`` patients too, the same for a smaller clinic, and for each clinic size how a binlog run's time grows
    with the rows changed."""
    fits: list[str] = []
    with binlog_server() as server:
        for clinic, size in enumerate(sorted({patients, smaller} - {0}, reverse=True)):
            runs = clinic_runs(server.url(f"opendental_bench_{clinic}"), size, seed, pg_url)
            if runs is None:
                return 1
            steps, floor = runs
            print_steps(size, steps)
            print_floor(floor, steps[0][1])
            fits.append(fit_line(size, steps))
    print()
    print("binlog runs (c) and (f): seconds = fixed + per 1,000 changed rows, at each clinic size")
    for line in fits:
        print(line)
    return 0


def clinic_runs(source_url: str, patients: int, seed: int, pg_url: str) -> tuple[list[Step], Floor] | None:
    """Build one clinic's demo source, load it in full, and time the runs after one day, three days and (by diff)
    one more; and dlt alone merging the rows of the run after one day."""
    on = {"SOURCES__OPENDENTAL__BINLOG": "true"}
    t0 = time.perf_counter()
    build_demo_source(source_url, patients, seed)
    total = sum(source_rows(source_url).values())
    built = time.perf_counter() - t0
    print(f"built demo source ({patients} patients, {total:,} rows) with the binlog on in {built:.1f}s")
    fresh_pg_database(pg_url)
    full = run_pipeline(source_url, pg_url, settings=on)
    if full.returncode != 0:
        print(full.output[-3000:])
        return None
    steps: list[Step] = [("(a) full load (binlog on)", full, total, compared_kinds(pg_url))]
    floor = None
    for label, days, settings in (
        ("(c) binlog run after one day", range(1, 2), on),
        ("(f) binlog run after three days", range(2, 5), on),
        ("(g) diff run after one day", range(5, 6), {"SOURCES__OPENDENTAL__BINLOG": "false"}),
    ):
        changed = changed_rows(source_url, seed, days)
        run = run_pipeline(source_url, pg_url, settings=settings)
        if run.returncode != 0:
            print(run.output[-3000:])
            return None
        steps.append((label, run, changed, compared_kinds(pg_url)))
        if floor is None:  # right after (c): the copy's latest run is (c)
            floor = dlt_floor(pg_url)
    assert floor is not None
    return steps, floor


def print_steps(patients: int, steps: list[Step]) -> None:
    full = steps[0][1]
    print()
    print(f"clinic of {patients:,} patients")
    print(f"{'step':<34}{'seconds':>9}{'rows':>12}{'of full load':>14}{'peak MB':>10}  compared (tables)")
    for label, run, rows, kinds in steps:
        share = f"{run.seconds / full.seconds:.1%}"
        described = "; ".join(f"{kind}: {n}" for kind, n in kinds.items())
        print(f"{label:<34}{run.seconds:>9.1f}{rows:>12,}{share:>14}{run.peak_rss_mb:>10.0f}  {described}")
    print("rows: the source's rows for (a), the rows the simulated days changed for the others")


def print_floor(floor: Floor, full: Timed) -> None:
    print(
        f"dlt alone: {floor.rows:,} rows of the {floor.tables} tables run (c) loaded, as many per table, merged by a "
        f"bare dlt pipeline in a new process: {floor.seconds:.1f} s, {floor.seconds / full.seconds:.1%} of the full "
        f"load ({floor.start_seconds:.1f} s starting Python with dlt, {floor.merge_seconds:.1f} s the merge, "
        f"{floor.merge_seconds / full.seconds:.1%})"
    )


def fit_line(patients: int, steps: list[Step]) -> str:
    """The line through the two binlog runs (one day, three days): a fixed part and a part per changed row."""
    _, full, total, _ = steps[0]
    (_, one, one_rows, _), (_, three, three_rows, _) = steps[1], steps[2]
    per_row = (three.seconds - one.seconds) / (three_rows - one_rows) if three_rows != one_rows else 0.0
    fixed = one.seconds - per_row * one_rows
    return (
        f"  {patients:>7,} patients ({total:>10,} rows, full load {full.seconds:5.1f} s): "
        f"{one.seconds:.1f} s for {one_rows:,} rows, {three.seconds:.1f} s for {three_rows:,} rows: "
        f"{fixed:.1f} s + {per_row * 1000:.2f} s per 1,000 rows"
    )
