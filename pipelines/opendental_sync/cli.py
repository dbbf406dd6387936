"""Copy OpenDental (MySQL/MariaDB) into PostgreSQL, incrementally, and prove the copy equals the source.

    python pipelines/opendental.py                      # every table
    python pipelines/opendental.py --group high         # appointments, procedures, payments, claims, ...
    python pipelines/opendental.py --tables patient,fee --full-refresh
    python pipelines/opendental.py --dry-run            # print the plan and exit
    python pipelines/opendental.py --alert-test --severity critical   # test the alert channels of a level
    python pipelines/opendental.py --audit              # compare every column of every row (monthly)

Credentials: SOURCES__OPENDENTAL__CREDENTIALS (mysql+pymysql://...) and DESTINATION__POSTGRES__CREDENTIALS
(postgresql://...), or .dlt/secrets.toml; the defaults are the local demo databases.
Exit status: 0 when every table loaded and reconciled, 1 when some table failed or mismatched or the run
could not hold its lock on the copy (another run), 2 on a configuration or connection problem.
Alerts (critical, warning, info) go to the Apprise URLs of [alerts] in .dlt/secrets.toml or ALERTS__CRITICAL etc.;
--alert-test exits 1 naming each channel that failed.
"""

# The command line of `python pipelines/opendental.py`, and of the `opendental-sync` console script (which reads
# .dlt/ from the folder it is run in, as dlt does). The docstring above is its --help.
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from opendental_sync.alerts import LEVELS, AlertSettings, Level, load_alert_settings, send_test_alert
from opendental_sync.audit import TableAudit, audit
from opendental_sync.config import check_dataset, load_settings
from opendental_sync.destination import DestinationUnreachable
from opendental_sync.monitoring import RunMonitor
from opendental_sync.registry import GROUPS, RegistryError
from opendental_sync.report import format_plan, format_summary
from opendental_sync.run_lock import RunLockBusy, RunLockLost
from opendental_sync.safety import describe_error, mask_urls
from opendental_sync.selection import SelectionError
from opendental_sync.source import SourceUnreachable
from opendental_sync.sync import Synchronizer, iter_names

log = logging.getLogger("opendental")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--group", choices=[*GROUPS, "all"], default="all", help="table group to refresh")
    p.add_argument("--tables", help="comma-separated table names (overrides --group)")
    p.add_argument(
        "--full-refresh",
        action="store_true",
        help="re-read every row of the selected tables (the copy stays readable meanwhile)",
    )
    p.add_argument("--dataset", help="raw PostgreSQL schema (default: sources.opendental.dataset, opendental_raw)")
    p.add_argument("--dry-run", action="store_true", help="print the plan (tables, strategy, state) and exit")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    p.add_argument("-q", "--quiet", action="store_true", help="warnings and the summary only")
    p.add_argument(
        "--audit",
        action="store_true",
        help="compare every column of every row of the selected tables with the source (monthly); exit 1 if any differ",
    )
    p.add_argument("--alert-test", action="store_true", help="send one test alert through each channel and exit")
    p.add_argument("--severity", choices=LEVELS, default="critical", help="the level --alert-test sends")
    return p.parse_args(argv)


def print_audit(found: list[TableAudit]) -> int:
    """One line per table, then the totals as one JSON line (``audit: {...}``) that the maintenance step reads."""
    for t in found:
        print(t.describe())
    totals = {
        "tables": len(found),
        "rows_compared": sum(t.rows_compared for t in found),
        "rows_unsettled": sum(t.rows_unsettled for t in found),
        "rows_differing": sum(t.rows_differing for t in found),
        "tables_differing": sorted(t.table for t in found if not t.ok),
    }
    print("audit: " + json.dumps(totals))
    return 0 if all(t.ok for t in found) else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("RUST_BACKTRACE", "0")  # a connectorx panic prints one line, not a backtrace
    os.umask(0o077)  # staged row files and dlt's load packages: readable by this user only
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("dlt", "sqlfluff", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    # Library loggers that print tracebacks of driver errors (which may quote row values or a URL): the
    # run reports those errors itself, by kind, table and column.
    logging.getLogger("sqlalchemy").setLevel(logging.CRITICAL)
    try:
        alert_settings = load_alert_settings()
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.alert_test:
        return alert_test(alert_settings, args.severity)
    names = list(iter_names(args.tables)) or None
    scope = f"tables {','.join(sorted(names))}" if names else f"group {args.group}"
    monitor = RunMonitor(alert_settings, scope, args.full_refresh, enabled=not (args.dry_run or args.audit))
    try:
        settings, destination = load_settings()
        if args.dataset:
            check_dataset(args.dataset)
            settings.dataset = args.dataset
        monitor.destination_url, monitor.dataset = destination.credentials, settings.dataset
        sync = Synchronizer(settings, destination)
        if args.dry_run:
            print(format_plan(sync.describe_plan(args.group, names)))
            return 0
        if args.audit:
            return print_audit(audit(sync, args.group, names))
        summary = sync.run(args.group, names, full_refresh=args.full_refresh)
    except (SourceUnreachable, DestinationUnreachable, RegistryError, SelectionError, ValueError) as e:
        print(f"error: {mask_urls(str(e))}", file=sys.stderr)
        monitor.failed(e)
        return 2
    except (RunLockBusy, RunLockLost) as e:
        print(f"error: {mask_urls(str(e))}", file=sys.stderr)
        monitor.failed(e)
        return 1
    except Exception as e:  # a traceback may quote a row value or a URL: -v shows it, for debugging
        monitor.failed(e)
        if args.verbose:
            raise
        print(f"error: {describe_error(e)} (run with -v for the traceback)", file=sys.stderr)
        return 1
    print(format_summary(summary))
    monitor.completed(summary)
    return 0 if summary.ok else 1


def alert_test(settings: AlertSettings, level: Level) -> int:
    """--alert-test: 0 when every channel of the level took the message, 1 naming those that did not."""
    tried, failed = send_test_alert(settings, level)
    if not tried:
        print(f"no {level} alert channels are configured (alerts.{level}); the test message went to the log only")
        return 0
    for name in failed:
        print(f"error: the {level} alert channel {name} did not take the test message", file=sys.stderr)
    print(f"{tried - len(failed)} of {tried} {level} alert channel(s) took the test message")
    return 1 if failed else 0
