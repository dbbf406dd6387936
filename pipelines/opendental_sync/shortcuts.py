"""Shortcuts that make a run cost what changed. Each is backed by the full comparison it replaces, which runs
at least once every ``stamp_check_interval_s`` (a day) and after any mismatch.

- Not written since the last proven run: a MyISAM table's data file keeps its last write time
  (``information_schema.TABLES.UPDATE_TIME`` is that file's modification time, moved by every INSERT, UPDATE,
  DELETE, REPLACE, LOAD DATA and TRUNCATE, also under LOCK TABLES). A table proven equal at the previous run and
  not written since is not read at all. Not taken for other engines (InnoDB forgets the time on restart), when
  MyISAM memory-maps its files (``myisam_use_mmap``: a write to an already dirty page does not move the time),
  for a write in the second the previous run began or the one before (file times are coarse), after a schema
  change, when the row count moved, or when the last full comparison is older than the interval.
- Changed keys found without reading every row: through an index on the change stamp (rows stamped since the
  last run), and for a column OpenDental only zeroes when the object it points at is deleted
  (``zeroed_on_delete``: securitylog.FKey), the copy rows that point at a key this run found deleted.
- The rest of the table checked by its row count: when a MyISAM table's exact row count, less the keys above
  the copy's highest (OpenDental's keys grow), equals the copy's rows at its last proof, no row was deleted.
  Then only the changed keys and the new ones are compared and read (stamps without an index are read, not
  fingerprinted), and the rest of the table is proven by the count, on both sides. A table whose count says
  rows were deleted is compared on all its keys, as before. What the count cannot see (a delete and an
  insert below the highest key without a stamp, in one run) waits for the daily full comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from opendental_sync.bookkeeping import TableState
from opendental_sync.diff import Reconciliation
from opendental_sync.registry import TableSpec
from opendental_sync.snapshots import empty_snapshot
from opendental_sync.source import WriteTimes

# What a proof compared, as _od_reconciliation.compared records it.
KEYS_AND_TOKENS = "keys and tokens"
KEYS_AND_STAMP_INDEX = "keys; tokens of the rows stamped since the last run (stamp index)"
KEYS_AND_DELETED_POINTERS = "keys; tokens of the rows pointing at keys deleted in this run"
# Where a stamp leads no index, the stamps are read (not fingerprinted) only for a table the count check may prove.
STAMPS_READ = "stamps read; tokens of the rows stamped since the last run"
# What the above become when the rest of the table was checked by its row count instead of its keys.
COUNTED = {
    KEYS_AND_STAMP_INDEX: "tokens of the rows stamped since the last run (stamp index) and of new keys; "
    "the rest by row count",
    STAMPS_READ: "tokens of the rows stamped since the last run (stamps read) and of new keys; the rest by row count",
    KEYS_AND_DELETED_POINTERS: "tokens of the rows pointing at keys deleted in this run and of new keys; "
    "the rest by row count",
}
NOT_WRITTEN = "not written since the last proven run (MyISAM UPDATE_TIME)"
BINLOG_KEYS = "binlog: keys changed since the last position"
# A write this many seconds before the previous run began may still carry a file time of that second.
WRITE_MARGIN_S = 2


@dataclass
class RunFacts:
    """What planning knows of the whole run: every table's last write, the latest proofs, the keys deleted so far."""

    writes: WriteTimes
    deleted: list[pa.Array] = field(default_factory=list)
    # Tables of this run whose deletions planning cannot list (read whole, or planning failed): while there are
    # any, a zeroed_on_delete column is compared on every row.
    unlisted: list[str] = field(default_factory=list)

    def remember_deleted(self, keys: pa.Table) -> None:
        """Keys this run found deleted (single integer keys: what a ``zeroed_on_delete`` column points at)."""
        if keys.num_columns == 1 and keys.num_rows and pa.types.is_integer(keys.column(0).type):
            self.deleted.append(keys.column(0).combine_chunks().cast(pa.int64()))

    def deleted_keys(self) -> pa.Array | None:
        """Every key this run found deleted, or None when some table's deletions are not known at planning."""
        if self.unlisted:
            return None
        return pa.concat_arrays(self.deleted) if self.deleted else pa.array([], pa.int64())


def recently_checked(state: TableState | None, now: int, interval_s: int) -> bool:
    """Whether every row's token was compared, and matched, less than ``interval_s`` ago."""
    checked = state.stamps_checked_epoch if state else None
    return checked is not None and now - checked < interval_s


def not_written_proof(
    spec: TableSpec, state: TableState | None, schema_changed: bool, facts: RunFacts, interval_s: int
) -> Reconciliation | None:
    """The proof of a table nobody wrote since the last proven run (the previous proof, its row count checked
    against the server's), or None when the shortcut is not safe for it."""
    writes = facts.writes.tables.get(spec.name)
    if state is None or schema_changed or writes is None or facts.writes.mmap:
        return None
    last, copy_rows = state.proof, state.live_rows
    if writes.engine.lower() != "myisam" or writes.last_write is None or last is None or copy_rows is None:
        return None
    if not recently_checked(state, facts.writes.taken_at, interval_s):
        return None
    if writes.last_write >= state.snapshot_started_epoch - WRITE_MARGIN_S or writes.rows != last.source_rows:
        return None
    return Reconciliation(
        last.source_rows, copy_rows, last.source_checksum, last.copy_checksum, 0, empty_snapshot(spec)
    )


def counts_exactly(spec: TableSpec, facts: RunFacts) -> bool:
    """Whether the source answers the table's row count exactly and at once (MyISAM keeps it)."""
    writes = facts.writes.tables.get(spec.name)
    return writes is not None and writes.engine.lower() == "myisam"
