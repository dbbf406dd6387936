"""Run a simulated week of a clinic on the demo and print the monitoring figures it leaves.

    python scripts/simulate_week.py [--days 7] [--first-day 1] [--seed 42]

Each simulated day applies one clinic day of changes to the demo source (scripts/simulate_clinic_day.py) and
runs the high group four times, as its schedule does every 6 hours; the first day also runs the low and the
medium group (the first Sunday of the month). The runs are the command line's own
(`python pipelines/opendental.py --group <g> -q`), one after another, so the week takes minutes, not days.
Then dbt builds the monitoring models, and the script prints what they say: runs and the success rate of the
last 30 days against the 99.9% target, and per group the median duration and rows/s (from _od_run_metrics).
Source and copy are the pipeline's usual settings (the local demo databases unless set otherwise).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent

from opendental_demo.simulate import simulate_day  # noqa: E402
from opendental_ops.dbt_target import dbt_schema  # noqa: E402
from opendental_sync.config import load_settings  # noqa: E402

FIGURES_SQL = """
SELECT runs, runs_succeeded, runs_failed, round(100 * success_rate, 2), 100 * target_success_rate, is_meeting_target
FROM {monitoring}.monitoring__run_success_30d
"""
GROUPS_SQL = """
SELECT scope, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_s),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY rows_per_s), count(*) FILTER (WHERE status = 'ok')
FROM {schema}._od_run_metrics GROUP BY scope ORDER BY scope
"""


def figures_query() -> sql.Composed:
    """FIGURES_SQL on the monitoring schema of dbt's target (prod: monitoring; dev: <prefix>_monitoring)."""
    return sql.SQL(FIGURES_SQL).format(monitoring=sql.Identifier(dbt_schema("monitoring")))


def run(group: str) -> bool:
    """One run of ``group``; its summary's last line (or, when it failed, its error) is printed."""
    argv = [sys.executable, str(ROOT / "pipelines" / "opendental.py"), "--group", group, "-q"]
    done = subprocess.run(argv, capture_output=True, text=True)
    lines = (done.stdout if done.returncode == 0 else done.stdout + done.stderr).strip().splitlines()
    print(f"  {group}: {lines[-1] if lines else 'no output'}")
    return done.returncode == 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--first-day", type=int, default=1, help="day number of the first simulated day (default 1)")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args(argv)
    os.chdir(ROOT)
    settings, dest = load_settings()
    failed = 0
    for day in range(args.first_day, args.first_day + args.days):
        record = simulate_day(settings.credentials, seed=args.seed, day=day)
        groups = ["low", "medium", "high", "high", "high", "high"] if day == args.first_day else ["high"] * 4
        ok = [run(g) for g in groups]
        failed += ok.count(False)
        changed = sum(len(t.inserted) + len(t.updated) + len(t.deleted) for t in record.tables.values())
        print(f"day {day}: {changed} source rows changed; runs {', '.join(groups)}: {ok.count(True)} ok")
    dbt = [str(Path(sys.executable).with_name("dbt")), "build", "--profiles-dir", ".", "-q"]
    built = subprocess.run(
        [*dbt, "-s", "monitoring__daily_runs", "monitoring__run_success_30d"], cwd=ROOT / "dbt_project"
    )
    if built.returncode != 0:
        print("error: dbt could not build the monitoring models", file=sys.stderr)
        return 1
    with psycopg2.connect(dest.credentials) as conn, conn.cursor() as cur:
        cur.execute(figures_query())
        runs, succeeded, failed_runs, rate, target, meets = cur.fetchone()
        verdict = "met" if meets else "not met"
        print(f"last 30 days: {runs} runs, {succeeded} succeeded, {failed_runs} failed: {rate}% "
              f"(target {float(target):g}%, {verdict})")  # fmt: skip
        cur.execute(GROUPS_SQL.format(schema=settings.dataset))
        for scope, n, duration, rate_s, ok_runs in cur.fetchall():
            print(f"  {scope}: {n} run(s), {ok_runs} ok, median {duration:.1f} s, median {rate_s:,.0f} rows/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
