"""Write the data-quality report: one self-contained HTML page a person opens in a browser.

It shows, from what the last runs stored (never row values):
- the latest pipeline run per table: status, rows extracted / inserted / updated / deleted, zero dates
  nulled, schema changes, retries, errors;
- the reconciliation proof per table: source rows vs copy rows, checksums, mismatched key ranges;
- the dbt tests of the last `dbt build`, grouped by the six data-quality rules.

    python scripts/quality_report.py --out reports/quality.html
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "pipelines"))

from opendental_sync.config import load_settings  # noqa: E402

RULES = {
    "row_counts": "1. Row counts (source vs copy, staging vs raw)",
    "primary_keys": "2. Primary keys",
    "foreign_keys": "3. Foreign keys",
    "data_types": "4. Data types",
    "business_rules": "5. Business rules",
    "history": "6. Historical data preservation",
    "other": "Other checks",
}


def rule_of(node: dict[str, Any]) -> str:
    """Which of the six rules a dbt test belongs to: its ``rule_*`` tag, else what kind of test it is."""
    for tag in node.get("tags", []):
        if tag.startswith("rule_") and tag[5:] in RULES:
            return str(tag[5:])
    name = (node.get("test_metadata") or {}).get("name", "")
    path = node.get("original_file_path", "")
    if name in ("unique", "not_null", "unique_combination_of_columns"):
        return "primary_keys"
    if name == "relationships":
        return "foreign_keys"
    if "row_count" in name or "reconcil" in node.get("name", ""):
        return "row_counts"
    if "type" in name:
        return "data_types"
    if "history" in path or "deleted" in node.get("name", ""):
        return "history"
    if "business" in path or name == "accepted_values":
        return "business_rules"
    return "other"


def fetch(conn: Any, query: sql.Composable) -> list[dict[str, Any]]:
    with conn.cursor() as cur:
        cur.execute(query)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def latest_runs(conn: Any, dataset: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    schema = sql.Identifier(dataset)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (f"{dataset}._od_run_log",))
        if cur.fetchone()[0] is None:
            return [], []
    runs = fetch(
        conn,
        sql.SQL(
            "SELECT DISTINCT ON (table_name) * FROM {}._od_run_log ORDER BY table_name, started_at DESC, run_id DESC"
        ).format(schema),
    )
    recs = fetch(
        conn,
        sql.SQL(
            "SELECT DISTINCT ON (table_name) * FROM {}._od_reconciliation ORDER BY table_name, checked_at DESC"
        ).format(schema),
    )
    return runs, recs


def dbt_results(target: Path) -> list[dict[str, Any]]:
    results_path, manifest_path = target / "run_results.json", target / "manifest.json"
    if not results_path.exists() or not manifest_path.exists():
        return []
    results = json.loads(results_path.read_text())
    nodes = json.loads(manifest_path.read_text()).get("nodes", {})
    out = []
    for r in results.get("results", []):
        node = nodes.get(r["unique_id"], {})
        if node.get("resource_type") not in ("test", "unit_test") and not r["unique_id"].startswith("unit_test."):
            continue
        out.append(
            {
                "name": node.get("name", r["unique_id"].split(".")[-1]),
                "status": r["status"],
                "failures": r.get("failures"),
                "rule": rule_of(node) if node else "other",
                "model": ", ".join(n.split(".")[-1] for n in node.get("depends_on", {}).get("nodes", [])),
                "kind": "unit test" if r["unique_id"].startswith("unit_test.") else "test",
            }
        )
    return out


def esc(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dict | list):
        return html.escape(
            ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else "; ".join(map(str, value))
        )
    return html.escape(str(value))


def badge(status: str) -> str:
    cls = {"ok": "ok", "pass": "ok", "success": "ok", "warn": "warn"}.get(status, "bad")
    return f'<span class="badge {cls}">{esc(status)}</span>'


def render(runs: list[dict[str, Any]], recs: list[dict[str, Any]], tests: list[dict[str, Any]], dataset: str) -> str:
    rec_by_table = {r["table_name"]: r for r in recs}
    ok_tables = sum(r["status"] == "ok" for r in runs)
    test_counts = Counter(t["status"] for t in tests)
    passed = test_counts.get("pass", 0) + test_counts.get("success", 0)
    failed = test_counts.get("fail", 0) + test_counts.get("error", 0)
    rows = []
    for r in runs:
        rec = rec_by_table.get(r["table_name"], {})
        proof = badge("ok" if rec.get("matches") else "mismatch") if rec else ""
        rows.append(
            "<tr>"
            f"<td>{esc(r['table_name'])}</td><td>{badge(r['status'])}</td><td>{esc(r['strategy'])}</td>"
            f"<td class=n>{esc(r['rows_extracted'])}</td><td class=n>{esc(r['rows_inserted'])}</td>"
            f"<td class=n>{esc(r['rows_updated'])}</td><td class=n>{esc(r['rows_deleted'])}</td>"
            f"<td class=n>{esc(rec.get('source_rows'))}</td><td class=n>{esc(rec.get('copy_rows'))}</td>"
            f"<td>{proof} {esc(rec.get('mismatch_ranges'))}</td>"
            f"<td>{esc(r.get('zero_dates_nulled') or '')}</td><td>{esc(r.get('schema_changes') or '')}</td>"
            f"<td class=n>{esc(r.get('retries'))}</td><td>{esc(r['error'])}</td>"
            f"<td>{esc(r['started_at'])}</td><td class=n>{esc(r['duration_s'])}</td>"
            "</tr>"
        )
    by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for t in tests:
        by_rule[t["rule"]].append(t)
    rule_sections = []
    for rule, title in RULES.items():
        items = by_rule.get(rule, [])
        if not items:
            continue
        counts = Counter(t["status"] for t in items)
        lines = "".join(
            f"<tr><td>{badge(t['status'])}</td><td>{esc(t['name'])}</td><td>{esc(t['kind'])}</td>"
            f"<td>{esc(t['model'])}</td><td class=n>{esc(t['failures'])}</td></tr>"
            for t in sorted(items, key=lambda t: (t["status"] in ("pass", "success"), t["name"]))
        )
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        rule_sections.append(
            f"<details {'open' if any(t['status'] not in ('pass', 'success') for t in items) else ''}>"
            f"<summary><b>{esc(title)}</b>: {len(items)} tests ({esc(summary)})</summary>"
            "<table><tr><th>status</th><th>test</th><th>kind</th><th>on</th><th>failing rows</th></tr>"
            f"{lines}</table></details>"
        )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenDental copy: data quality</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: .5em 0 1.5em; }}
th, td {{ border: 1px solid #ddd; padding: 3px 6px; vertical-align: top; }}
th {{ background: #f4f4f4; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.badge {{ padding: 1px 6px; border-radius: 8px; font-size: 12px; }}
.ok {{ background: #d8f5d8; }} .warn {{ background: #fff1c2; }} .bad {{ background: #f8d0d0; }}
.cards div {{ display: inline-block; border: 1px solid #ddd; padding: .6em 1em; margin-right: 1em;
  border-radius: 6px; }}
</style></head><body>
<h1>OpenDental copy: data quality</h1>
<p>Raw schema <code>{esc(dataset)}</code>. Generated {generated}. Counts only: this page holds no patient data.</p>
<div class="cards">
<div><b>{ok_tables}/{len(runs)}</b> tables loaded and reconciled</div>
<div><b>{passed}</b> dbt tests passed, <b>{test_counts.get("warn", 0)}</b> warned, <b>{failed}</b> failed</div>
</div>
<h2>Pipeline: latest run per table</h2>
<table><tr><th>table</th><th>status</th><th>strategy</th><th>extracted</th><th>inserted</th><th>updated</th>
<th>deleted</th><th>source rows</th><th>copy rows</th><th>reconciliation</th><th>zero dates nulled</th>
<th>schema changes</th><th>retries</th><th>error</th><th>run started</th><th>seconds</th></tr>
{"".join(rows) or "<tr><td colspan=16>No pipeline run yet: python pipelines/opendental.py</td></tr>"}
</table>
<h2>dbt tests by data-quality rule</h2>
{"".join(rule_sections) or "<p>No dbt results yet: cd dbt_project && dbt build --profiles-dir .</p>"}
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="reports/quality.html", type=Path)
    p.add_argument("--dbt-target", default=ROOT / "dbt_project" / "target", type=Path)
    args = p.parse_args(argv)
    os.chdir(ROOT)
    settings, dest = load_settings()
    conn = psycopg2.connect(dest.credentials)
    try:
        runs, recs = latest_runs(conn, settings.dataset)
    finally:
        conn.close()
    tests = dbt_results(args.dbt_target)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(runs, recs, tests, settings.dataset), encoding="utf-8")
    failed = sum(r["status"] != "ok" for r in runs) + sum(t["status"] in ("fail", "error") for t in tests)
    print(f"wrote {args.out}: {len(runs)} tables, {len(tests)} dbt tests, {failed} failing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
