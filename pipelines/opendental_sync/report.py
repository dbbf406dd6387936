"""Plain-text plan and summary for the command line (counts only, never row values)."""

from __future__ import annotations

from typing import Any

from opendental_sync.results import RunSummary


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def format_plan(rows: list[dict[str, Any]]) -> str:
    headers = ["table", "group", "strategy", "in copy", "last snapshot"]
    body = [[r["table"], r["group"], r["strategy"], "yes" if r["in_copy"] else "no", r["last_snapshot"]] for r in rows]
    return _table(headers, body) + f"\n{len(rows)} table(s) planned; nothing was loaded (--dry-run)."


def format_summary(summary: RunSummary) -> str:
    headers = [
        "table",
        "status",
        "extracted",
        "inserted",
        "updated",
        "deleted",
        "zero dates",
        "source",
        "copy",
        "s",
    ]
    body = []
    notes = []
    for r in summary.results:
        rec = r.reconciliation
        body.append(
            [
                r.table,
                r.status,
                str(r.rows_extracted),
                str(r.rows_inserted),
                str(r.rows_updated),
                str(r.rows_deleted),
                str(sum(r.zero_dates.values())),
                str(rec.source_rows) if rec else "-",
                str(rec.copy_rows) if rec else "-",
                f"{r.seconds:.1f}",
            ]
        )
        for change in r.schema_changes:
            notes.append(f"schema: {r.table}: {change}")
        for column, rows in r.nul_rows.items():
            notes.append(f"NUL bytes removed: {r.table}.{column}: {rows} row(s) (PostgreSQL text cannot hold them)")
        if rec and rec.in_flight:
            notes.append(f"in flight: {r.table}: {rec.in_flight} row(s) changed while reading; next run takes them")
        if r.error:
            notes.append(f"{r.status}: {r.table}: {r.error}")
    ok = sum(r.status == "ok" for r in summary.results)
    total_rows = sum(r.rows_extracted for r in summary.results)
    tail = (
        f"run {summary.run_id}: {ok}/{len(summary.results)} table(s) loaded and reconciled, "
        f"{total_rows} rows extracted in {summary.seconds:.1f}s"
    )
    return "\n".join([_table(headers, body), *notes, tail])
