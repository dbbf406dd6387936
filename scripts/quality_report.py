"""Write the extract-load report: one self-contained HTML page of what Elementary's report does not show.

Elementary's report (scripts/elementary_report.py) shows every dbt test, including the tests on the pipeline's own
proof. This page tells the extract-load's story, from what the runs stored in the raw schema (counts and times,
never row values):
- per run: duration, rows extracted and rows/s, and how many tables reconciled (charts over the recent runs);
- per table: the latest run (status, strategy, rows inserted / updated / deleted, zero dates nulled, retries),
  its proof (source rows, copy rows, mismatched key ranges), and its duration over the recent runs;
- every schema change the runs saw;
- monitoring against the planning document's targets: the success rate of the last 30 days (99.9%), the
  data-quality pass rate of the latest dbt tests (100%, from Elementary's results), and per group the duration
  and throughput of its recent runs (from ``_od_run_metrics``);
- the maintenance steps' history (``_od_maintenance``: what each found, and how long it took).

    python scripts/quality_report.py --out reports/quality.html [--runs 30]
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent

from opendental_ops.dbt_target import dbt_schema  # noqa: E402
from opendental_sync.config import load_settings  # noqa: E402

RUNS_SQL = """
SELECT run_id, min(started_at) AS started_at, sum(duration_s) AS table_seconds,
       extract(epoch FROM max(finished_at) - min(started_at)) AS seconds, sum(rows_extracted) AS rows_extracted,
       count(*) AS tables, count(*) FILTER (WHERE status = 'ok') AS tables_ok
FROM {schema}._od_run_log GROUP BY run_id ORDER BY min(started_at) DESC LIMIT %s
"""
TABLE_RUNS_SQL = """
SELECT l.*, r.source_rows, r.copy_rows, r.matches, r.mismatch_ranges
FROM {schema}._od_run_log l
LEFT JOIN {schema}._od_reconciliation r ON r.run_id = l.run_id AND r.table_name = l.table_name
WHERE l.run_id = ANY(%s)
   OR (l.table_name, l.started_at) IN (SELECT table_name, max(started_at) FROM {schema}._od_run_log GROUP BY 1)
ORDER BY l.table_name, l.started_at
"""


METRICS_SQL = """
SELECT scope, run_id, finished_at, status, duration_s, rows_per_s FROM (
    SELECT *, row_number() OVER (PARTITION BY scope ORDER BY finished_at DESC) AS n
    FROM {schema}._od_run_metrics WHERE NOT full_refresh) m
WHERE n <= %s ORDER BY scope, finished_at
"""
SUCCESS_SQL = """
SELECT count(*) AS runs, count(*) FILTER (WHERE status = 'ok') AS succeeded
FROM {schema}._od_run_metrics WHERE finished_at > now() - interval '30 days'
"""
# The latest result of each test Elementary recorded (its own schema, beside dbt's, as the dbt target names it).
QUALITY_SQL = """
SELECT count(*) AS tests, count(*) FILTER (WHERE status = 'pass') AS passed,
       count(*) FILTER (WHERE status = 'warn') AS warned, max(detected_at) AS detected_at
FROM (SELECT DISTINCT ON (test_unique_id) status, detected_at FROM {elementary}.elementary_test_results
      WHERE detected_at > (now() AT TIME ZONE 'utc') - interval '30 days'
      ORDER BY test_unique_id, detected_at DESC) latest
"""
MAINTENANCE_SQL = """
SELECT step, started_at, seconds, found FROM {schema}._od_maintenance ORDER BY started_at DESC LIMIT 40
"""
SUCCESS_TARGET, QUALITY_TARGET = 0.999, 1.0
NO_MAINTENANCE = "No maintenance step has run yet: python pipelines/ops.py maintain --job maintenance_weekly"


def fetch(conn: Any, query: str, dataset: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of ``query`` (with ``{schema}`` the raw schema, ``{elementary}`` Elementary's) as dicts."""
    schemas = {"schema": sql.Identifier(dataset), "elementary": sql.Identifier(dbt_schema("elementary"))}
    with conn.cursor() as cur:
        cur.execute(sql.SQL(query).format(**schemas), params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def has_run_log(conn: Any, dataset: str) -> bool:
    return has_table(conn, f"{dataset}._od_run_log")


def has_table(conn: Any, name: str) -> bool:
    """Whether the table is there and this user may read its schema (the loader may not read Elementary's)."""
    with conn.cursor() as cur:
        try:
            cur.execute("SELECT to_regclass(%s)", (name,))
        except psycopg2.errors.InsufficientPrivilege:
            conn.rollback()
            return False
        return cur.fetchone()[0] is not None


def fetch_monitoring(conn: Any, dataset: str, runs: int) -> dict[str, list[dict[str, Any]]]:
    """What the monitoring and maintenance sections show; a table not there yet gives no rows."""
    found: dict[str, list[dict[str, Any]]] = {"metrics": [], "success": [], "quality": [], "maintenance": []}
    if has_table(conn, f"{dataset}._od_run_metrics"):
        found["metrics"] = fetch(conn, METRICS_SQL, dataset, (runs,))
        found["success"] = fetch(conn, SUCCESS_SQL, dataset, ())
    if has_table(conn, sql.Identifier(dbt_schema("elementary"), "elementary_test_results").as_string(conn)):
        found["quality"] = fetch(conn, QUALITY_SQL, dataset, ())
    if has_table(conn, f"{dataset}._od_maintenance"):
        found["maintenance"] = fetch(conn, MAINTENANCE_SQL, dataset, ())
    return found


def esc(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return html.escape(", ".join(f"{k}: {v}" for k, v in value.items()))
    if isinstance(value, list):
        return html.escape("; ".join(map(str, value)))
    return html.escape(str(value))


def badge(status: str) -> str:
    cls = {"ok": "ok", "match": "ok"}.get(status, "bad")
    return f'<span class="badge {cls}">{esc(status)}</span>'


def bar_chart(title: str, labels: list[str], values: list[float], unit: str, width: int = 420) -> str:
    """A labelled SVG bar chart, oldest run on the left."""
    if not values:
        return ""
    top = max(max(values), 1e-9)
    step = min(width / len(values), 28.0)
    bars = "".join(
        f'<rect x="{i * step + 1:.1f}" y="{110 - 100 * v / top:.1f}" width="{max(step - 2, 1):.1f}" '
        f'height="{100 * v / top:.1f}"><title>{esc(label)}: {esc(float(v))} {esc(unit)}</title></rect>'
        for i, (label, v) in enumerate(zip(labels, values, strict=True))
    )
    return (
        f"<figure><figcaption>{esc(title)} (last {len(values)} runs; highest {esc(round(top))} {esc(unit)})"
        f'</figcaption><svg class="chart" width="{width}" height="112" role="img" aria-label="{esc(title)}">'
        f"{bars}</svg></figure>"
    )


def sparkline(values: list[float], width: int = 120, height: int = 22) -> str:
    """A table cell's small line of a table's durations over the recent runs."""
    if len(values) < 2:
        return ""
    top = max(max(values), 1e-9)
    points = " ".join(
        f"{i * width / (len(values) - 1):.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values)
    )
    return f'<svg width="{width}" height="{height}"><polyline class="spark" points="{points}"/></svg>'


def run_charts(runs: list[dict[str, Any]]) -> str:
    runs = list(reversed(runs))  # oldest first
    labels = [str(r["run_id"]) for r in runs]
    seconds = [float(r["seconds"] or 0) for r in runs]
    rows = [float(r["rows_extracted"] or 0) for r in runs]
    rate = [rw / s if s else 0.0 for rw, s in zip(rows, seconds, strict=True)]
    failed = [float(r["tables"] - r["tables_ok"]) for r in runs]
    return (
        bar_chart("Run duration", labels, seconds, "s")
        + bar_chart("Rows extracted", labels, rows, "rows")
        + bar_chart("Throughput", labels, rate, "rows/s")
        + bar_chart("Tables that failed or did not reconcile", labels, failed, "tables")
    )


def rate_line(what: str, done: int, total: int, target: float, unit: str) -> str:
    if not total:
        return f"<li>{esc(what)}: no {esc(unit)} yet.</li>"
    rate = done / total
    verdict = badge("ok") if rate >= target else badge("below target")
    return (
        f"<li>{esc(what)}: <b>{100 * rate:.2f}%</b> ({done:,} of {total:,} {esc(unit)}); target "
        f"{100 * target:g}% {verdict}</li>"
    )


def monitoring(found: dict[str, list[dict[str, Any]]]) -> str:
    """Targets, then per group the duration and throughput of its recent runs."""
    success = found["success"][0] if found["success"] else {"runs": 0, "succeeded": 0}
    quality = found["quality"][0] if found["quality"] else {"tests": 0, "passed": 0, "warned": 0}
    lines = [
        rate_line("Runs that succeeded, last 30 days", success["succeeded"], success["runs"], SUCCESS_TARGET, "runs"),
        rate_line("Data-quality tests passing, latest result each", quality["passed"], quality["tests"],
                  QUALITY_TARGET, "tests"),
    ]  # fmt: skip
    if quality["tests"]:
        lines.append(f"<li>Of the rest, {quality['warned']:,} warn (below their error thresholds).</li>")
    by_scope: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in found["metrics"]:
        by_scope[m["scope"]].append(m)
    charts = "".join(
        f"<h3>{esc(scope)}</h3>"
        + bar_chart(f"Duration, {scope}", [r["run_id"] for r in ms], [float(r["duration_s"]) for r in ms], "s")
        + bar_chart(f"Throughput, {scope}", [r["run_id"] for r in ms], [float(r["rows_per_s"]) for r in ms], "rows/s")
        for scope, ms in sorted(by_scope.items())
    )
    return f"<ul>{''.join(lines)}</ul>{charts or '<p>No run figures yet (_od_run_metrics).</p>'}"


def maintenance_rows(found: dict[str, list[dict[str, Any]]]) -> str:
    return "".join(
        f"<tr><td>{esc(m['started_at'])}</td><td>{esc(m['step'])}</td><td class=n>{esc(float(m['seconds']))}</td>"
        f"<td>{esc({k: v for k, v in m['found'].items() if k != 'seconds'})}</td></tr>"
        for m in found["maintenance"]
    )


def table_rows(table_runs: list[dict[str, Any]]) -> tuple[str, str]:
    """The per-table rows (latest run, proof, duration trend) and the list of schema changes."""
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in table_runs:
        by_table[r["table_name"]].append(r)
    rows, changes = [], []
    for table, history in sorted(by_table.items()):
        last = history[-1]
        proof = "" if last["matches"] is None else badge("match" if last["matches"] else "mismatch")
        rows.append(
            "<tr>"
            f"<td>{esc(table)}</td><td>{badge(last['status'])}</td><td>{esc(last['strategy'])}</td>"
            f"<td class=n>{esc(last['rows_extracted'])}</td><td class=n>{esc(last['rows_inserted'])}</td>"
            f"<td class=n>{esc(last['rows_updated'])}</td><td class=n>{esc(last['rows_deleted'])}</td>"
            f"<td class=n>{esc(last['source_rows'])}</td><td class=n>{esc(last['copy_rows'])}</td>"
            f"<td>{proof} {esc(last['mismatch_ranges'])}</td><td>{esc(last.get('zero_dates_nulled') or '')}</td>"
            f"<td class=n>{esc(last.get('retries'))}</td><td>{esc(last['error'])}</td>"
            f"<td class=n>{esc(last['duration_s'])}</td>"
            f"<td>{sparkline([float(h['duration_s'] or 0) for h in history])}</td></tr>"
        )
        changes += [
            f"<tr><td>{esc(h['started_at'])}</td><td>{esc(table)}</td><td>{esc(c)}</td></tr>"
            for h in history
            for c in (h.get("schema_changes") or [])
        ]
    return "".join(rows), "".join(changes)


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: 3px 6px; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.badge { padding: 1px 6px; border-radius: 8px; font-size: 12px; }
.ok { background: #d8f5d8; } .bad { background: #f8d0d0; }
figure { display: inline-block; margin: 0 2em 1em 0; } svg.chart rect { fill: #4a7fb5; }
polyline.spark { fill: none; stroke: #4a7fb5; stroke-width: 1.5; }
"""


def render(
    runs: list[dict[str, Any]],
    table_runs: list[dict[str, Any]],
    dataset: str,
    found: dict[str, list[dict[str, Any]]] | None = None,
) -> str:
    found = found or {"metrics": [], "success": [], "quality": [], "maintenance": []}
    rows, changes = table_rows(table_runs)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenDental copy: extract-load</title>
<style>{STYLE}</style></head><body>
<h1>OpenDental copy: extract-load</h1>
<p>Raw schema <code>{esc(dataset)}</code>. Generated {generated}. Counts and times only: this page holds no
patient data. Every dbt test, including those on the pipeline's proof, is in Elementary's report
(<a href="elementary_report.html">elementary_report.html</a>).</p>
<h2>Runs</h2>
{run_charts(runs) or "<p>No pipeline run yet: python pipelines/opendental.py</p>"}
<h2>Monitoring: targets and trends per group</h2>
{monitoring(found)}
<h2>Tables: latest run and proof</h2>
<table><tr><th>table</th><th>status</th><th>strategy</th><th>extracted</th><th>inserted</th><th>updated</th>
<th>deleted</th><th>source rows</th><th>copy rows</th><th>reconciliation</th><th>zero dates nulled</th>
<th>retries</th><th>error</th><th>seconds</th><th>seconds, recent runs</th></tr>
{rows}
</table>
<h2>Schema changes seen</h2>
<table><tr><th>run started</th><th>table</th><th>change</th></tr>
{changes or "<tr><td colspan=3>None in these runs.</td></tr>"}
</table>
<h2>Maintenance</h2>
<table><tr><th>started</th><th>step</th><th>seconds</th><th>found</th></tr>
{maintenance_rows(found) or f"<tr><td colspan=4>{NO_MAINTENANCE}</td></tr>"}
</table>
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="reports/quality.html", type=Path)
    p.add_argument("--runs", default=30, type=int, help="how many recent runs the charts show")
    args = p.parse_args(argv)
    os.chdir(ROOT)
    settings, dest = load_settings()
    conn = psycopg2.connect(dest.credentials)
    try:
        runs, table_runs = [], []
        if has_run_log(conn, settings.dataset):
            runs = fetch(conn, RUNS_SQL, settings.dataset, (args.runs,))
            table_runs = fetch(conn, TABLE_RUNS_SQL, settings.dataset, ([r["run_id"] for r in runs],))
        found = fetch_monitoring(conn, settings.dataset, args.runs)
    finally:
        conn.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(runs, table_runs, settings.dataset, found), encoding="utf-8")
    latest = {r["table_name"]: r for r in table_runs}
    failing = sum(r["status"] != "ok" or r["matches"] is False for r in latest.values())
    print(f"wrote {args.out}: {len(runs)} runs, {len(latest)} tables, {failing} failing in their latest run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
