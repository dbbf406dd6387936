"""Comparing key snapshots of the source and the copy: what to fetch, what was deleted, and whether the
copy equals the source. Pure Arrow; no database access here.

A source snapshot has the key column(s) and, for tables with a change stamp, ``__stamp`` (epoch seconds).
A copy snapshot has the same plus ``_od_deleted``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from opendental_sync.buckets import NO_TOKEN
from opendental_sync.read import DELETED_COLUMN
from opendental_sync.registry import TableSpec
from opendental_sync.snapshots import STAMP

_IDX = "__i"
_IN_COPY = "__in_copy"
_COPY_STAMP = "__copy_stamp"
_IN_OTHER = "__in_other"


@dataclass(frozen=True)
class TableDiff:
    """What one run must do for one table."""

    needed: pa.Array  # boolean mask over the source snapshot: fetch these rows
    inserted: int  # needed rows whose key is not live in the copy
    updated: int  # needed rows whose key is live in the copy
    deleted_keys: pa.Table  # keys live in the copy and gone from the source

    @property
    def fetch_count(self) -> int:
        return self.inserted + self.updated


def compute_diff(
    source: pa.Table,
    copy: pa.Table,
    spec: TableSpec,
    *,
    unsettled_since: int | None,
    fetch_all: bool = False,
) -> TableDiff:
    """Decide which source rows to fetch and which copy rows to mark deleted.

    A row is fetched when its key is not live in the copy, or (strategy ``stamp``) its stamp differs from
    the copy's, or its stamp is at or after ``unsettled_since``: the second in which the previous run
    started reading, because an edit later in that same second keeps the same one-second stamp.
    ``fetch_all`` (strategy ``full``, a new source column, ``--full-refresh``) fetches every row.
    """
    key = list(spec.primary_key)
    copy = _without_duplicates(copy, key)
    src = source.append_column(_IDX, pa.array(range(source.num_rows), pa.int64()))
    compare = spec.has_token and STAMP in copy.column_names  # a copy without tokens yet is read whole
    right_cols = [*key, DELETED_COLUMN] + ([STAMP] if compare else [])
    right = copy.select(right_cols).append_column(_IN_COPY, pa.array([True] * copy.num_rows, pa.bool_()))
    if compare:
        right = right.rename_columns([_COPY_STAMP if c == STAMP else c for c in right.column_names])
    joined = src.join(right, keys=key, join_type="left outer").sort_by(_IDX)

    in_copy = pc.fill_null(joined.column(_IN_COPY), False)
    live_in_copy = pc.and_(in_copy, pc.invert(pc.fill_null(joined.column(DELETED_COLUMN), False)))
    not_live = pc.invert(live_in_copy)
    if fetch_all or spec.strategy == "full":
        needed = pa.array([True] * source.num_rows, pa.bool_())
    elif spec.strategy == "append" or not spec.has_token:
        needed = not_live
    else:
        src_stamp = pc.fill_null(joined.column(STAMP), NO_TOKEN)
        copy_stamp = pc.fill_null(joined.column(_COPY_STAMP), NO_TOKEN)
        changed = pc.not_equal(src_stamp, copy_stamp)
        needed = pc.or_(not_live, changed)
        if unsettled_since is not None and spec.stamp:  # a hash has no one-second blind spot
            needed = pc.or_(needed, pc.greater_equal(src_stamp, unsettled_since))
    needed = pc.fill_null(needed, True).combine_chunks() if isinstance(needed, pa.ChunkedArray) else needed
    inserted = pc.sum(pc.and_(needed, not_live)).as_py() or 0
    updated = pc.sum(pc.and_(needed, live_in_copy)).as_py() or 0

    live_copy = copy.filter(pc.invert(copy.column(DELETED_COLUMN))).select(key)
    deleted_keys = _anti_join(live_copy, source.select(key), key)
    return TableDiff(needed, int(inserted), int(updated), deleted_keys)


def duplicated_keys(table: pa.Table, key: list[str]) -> pa.Table:
    """Keys that occur more than once (the copy must never hold any)."""
    if table.num_rows < 2:
        return table.select(key).slice(0, 0)
    counts = table.select(key).group_by(key).aggregate([([], "count_all")])
    return counts.filter(pc.greater(counts.column("count_all"), 1)).select(key)


def _without_duplicates(copy: pa.Table, key: list[str]) -> pa.Table:
    """One row per key; a duplicated key counts as not live, so it is fetched again and the merge, which
    deletes every copy row of a key before inserting, leaves one."""
    dups = duplicated_keys(copy, key)
    if dups.num_rows == 0:
        return copy
    rest = copy.join(dups, keys=key, join_type="left anti")
    marked = dups.append_column(DELETED_COLUMN, pa.array([True] * dups.num_rows, pa.bool_()))
    if STAMP in copy.column_names:
        marked = marked.append_column(STAMP, pa.nulls(dups.num_rows, pa.int64()))
    return pa.concat_tables([rest.select(copy.column_names), marked.select(copy.column_names)])


def _anti_join(left: pa.Table, right: pa.Table, key: list[str]) -> pa.Table:
    marked = right.append_column(_IN_OTHER, pa.array([True] * right.num_rows, pa.bool_()))
    joined = left.join(marked, keys=key, join_type="left anti")
    return joined.select(key).sort_by([(k, "ascending") for k in key])


@dataclass(frozen=True)
class Reconciliation:
    """The proof a run leaves for one table."""

    source_rows: int
    copy_rows: int
    source_checksum: str
    copy_checksum: str
    in_flight: int  # differences explained by source changes made while this run was reading
    mismatched_keys: pa.Table
    # Key ranges (inclusive) whose bucket fingerprints differ, when the rows were compared by bucket.
    mismatched_buckets: tuple[tuple[int, int], ...] = ()

    @property
    def matches(self) -> bool:
        return self.mismatched_keys.num_rows == 0 and not self.mismatched_buckets

    def mismatch_ranges(self, limit: int = 5) -> str | None:
        if self.matches:
            return None
        parts = []
        if self.mismatched_keys.num_rows:
            parts.append(describe_key_ranges(self.mismatched_keys, limit))
        if self.mismatched_buckets:
            parts.append(describe_runs(self.mismatched_keys.column_names[0], self.mismatched_buckets, limit))
        return "; ".join(parts)


def checksum(snapshot: pa.Table, spec: TableSpec) -> str:
    """sha256 over the key set (and stamps), in key order; the same on both sides when they are equal."""
    key = list(spec.primary_key)
    cols = key + ([STAMP] if spec.has_token else [])
    ordered = snapshot.select(cols).sort_by([(k, "ascending") for k in key])
    digest = hashlib.sha256()
    for name in cols:
        col = ordered.column(name)
        if name == STAMP:
            col = pc.fill_null(col, NO_TOKEN)
        digest.update(name.encode())
        for chunk in col.cast(pa.int64()).chunks:
            digest.update(chunk.to_numpy(zero_copy_only=False).tobytes())
    return digest.hexdigest()


def expected_after_load(
    snapshot: pa.Table, needed: pa.Array, read: pa.Table, spec: TableSpec
) -> tuple[pa.Table, pa.Table]:
    """What the copy must hold after this run, and the keys it cannot judge.

    ``snapshot`` is the source as the run's first read saw it, ``needed`` the rows the run fetched again,
    ``read`` the key and stamp of every row the fetch returned. Rows not fetched must be as in the
    snapshot; fetched rows as read. A needed key the fetch did not return was deleted (or re-keyed) in
    the source meanwhile: it is *in flight*, left to the next run, and not judged now.
    """
    key = list(spec.primary_key)
    cols = key + ([STAMP] if spec.has_token else [])
    kept = snapshot.filter(pc.invert(needed)).select(cols)
    fetched = read.select(cols)
    wanted = snapshot.filter(needed).select(key)
    in_flight = _anti_join(wanted, fetched.select(key), key)
    return pa.concat_tables([kept, fetched.cast(kept.schema)]), in_flight


def reconcile(expected: pa.Table, copy: pa.Table, spec: TableSpec, in_flight: pa.Table | None = None) -> Reconciliation:
    """Compare the copy with what it must hold: every expected key live once, with the expected stamp,
    and no other live key. Keys ``in_flight`` (changed in the source while the run read it) are left out."""
    exp, live = judged(expected, copy, spec, in_flight)
    return reconcile_judged(exp, live, spec, in_flight.num_rows if in_flight is not None else 0)


def reconcile_judged(exp: pa.Table, live: pa.Table, spec: TableSpec, in_flight: int) -> Reconciliation:
    """``reconcile`` of rows already ``judged`` (``in_flight``: how many keys were left out)."""
    key = list(spec.primary_key)
    missing = _anti_join(exp.select(key), live.select(key), key)
    extra = _anti_join(live.select(key), exp.select(key), key)
    if spec.has_token:
        right = live.rename_columns([_COPY_STAMP if c == STAMP else c for c in live.column_names])
        both = exp.join(right, keys=key, join_type="inner")
        stale = both.filter(
            pc.not_equal(pc.fill_null(both.column(STAMP), NO_TOKEN), pc.fill_null(both.column(_COPY_STAMP), NO_TOKEN))
        ).select(key)
    else:
        stale = exp.select(key).slice(0, 0)
    duplicated = duplicated_keys(live, key)
    mismatched = pa.concat_tables(
        [t.select(key).cast(exp.select(key).schema) for t in (missing, extra, stale, duplicated)]
    )
    return Reconciliation(
        source_rows=exp.num_rows,
        copy_rows=live.num_rows,
        source_checksum=checksum(exp, spec),
        copy_checksum=checksum(live, spec),
        in_flight=in_flight,
        mismatched_keys=mismatched.sort_by([(k, "ascending") for k in key]),
    )


def judged(
    expected: pa.Table, copy: pa.Table, spec: TableSpec, in_flight: pa.Table | None = None
) -> tuple[pa.Table, pa.Table]:
    """The expected rows and the live copy rows a reconciliation compares: keys in flight left out."""
    key = list(spec.primary_key)
    live = copy.filter(pc.invert(copy.column(DELETED_COLUMN))).drop_columns([DELETED_COLUMN])
    cols = key + ([STAMP] if spec.has_token else [])
    exp = expected.select(cols)
    if in_flight is not None and in_flight.num_rows:
        exp = exp.join(in_flight.select(key), keys=key, join_type="left anti").select(cols)
        live = live.join(in_flight.select(key), keys=key, join_type="left anti").select(live.column_names)
    return exp, live


def describe_key_ranges(keys: pa.Table, limit: int = 5) -> str:
    """``"AptNum 10-12, 40 (+3 more ranges)"``: runs of consecutive keys, for messages and the log."""
    names = keys.column_names
    if len(names) > 1:
        rows = keys.slice(0, limit).to_pylist()
        shown = "; ".join(", ".join(f"{k}={r[k]}" for k in names) for r in rows)
        more = keys.num_rows - len(rows)
        return shown + (f" (+{more} more keys)" if more > 0 else "")
    runs: list[tuple[int, int]] = []
    for v in keys.column(0).to_pylist():
        if runs and v == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    return describe_runs(names[0], runs, limit)


def describe_runs(name: str, runs: Sequence[tuple[int, int]], limit: int = 5) -> str:
    """``"AptNum 10-12, 40 (+3 more ranges)"`` for inclusive key ranges."""
    shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:limit])
    more = len(runs) - limit
    return f"{name} {shown}" + (f" (+{more} more ranges)" if more > 0 else "")


def live_count(copy_snapshot: pa.Table) -> int:
    """Rows of a copy snapshot not marked deleted."""
    return copy_snapshot.num_rows - int(pc.sum(copy_snapshot.column(DELETED_COLUMN).cast(pa.int64())).as_py() or 0)
