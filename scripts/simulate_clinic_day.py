"""Apply one simulated clinic day to an existing demo source and report what changed.

    python scripts/simulate_clinic_day.py --day 1
    python scripts/simulate_clinic_day.py --day 2 --schema-drift --mass-stamp-bump --record day2.json

New appointments, procedures, payments, claims, commlogs and log rows; in-place edits (some twice within one
second); hard deletes (appointments, payments with their splits, paysplits, claimprocs, commlogs); two late
commits. --schema-drift adds a column, widens a column and creates a table (once); --mass-stamp-bump runs an
upgrade-style table-wide UPDATE on patient. --record writes the full record (keys per table) as JSON.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from opendental_demo.cli import add_common_arguments, configure_logging, database_url, fail  # noqa: E402
from opendental_demo.db import DemoSourceUnreachable  # noqa: E402
from opendental_demo.simulate import simulate_day  # noqa: E402
from opendental_sync.safety import mask_urls  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--day", type=int, default=1, help="day number, 1, 2, ... (default %(default)s)")
    parser.add_argument(
        "--seed", type=int, default=42, help="with --day, picks the day's changes (default %(default)s)"
    )
    parser.add_argument("--schema-drift", action="store_true", help="add a column, widen a column, add a table")
    parser.add_argument(
        "--mass-stamp-bump",
        action="store_true",
        help="UPDATE patient SET SecurityHash='' on every row where it differs (one shared stamp)",
    )
    parser.add_argument(
        "--record",
        type=Path,
        default=None,
        metavar="OUT.json",
        help="write the day's record (keys inserted/updated/deleted per table) to this file",
    )
    add_common_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Apply one day; print what changed per table. Returns the exit code."""
    args = parse_args(argv)
    configure_logging(args.verbose)
    url = database_url(args)
    started = time.monotonic()
    try:
        record = simulate_day(
            url, args.seed, day=args.day, schema_drift=args.schema_drift, mass_stamp_bump=args.mass_stamp_bump
        )
    except (DemoSourceUnreachable, ValueError) as e:
        return fail(e)
    elapsed = time.monotonic() - started
    print(f"day {record.day} applied to {mask_urls(url)} ({record.started_at} .. {record.finished_at} UTC)")
    summary = record.summary()
    width = max((len(t) for t in summary), default=5)
    print(f"  {'table':<{width}}  {'inserted':>8}  {'updated':>8}  {'deleted':>8}")
    for table, c in summary.items():
        print(f"  {table:<{width}}  {c['inserted']:>8}  {c['updated']:>8}  {c['deleted']:>8}")
    for change in record.schema_changes:
        detail = f" {change.old_type} -> {change.new_type}" if change.old_type else f" {change.new_type}".rstrip()
        print(f"  schema: {change.change} {change.table}.{change.column}{detail}")
    for table, info in record.mass_stamp_bump.items():
        print(f"  mass stamp bump: {info['rows']} {table} rows stamped {info['stamp']}")
    print(
        f"  same-second edits: {sum(len(v) for v in record.same_second.values())}, "
        f"late commits: {sum(len(v) for v in record.late_commits.values())}"
    )
    if args.record:
        args.record.write_text(record.to_json() + "\n")
        print(f"  record written to {args.record}")
    print(f"done in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
