"""Probe: what one table costs MariaDB to read, by the shape of the reads.

    python scripts/read_cost_probe.py --table securitylog

Reads the whole table (of an existing demo source, e.g. the benchmark's `opendental_bench`) once per
shape, through the `mariadb` client with its output dropped, and prints the wall time and the CPU seconds
the local MariaDB server spent (user and system, from /proc):
  scan          one `SELECT *`, the raw pipe's read (holds the table for the whole read);
  key ranges    `SELECT *` by primary-key ranges of about --chunk-size rows, as a first load reads;
  handler       `HANDLER ... READ NEXT LIMIT n` in the table's physical order;
  mrr           the key ranges with multi-range read sorting its row fetches (`mrr_sort_keys`);
  fingerprint   the bucket fingerprints of keys and change tokens, as an incremental run compares them
                (tables in tables.toml with a stamp or hash only);
  keys only     the bucket fingerprints of keys alone, from the primary-key index;
  stamps        every row's stamp compared on the server by key ranges, only the keys stamped in the last
                three hours returned, as a run reads a stamp no index leads with (tables with a stamp only);
  keys, stamps  every key and stamp returned by key ranges (what such a run fetched before).
The figures explain the benchmark's floor step: a MyISAM key range fetches each row with its own system
calls, a scan reads the data file in large blocks.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

from bench_common import add_source_url_argument, client_env, mariadb_command, mysql_cursor, server_cpu_split
from sqlalchemy.engine import make_url

from opendental_sync.buckets import bucket_width, key_spans, mysql_fingerprint_query
from opendental_sync.registry import load_registry
from opendental_sync.source_schema import quote_mysql


def key_facts(url: str, table: str) -> tuple[str, int, int, int]:
    """The primary-key column, its lowest and highest value, and the row count."""
    with mysql_cursor(url) as cur:
        cur.execute(
            "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s "
            "AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
            (make_url(url).database, table),
        )
        keys = [r[0] for r in cur.fetchall()]
        if len(keys) != 1:
            raise SystemExit(f"error: {table} needs a single-column primary key (it has {keys or 'none'})")
        k = quote_mysql(keys[0])
        cur.execute(f"SELECT MIN({k}), MAX({k}), COUNT(*) FROM {quote_mysql(table)}")
        low, high, rows = cur.fetchone()
    if not rows:
        raise SystemExit(f"error: {table} has no rows to read")
    return keys[0], int(low), int(high), int(rows)


def shapes(table: str, key: str, low: int, high: int, rows: int, chunk: int) -> dict[str, Callable[[], str]]:
    """Each shape's SQL script over the whole table."""
    t, k = quote_mysql(table), quote_mysql(key)
    spans = key_spans(low, high, rows, chunk)
    ranges = "".join(f"SELECT * FROM {t} WHERE {k} BETWEEN {a} AND {b};\n" for a, b in spans)
    mrr = "SET SESSION optimizer_switch = 'mrr=on,mrr_sort_keys=on,mrr_cost_based=off';\n"
    handler_reads = rows // chunk + 1
    out: dict[str, Callable[[], str]] = {
        "scan": lambda: f"SELECT * FROM {t};\n",
        "key ranges": lambda: ranges,
        "handler": lambda: (
            f"HANDLER {t} OPEN;\nHANDLER {t} READ FIRST LIMIT {chunk};\n"
            + f"HANDLER {t} READ NEXT LIMIT {chunk};\n" * handler_reads
            + f"HANDLER {t} CLOSE;\n"
        ),
        "mrr": lambda: mrr + ranges,
    }
    spec = load_registry().get(table)
    width = bucket_width(low, high, rows)
    if spec is not None and spec.has_token and spec.primary_key == (key,):
        out["fingerprint"] = lambda: "".join(
            mysql_fingerprint_query(spec, width, a, b, chunk, "keys and tokens") + ";\n" for a, b in spans
        )
    if spec is not None and spec.stamp and spec.primary_key == (key,):
        stamp = quote_mysql(spec.stamp)
        out["stamps"] = lambda: "".join(
            f"SELECT {k} FROM {t} WHERE {k} BETWEEN {a} AND {b} AND {stamp} >= NOW() - INTERVAL 3 HOUR;\n"
            for a, b in spans
        )
        out["keys, stamps"] = lambda: "".join(
            f"SELECT {k}, UNIX_TIMESTAMP({stamp}) FROM {t} WHERE {k} BETWEEN {a} AND {b};\n" for a, b in spans
        )
    if spec is not None and spec.primary_key == (key,):
        out["keys only"] = lambda: "".join(
            mysql_fingerprint_query(spec, width, a, b, chunk, "keys") + ";\n" for a, b in spans
        )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", default="securitylog")
    p.add_argument("--chunk-size", type=int, default=10_000, help="rows per bounded read (as chunk_size)")
    add_source_url_argument(p)
    args = p.parse_args(argv)

    key, low, high, rows = key_facts(args.source_url, args.table)
    print(f"{args.table}: {rows:,} rows, key {key} {low}..{high}, {args.chunk_size:,} rows per bounded read")
    print(f"{'shape':<14}{'seconds':>9}{'server user s':>15}{'server sys s':>14}")
    for name, script in shapes(args.table, key, low, high, rows, args.chunk_size).items():
        before = server_cpu_split("mariadbd")
        started = time.perf_counter()
        subprocess.run(
            mariadb_command(args.source_url),
            input=script(),
            text=True,
            stdout=subprocess.DEVNULL,
            check=True,
            env=client_env(args.source_url),
        )
        seconds = time.perf_counter() - started
        after = server_cpu_split("mariadbd")
        if before is None or after is None:  # the server is not on this machine
            print(f"{name:<14}{seconds:>9.2f}{'-':>15}{'-':>14}")
        else:
            print(f"{name:<14}{seconds:>9.2f}{after[0] - before[0]:>15.2f}{after[1] - before[1]:>14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
