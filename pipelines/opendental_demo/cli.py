"""What the two commands share: the database URL option, logging, the one-line error."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .db import DEFAULT_URL, URL_ENV_VAR


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """--database-url and -v/--verbose."""
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"mysql+pymysql://user:pass@host:port/db (default: ${URL_ENV_VAR} or {DEFAULT_URL})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")


def database_url(args: argparse.Namespace) -> str:
    """--database-url, else $SOURCES__OPENDENTAL__CREDENTIALS, else the local demo database."""
    return str(args.database_url or os.environ.get(URL_ENV_VAR) or DEFAULT_URL)


def configure_logging(verbose: bool) -> None:
    """INFO logs (each generation step, the day's summary) with -v, warnings only otherwise."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def fail(error: Exception) -> int:
    """Print the error as one line on stderr; return the exit code."""
    print(f"error: {error}", file=sys.stderr)
    return 2
