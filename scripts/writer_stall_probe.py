"""Probe: does the clinic's front desk freeze while we read? (OpenDental tables are MyISAM: a read holds a
table lock until its result is fully read, and writes wait.)

    python scripts/writer_stall_probe.py --patients 35000

A writer updates one row of the largest tables every 10 ms (round robin, as the front desk would), and
times each UPDATE, first alone, then during our full load, then during an incremental run, and, where
pgloader is installed, during pgloader's copy of the same tables (for comparison: it reads each table in one
statement). Prints the longest and p99 writer stall of each phase. Target for our runs: under 250 ms.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

from bench_common import add_url_arguments, fresh_pg_database, mysql_cursor, pgloader_load, run_pipeline, source_exists

from opendental_demo.generate import build_demo_source

# The largest OpenDental tables, and the edit the front desk (or OpenDental itself) makes there:
# (table, key, SET clause). securitylog is edited in place when OpenDental zeroes FKey.
TARGETS = [
    ("securitylog", "SecurityLogNum", "`FKey` = 0"),
    ("paysplit", "SplitNum", "`SecDateTEdit` = NOW()"),
    ("procedurelog", "ProcNum", "`DateTStamp` = NOW()"),
    ("commlog", "CommlogNum", "`DateTStamp` = NOW()"),
    ("claimproc", "ClaimProcNum", "`SecDateTEdit` = NOW()"),
]


@dataclass(eq=False)
class Writer(threading.Thread):
    url: str
    interval_s: float = 0.010
    latencies_ms: list[float] = field(default_factory=list)
    longest_ms: float = 0.0
    longest_on: str = ""  # the table of the longest stall
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        rng = random.Random(7)
        with mysql_cursor(self.url, autocommit=True) as cur:
            ranges = []
            for table, key, change in TARGETS:
                cur.execute(f"SELECT MIN(`{key}`), MAX(`{key}`) FROM `{table}`")
                lo, hi = cur.fetchone()
                ranges.append((table, key, change, int(lo or 0), int(hi or 0)))
            i = 0
            while not self.stop.is_set():
                table, key, change, lo, hi = ranges[i % len(ranges)]
                i += 1
                started = time.perf_counter()
                cur.execute(f"UPDATE `{table}` SET {change} WHERE `{key}` = %s", (rng.randint(lo, hi),))
                ms = (time.perf_counter() - started) * 1000
                if ms > self.longest_ms:
                    self.longest_ms, self.longest_on = ms, table
                self.latencies_ms.append(ms)
                time.sleep(max(0.0, self.interval_s - (time.perf_counter() - started)))


def measure(url: str, work: object) -> tuple[list[float], float, str]:
    writer = Writer(url)
    writer.start()
    started = time.perf_counter()
    if callable(work):
        work()
    else:
        time.sleep(float(work))  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    writer.stop.set()
    writer.join()
    return writer.latencies_ms, seconds, writer.longest_on


def describe(name: str, latencies: list[float], seconds: float, longest_on: str) -> str:
    if not latencies:
        return f"{name:<36} no writes"
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return (
        f"{name:<36}{seconds:>8.1f}s{len(latencies):>9}{statistics.median(latencies):>9.1f}"
        f"{q[98]:>9.1f}{max(latencies):>11.1f}  {longest_on}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--patients", type=int, default=35000)
    p.add_argument("--seed", type=int, default=42)
    add_url_arguments(p, "opendental_probe")
    args = p.parse_args(argv)
    if not source_exists(args.source_url):
        build_demo_source(args.source_url, args.patients, args.seed)
    fresh_pg_database(args.pg_url)
    results = []
    failed = []

    def sync() -> None:  # the first run into the fresh copy is the full load, the second an incremental run
        r = run_pipeline(args.source_url, args.pg_url)
        if r.returncode:
            failed.append(r.output[-2000:])

    results.append(("writer alone (no reader)", *measure(args.source_url, 5.0)))
    results.append(("during our full load", *measure(args.source_url, sync)))
    results.append(("during our incremental run", *measure(args.source_url, sync)))
    ours = results[1:]
    if shutil.which("pgloader"):

        def pgloader() -> None:
            run, _ = pgloader_load(args.source_url, args.pg_url)
            if run.returncode:
                failed.append(f"pgloader exited {run.returncode}")

        results.append(("during pgloader (not ours)", *measure(args.source_url, pgloader)))
    print(f"{'phase':<36}{'time':>9}{'writes':>9}{'p50 ms':>9}{'p99 ms':>9}{'longest ms':>11}  on table")
    for name, latencies, seconds, longest_on in results:
        print(describe(name, latencies, seconds, longest_on))
    worst = max(max(lat) for _, lat, _, _ in ours if lat)
    print(f"longest writer stall while we read: {worst:.0f} ms (target < 250 ms)")
    for f in failed:
        print("pipeline failed:\n" + f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
