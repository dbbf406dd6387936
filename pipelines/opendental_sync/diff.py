"""Comparing key snapshots of the source and the copy: what to fetch, what was deleted, and whether the
copy equals the source. Pure Arrow; no database access here.

A source snapshot has the key column(s) and, for tables with a change stamp, ``__stamp`` (epoch seconds).
A copy snapshot has the same plus ``_od_deleted``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from opendental_sync.extract import DELETED_COLUMN, STAMP
from opendental_sync.registry import TableSpec

_IDX = "__i"
_IN_COPY = "__in_copy"
_COPY_STAMP = "__copy_stamp"
_IN_OTHER = "__in_other"
NO_STAMP = -1  # stands for NULL when stamps are compared


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
    right_cols = [*key, DELETED_COLUMN] + ([STAMP] if spec.stamp else [])
    right = copy.select(right_cols).append_column(_IN_COPY, pa.array([True] * copy.num_rows, pa.bool_()))
    if spec.stamp:
        right = right.rename_columns([_COPY_STAMP if c == STAMP else c for c in right.column_names])
    joined = src.join(right, keys=key, join_type="left outer").sort_by(_IDX)

    in_copy = pc.fill_null(joined.column(_IN_COPY), False)
    live_in_copy = pc.and_(in_copy, pc.invert(pc.fill_null(joined.column(DELETED_COLUMN), False)))
    not_live = pc.invert(live_in_copy)
    if fetch_all or spec.strategy == "full":
        needed = pa.array([True] * source.num_rows, pa.bool_())
    elif spec.strategy == "append" or not spec.stamp:
        needed = not_live
    else:
        src_stamp = pc.fill_null(joined.column(STAMP), NO_STAMP)
        copy_stamp = pc.fill_null(joined.column(_COPY_STAMP), NO_STAMP)
        changed = pc.not_equal(src_stamp, copy_stamp)
        needed = pc.or_(not_live, changed)
        if unsettled_since is not None:
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

    @property
    def matches(self) -> bool:
        return self.mismatched_keys.num_rows == 0

    def mismatch_ranges(self, limit: int = 5) -> str | None:
        if self.matches:
            return None
        return describe_key_ranges(self.mismatched_keys, limit)


def checksum(snapshot: pa.Table, spec: TableSpec) -> str:
    """sha256 over the key set (and stamps), in key order; the same on both sides when they are equal."""
    key = list(spec.primary_key)
    cols = key + ([STAMP] if spec.stamp else [])
    ordered = snapshot.select(cols).sort_by([(k, "ascending") for k in key])
    digest = hashlib.sha256()
    for name in cols:
        col = ordered.column(name)
        if name == STAMP:
            col = pc.fill_null(col, NO_STAMP)
        digest.update(name.encode())
        for chunk in col.cast(pa.int64()).chunks:
            digest.update(chunk.to_numpy(zero_copy_only=False).tobytes())
    return digest.hexdigest()


def reconcile(
    source_now: pa.Table,
    source_at_start: pa.Table,
    copy: pa.Table,
    spec: TableSpec,
    run_started_epoch: int,
) -> Reconciliation:
    """Compare the copy with a fresh source snapshot.

    A difference is *in flight*, not a failure, when the source changed while this run was reading: the
    source row's stamp is at or after the run's start, the key appeared after the run's first snapshot,
    or the key was deleted after it. The next run picks those up. Anything else is a mismatch.
    """
    key = list(spec.primary_key)
    live = copy.filter(pc.invert(copy.column(DELETED_COLUMN))).drop_columns([DELETED_COLUMN])
    src_cols = key + ([STAMP] if spec.stamp else [])
    src = source_now.select(src_cols)

    only_source = _anti_join(src, live.select(key), key)
    only_copy = _anti_join(live.select(key), src.select(key), key)
    # Keys present on both sides whose stamps differ.
    if spec.stamp:
        both = src.join(
            live.rename_columns([_COPY_STAMP if c == STAMP else c for c in live.column_names]),
            keys=key,
            join_type="inner",
        )
        differ = both.filter(
            pc.not_equal(pc.fill_null(both.column(STAMP), NO_STAMP), pc.fill_null(both.column(_COPY_STAMP), NO_STAMP))
        )
        late = pc.greater_equal(pc.fill_null(differ.column(STAMP), NO_STAMP), run_started_epoch)
        stale = differ.filter(pc.invert(late)).select(key)
        in_flight = pc.sum(late).as_py() or 0
    else:
        stale = src.select(key).slice(0, 0)
        in_flight = 0

    # Missing from the copy: fine if it appeared, or was re-stamped, after the run began.
    new_since_start = _anti_join(only_source, source_at_start.select(key), key)
    missing = _anti_join(only_source, new_since_start, key)
    if spec.stamp and missing.num_rows:
        stamped = missing.join(src, keys=key, join_type="inner")
        recent = pc.greater_equal(pc.fill_null(stamped.column(STAMP), NO_STAMP), run_started_epoch)
        missing = stamped.filter(pc.invert(recent)).select(key)
    in_flight += only_source.num_rows - missing.num_rows
    # Live in the copy but gone from the source: fine if it was still there at the run's start.
    deleted_during_run = only_copy.join(source_at_start.select(key), keys=key, join_type="left semi")
    extra = _anti_join(only_copy, deleted_during_run, key)
    in_flight += deleted_during_run.num_rows

    duplicated = duplicated_keys(live, key)
    mismatched = pa.concat_tables([missing.select(key), extra.select(key), stale.select(key), duplicated.select(key)])
    return Reconciliation(
        source_rows=src.num_rows,
        copy_rows=live.num_rows,
        source_checksum=checksum(src, spec),
        copy_checksum=checksum(live, spec),
        in_flight=int(in_flight),
        mismatched_keys=mismatched.sort_by([(k, "ascending") for k in key]),
    )


def describe_key_ranges(keys: pa.Table, limit: int = 5) -> str:
    """``"AptNum 10-12, 40 (+3 more ranges)"``: runs of consecutive keys, for messages and the log."""
    names = keys.column_names
    if len(names) > 1:
        rows = keys.slice(0, limit).to_pylist()
        shown = "; ".join(", ".join(f"{k}={r[k]}" for k in names) for r in rows)
        more = keys.num_rows - len(rows)
        return shown + (f" (+{more} more keys)" if more > 0 else "")
    values = keys.column(0).to_pylist()
    runs: list[tuple[int, int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:limit])
    more = len(runs) - limit
    return f"{names[0]} {shown}" + (f" (+{more} more ranges)" if more > 0 else "")
