"""The kinds of plan a table can get this run (plan.py decides which), one explicit dataclass per case.

- ``Unchanged``: both sides were compared and agree; the comparison is the proof, nothing is read or written.
- ``FirstLoad``: a single-key table with no live rows in the copy; every row is read once by key range and
  fingerprinted as it is read, and the copy's fingerprints after the load must equal that.
- ``WholeRead``: every row read in key order (a full refresh, a new source column, a table reloaded whole by
  strategy, or a table without a single integer key whose copy is empty); compared with the copy's keys after.
- ``KeyDiff``: a table without buckets: all keys of both sides diffed, the differing rows fetched.
- ``BucketDiff``: a single-key table: only the buckets whose fingerprints differ are diffed key by key.
- ``NamedKeys``: a single-key table whose changed keys are known (from the binlog, binlog_plan.py; or, between
  full comparisons, from the stamp and the keys above the copy's highest, when its row count shows no delete):
  only those keys are diffed, and the rest of the table is checked by its row count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

import pyarrow as pa

from opendental_sync.binlog import Position
from opendental_sync.buckets import Fingerprint
from opendental_sync.diff import Reconciliation, TableDiff
from opendental_sync.read import ExtractStats, KeyRanges, RowSelection, SelectedRows, WholeTable
from opendental_sync.registry import TableSpec
from opendental_sync.shortcuts import BINLOG_KEYS, KEYS_AND_TOKENS
from opendental_sync.source_schema import SourceTable


@dataclass
class PlanBase:
    """What every plan knows: the table, its source schema, and when this run's read of it began."""

    spec: TableSpec
    source: SourceTable
    snapshot_started: int  # the source server's clock when planning began (epoch seconds)
    schema_changes: list[str]
    exists_in_copy: bool
    stats: ExtractStats = field(default_factory=ExtractStats)
    # The binlog position taken before this plan's reads: saved with the table's state once the copy is proven,
    # so that the next run reads the binlog from there (None: the binlog is not in use this run).
    binlog_from: Position | None = field(default=None, kw_only=True)

    def rows(self) -> RowSelection | None:
        """The rows this plan reads from the source, or None when it reads none."""
        return None


@dataclass
class Unchanged(PlanBase):
    """Both sides agree; ``reconciliation`` is the comparison that found so."""

    reconciliation: Reconciliation = field(kw_only=True)
    compared: str = field(kw_only=True, default=KEYS_AND_TOKENS)


@dataclass
class FirstLoad(PlanBase):
    """Every row of a single-key table, read by key range into an empty copy, fingerprinted as read."""

    ranges: list[tuple[int, int]] = field(kw_only=True)
    # The copy's fingerprints, taken by the loader right after the load (while later tables are read).
    loaded_copy: Fingerprint | None = field(kw_only=True, default=None)
    compared: str = field(kw_only=True, default=KEYS_AND_TOKENS)

    def rows(self) -> RowSelection:
        return KeyRanges(self.ranges)


@dataclass
class WholeRead(PlanBase):
    """Every row in key order; what was read is the source, compared with the copy's keys (read before)."""

    copy_snapshot: pa.Table = field(kw_only=True)
    compared: str = field(kw_only=True, default=KEYS_AND_TOKENS)

    def rows(self) -> RowSelection:
        return WholeTable()


@dataclass
class KeyDiff(PlanBase):
    """All keys of both sides diffed; ``where`` selects the rows to fetch."""

    source_snapshot: pa.Table = field(kw_only=True)
    diff: TableDiff = field(kw_only=True)
    where: list[str] = field(kw_only=True)
    compared: str = field(kw_only=True, default=KEYS_AND_TOKENS)

    def rows(self) -> RowSelection | None:
        return SelectedRows(self.where) if self.where else None


@dataclass
class BucketDiff(KeyDiff):
    """The differing buckets diffed key by key; the others were proven equal by their fingerprints."""

    clean_source: Fingerprint = field(kw_only=True)
    clean_copy: Fingerprint = field(kw_only=True)
    dirty_ranges: list[tuple[int, int]] = field(kw_only=True)


@dataclass
class NamedKeys(KeyDiff):
    """The keys named as changed since the table's last proof (by the binlog, or by the stamp and the keys above
    the copy's highest), diffed with the copy's rows for them; the rest of the table, which nothing wrote, is
    checked by its row count."""

    key_ranges: list[tuple[int, int]] = field(kw_only=True)  # the changed keys, as inclusive runs
    copy_outside: int = field(kw_only=True)  # live copy rows outside those keys (the last proven count less them)
    source_outside: int | None = field(kw_only=True)  # source rows outside them; None: written while counted
    key_span: tuple[int, int] = field(kw_only=True)  # the source's lowest and highest key (names a count mismatch)
    live_rows: int | None = field(kw_only=True, default=None)  # the copy's live rows after the load (the proof)
    compared: str = field(kw_only=True, default=BINLOG_KEYS)


TablePlan = Unchanged | FirstLoad | WholeRead | KeyDiff | BucketDiff | NamedKeys


class Common(TypedDict):
    spec: TableSpec
    source: SourceTable
    snapshot_started: int
    schema_changes: list[str]
    exists_in_copy: bool


def common_fields(base: PlanBase) -> Common:
    """The fields every plan shares, to build another kind of plan for the same table."""
    return {
        "spec": base.spec,
        "source": base.source,
        "snapshot_started": base.snapshot_started,
        "schema_changes": base.schema_changes,
        "exists_in_copy": base.exists_in_copy,
    }


def writes_copy(plan: TablePlan) -> bool:
    """Whether a plan writes the copy (loads rows, or marks keys deleted)."""
    return plan.rows() is not None or (isinstance(plan, KeyDiff) and plan.diff.deleted_keys.num_rows > 0)
