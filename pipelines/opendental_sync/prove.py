"""After the load: mark deletes, then prove the copy holds exactly what this run read from the source, and
remember where the read began so that the next run starts from there."""

from __future__ import annotations

import logging
from dataclasses import replace

import pyarrow as pa

from opendental_sync.bookkeeping import LastProof, TableState
from opendental_sync.buckets import Fingerprint, key_ranges
from opendental_sync.destination import CopyDatabase
from opendental_sync.diff import (
    Reconciliation,
    compute_diff,
    expected_after_load,
    judged,
    live_count,
    reconcile,
    reconcile_judged,
)
from opendental_sync.plan_kinds import BucketDiff, FirstLoad, KeyDiff, NamedKeys, TablePlan, Unchanged, WholeRead
from opendental_sync.results import TableResult
from opendental_sync.shortcuts import KEYS_AND_TOKENS, NOT_WRITTEN
from opendental_sync.snapshots import STAMP, empty_snapshot

log = logging.getLogger(__name__)


def prove(plan: TablePlan, result: TableResult, copy: CopyDatabase) -> Reconciliation:
    """Finish ``plan``'s table (counts into ``result``, deletes marked) and compare the copy with the source."""
    if not isinstance(plan, Unchanged):
        result.rows_extracted = plan.stats.rows
        result.zero_dates = dict(plan.stats.zero_dates)
        result.nul_rows = dict(plan.stats.nul_rows)
    match plan:
        case Unchanged():
            return plan.reconciliation
        case FirstLoad():
            return _prove_first_load(plan, result, copy)
        case WholeRead():
            read = plan.stats.read_snapshot(plan.spec)
            diff = compute_diff(read, plan.copy_snapshot, plan.spec, unsettled_since=None, fetch_all=True)
            _count_changes(result, diff.inserted, diff.updated, copy.mark_deleted(plan.spec, diff.deleted_keys))
            return reconcile(read, copy.snapshot(plan.spec, True), plan.spec)
        case NamedKeys():
            return _prove_named(plan, result, copy)
        case BucketDiff():
            return _prove_buckets(plan, result, copy)
        case KeyDiff():
            expected, in_flight = _expected(plan, result, copy)
            return reconcile(expected, copy.snapshot(plan.spec, True), plan.spec, in_flight)


def loaded_fingerprint(plan: FirstLoad, copy: CopyDatabase) -> Fingerprint:
    """After a first load: the indexes the next runs need (the key's, and a ``zeroed_on_delete`` column's), the
    planner's statistics, and the copy's fingerprints."""
    assert plan.stats.fingerprint is not None
    copy.tables.ensure_key_index(plan.spec)
    if plan.spec.zeroed_on_delete:
        copy.tables.ensure_key_index(plan.spec, (plan.spec.zeroed_on_delete,))
    copy.tables.analyze(plan.spec)
    return copy.fingerprint(plan.spec, plan.stats.fingerprint.width, None)


def _prove_first_load(plan: FirstLoad, result: TableResult, copy: CopyDatabase) -> Reconciliation:
    """A full read into a copy with no live rows: the copy's fingerprints must equal the read's."""
    read = plan.stats.fingerprint
    assert read is not None
    result.rows_inserted = plan.stats.rows
    copy_fp = plan.loaded_copy if plan.loaded_copy is not None else loaded_fingerprint(plan, copy)
    differ = read.differing(copy_fp)
    return Reconciliation(
        read.rows,
        copy_fp.rows,
        read.checksum(),
        copy_fp.checksum(),
        0,
        empty_snapshot(plan.spec),
        tuple(key_ranges(differ, read.width)),
    )


def _expected(plan: KeyDiff, result: TableResult, copy: CopyDatabase) -> tuple[pa.Table, pa.Table]:
    """Counts and delete marks of a diff, and what the copy must hold now (with the keys in flight)."""
    read = plan.stats.read_snapshot(plan.spec)
    _count_changes(result, plan.diff.inserted, plan.diff.updated, copy.mark_deleted(plan.spec, plan.diff.deleted_keys))
    return expected_after_load(plan.source_snapshot, plan.diff.needed, read, plan.spec)


def _prove_buckets(plan: BucketDiff, result: TableResult, copy: CopyDatabase) -> Reconciliation:
    """The clean buckets were proven equal at planning and this run wrote nothing there; the differing ones
    are proven key by key now, and the whole table's figures combine both."""
    spec = plan.spec
    expected, in_flight = _expected(plan, result, copy)
    after = copy.snapshot(spec, True, plan.dirty_ranges)
    exp, live = judged(expected, after, spec, in_flight)
    rec = reconcile_judged(exp, live, spec, in_flight.num_rows)
    token = STAMP if spec.has_token and plan.compared == KEYS_AND_TOKENS else None
    source_fp, copy_fp = Fingerprint(plan.clean_source.width), Fingerprint(plan.clean_copy.width)
    source_fp.add_table(exp, spec, token)
    copy_fp.add_table(live, spec, token)
    source_fp, copy_fp = plan.clean_source.merged(source_fp), plan.clean_copy.merged(copy_fp)
    return replace(
        rec,
        source_rows=source_fp.rows,
        copy_rows=copy_fp.rows,
        source_checksum=source_fp.checksum(),
        copy_checksum=copy_fp.checksum(),
    )


def _prove_named(plan: NamedKeys, result: TableResult, copy: CopyDatabase) -> Reconciliation:
    """The named keys are proven key by key; the rest of the table, which nothing wrote since the last proof, by
    its row count on both sides: the source's counted at planning, the copy's as PostgreSQL counted its writes
    (row_counter.py)."""
    spec = plan.spec
    expected, in_flight = _expected(plan, result, copy)
    after = copy.snapshot(spec, True, plan.key_ranges)
    rec = reconcile(expected, after, spec, in_flight)
    plan.live_rows = copy.counter.live_rows(spec)
    copy_outside = plan.live_rows - live_count(after)
    if plan.source_outside is None:
        log.info("%s: written while it was counted; its source rows are counted by the next run", spec.name)
    # Written while counted: the source's rows outside the keys are those the copy held there at the last proof.
    outside = plan.copy_outside if plan.source_outside is None else plan.source_outside
    if outside != copy_outside:
        log.error(
            "%s: outside the %d key runs named as changed, the source has %d rows and the copy %d",
            spec.name,
            len(plan.key_ranges),
            outside,
            copy_outside,
        )
    return replace(
        rec,
        source_rows=rec.source_rows + outside,
        copy_rows=rec.copy_rows + copy_outside,
        mismatched_buckets=() if outside == copy_outside else (plan.key_span,),
    )


def _count_changes(result: TableResult, inserted: int, updated: int, deleted: int) -> None:
    result.rows_inserted, result.rows_updated, result.rows_deleted = inserted, updated, deleted


def remember(
    plan: TablePlan,
    result: TableResult,
    rec: Reconciliation,
    previous: TableState | None,
    copy: CopyDatabase,
    on_mismatch: str,
) -> None:
    """Record the proof in ``result`` and save where this read began (the next run re-reads rows stamped in
    that second); after a mismatch, leave the next run the means to heal it."""
    result.reconciliation = rec
    result.compared = plan.compared
    spec = plan.spec
    if not rec.matches:
        result.status = "mismatch" if on_mismatch == "fail" else "ok"
        result.error = f"copy differs from source at {rec.mismatch_ranges()}"
        log.error("%s: reconciliation mismatch at %s", spec.name, rec.mismatch_ranges())
        # The next run heals what differs. For that it must still re-read the second this run read in
        # (a first run has no earlier state to fall back on) and compare every row's stamp.
        if previous is None:
            copy.bookkeeping.save_state(spec.name, TableState(plan.snapshot_started, plan.source.column_types, None))
        elif previous.stamps_checked_epoch is not None:
            copy.bookkeeping.save_state(spec.name, replace(previous, stamps_checked_epoch=None, live_rows=None))
        return
    checked = (
        plan.snapshot_started
        if plan.compared == KEYS_AND_TOKENS
        else previous.stamps_checked_epoch
        if previous
        else None
    )
    if _counted_whole_copy(plan) and rec.in_flight == 0:
        copy.counter.proven(spec, rec.copy_rows)
    binlog = plan.binlog_from
    state = TableState(
        plan.snapshot_started,
        plan.source.column_types,
        checked,
        binlog.file if binlog else None,
        binlog.pos if binlog else None,
        _live_rows(plan, rec),
        LastProof(rec.source_rows, rec.source_checksum, rec.copy_checksum),
    )
    copy.bookkeeping.save_state(spec.name, state)


def _counted_whole_copy(plan: TablePlan) -> bool:
    """Whether the proof counted every live row of the copy: not when it took the rest of the table by its row count
    (NamedKeys), nor when the table was not read at all (its proof is the previous one)."""
    if isinstance(plan, Unchanged):
        return plan.compared != NOT_WRITTEN
    return not isinstance(plan, NamedKeys)


def _live_rows(plan: TablePlan, rec: Reconciliation) -> int | None:
    """The copy's live rows the proof found (the next run's count check starts from them); None when keys were
    in flight."""
    if isinstance(plan, NamedKeys):
        return plan.live_rows
    return rec.copy_rows if rec.in_flight == 0 else None
