"""Create the demo OpenDental source: an OpenDental-shaped MariaDB/MySQL database with synthetic data.

    python scripts/make_demo_source.py --patients 35000 --seed 42
    python scripts/make_demo_source.py --patients 200 --database-url mysql+pymysql://root:@127.0.0.1:3306/od_small

The database in the URL is dropped and created again. The URL comes from --database-url, else the environment
variable SOURCES__OPENDENTAL__CREDENTIALS, else the local default (root on 127.0.0.1:3306, opendental_demo).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from opendental_demo.cli import add_common_arguments, configure_logging, database_url, fail  # noqa: E402
from opendental_demo.db import DemoDatabaseMissing, DemoSourceUnreachable, MySqlUrl, connection  # noqa: E402
from opendental_demo.generate import DEFAULT_AS_OF, build_demo_source  # noqa: E402
from opendental_demo.guard import read_marker  # noqa: E402
from opendental_sync.safety import mask_urls  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--patients",
        type=int,
        default=35_000,
        help="number of patients (35000 is about the real clinic; default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=42, help="same seed, same data (default %(default)s)")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=date.today(),
        metavar="YYYY-MM-DD",
        help="snapshot date: all generated stamps are before it (default: today, so the demo clinic's data is "
        f"as recent as a real clinic's; the library's fixed default is {DEFAULT_AS_OF})",
    )
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="keep an existing demo source as it is (build only when the database has no demo source)",
    )
    add_common_arguments(parser)
    return parser.parse_args(argv)


def existing_demo(url: str) -> str | None:
    """The marker of the demo source at ``url``, or None when there is none (or no such database)."""
    try:
        with connection(url, database="information_schema") as conn:
            return read_marker(conn, MySqlUrl.parse(url).database)
    except DemoDatabaseMissing:
        return None


def print_counts(counts: dict[str, int]) -> None:
    """Rows per table, aligned, with the total."""
    width = max(len(t) for t in counts)
    for table, rows in counts.items():
        print(f"  {table:<{width}}  {rows:>10,}")
    print(f"  {'total':<{width}}  {sum(counts.values()):>10,}")


def main(argv: list[str] | None = None) -> int:
    """Build the demo source; print rows per table and the time taken. Returns the exit code."""
    args = parse_args(argv)
    configure_logging(args.verbose)
    url = database_url(args)
    started = time.monotonic()
    try:
        if args.if_missing and (marker := existing_demo(url)) is not None:
            print(f"demo source {mask_urls(url)} exists ({marker}); kept as it is")
            return 0
        counts = build_demo_source(url, args.patients, args.seed, as_of=args.as_of)
    except (DemoSourceUnreachable, ValueError) as e:
        return fail(e)
    elapsed = time.monotonic() - started
    print(f"demo source {mask_urls(url)}: {args.patients} patients, seed {args.seed}, as of {args.as_of}")
    print_counts(counts)
    print(f"built in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
