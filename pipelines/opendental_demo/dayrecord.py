"""What one simulated clinic day changed, per table, in net terms (what a copy must do to catch up)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TableChanges:
    """Primary keys changed in one table during the day, net of each other.

    ``inserted``: rows that did not exist before the day and exist after it (edits to them do not count as
    updates). ``updated``: rows that existed before and after the day and were written to. ``deleted``: rows
    that existed before the day and are gone (an edit followed by a delete is a delete).
    """

    inserted: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)


@dataclass
class SchemaChange:
    """One schema change: ``add_column``, ``widen_column`` or ``add_table``."""

    table: str
    change: str
    column: str = ""
    old_type: str = ""
    new_type: str = ""


@dataclass
class DayRecord:
    """The truth about one simulated day, for checking a copy against the source.

    Attributes:
        database: the demo database the day was applied to.
        day: the day number given to ``simulate_day`` (selects the day's random choices with the seed).
        seed: the seed given to ``simulate_day``.
        started_at / finished_at: server time (UTC) around the day's writes.
        primary_keys: primary-key column of every table that changed.
        tables: per table, the keys inserted, updated and deleted (net, see TableChanges).
        schema_changes: schema drift applied this day (empty when none or already applied on an earlier day).
        same_second: per table, rows edited twice within one second: ``{pk: stamp}``; the stamp did not move on
            the second edit although a value changed.
        late_commits: per table, rows whose change stamp was set a few minutes into the past after newer rows
            had been written: ``{pk: stamp}``.
        mass_stamp_bump: per table, how many rows one table-wide UPDATE (as in an upgrade) stamped with the
            same value, and that value (``{"patient": {"rows": n, "stamp": "..."}}``).
    """

    database: str
    day: int
    seed: int
    started_at: str = ""
    finished_at: str = ""
    primary_keys: dict[str, str] = field(default_factory=dict)
    tables: dict[str, TableChanges] = field(default_factory=dict)
    schema_changes: list[SchemaChange] = field(default_factory=list)
    same_second: dict[str, dict[int, str]] = field(default_factory=dict)
    late_commits: dict[str, dict[int, str]] = field(default_factory=dict)
    mass_stamp_bump: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("same_second", "late_commits"):
            data[key] = {t: {str(pk): s for pk, s in rows.items()} for t, rows in data[key].items()}
        return data

    def to_json(self) -> str:
        """The record as JSON (keys sorted; row keys of same_second/late_commits as strings)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DayRecord:
        data = json.loads(text)
        record = cls(
            database=data["database"],
            day=data["day"],
            seed=data["seed"],
            started_at=data["started_at"],
            finished_at=data["finished_at"],
            primary_keys=data["primary_keys"],
            mass_stamp_bump=data["mass_stamp_bump"],
        )
        record.tables = {t: TableChanges(**c) for t, c in data["tables"].items()}
        record.schema_changes = [SchemaChange(**c) for c in data["schema_changes"]]
        for key in ("same_second", "late_commits"):
            setattr(record, key, {t: {int(pk): s for pk, s in rows.items()} for t, rows in data[key].items()})
        return record

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts per table: ``{"appointment": {"inserted": 3, "updated": 9, "deleted": 1}, ...}``."""
        return {
            t: {"inserted": len(c.inserted), "updated": len(c.updated), "deleted": len(c.deleted)}
            for t, c in sorted(self.tables.items())
        }


class Recorder:
    """Collects a day's writes and keeps them net: insert+update = insert, update+delete = delete."""

    def __init__(self, record: DayRecord) -> None:
        self.record = record
        self._ins: dict[str, set[int]] = {}
        self._upd: dict[str, set[int]] = {}
        self._del: dict[str, set[int]] = {}

    def key(self, table: str, pk_column: str) -> None:
        self.record.primary_keys[table] = pk_column

    def inserted(self, table: str, pks: list[int]) -> None:
        self._ins.setdefault(table, set()).update(pks)

    def updated(self, table: str, pks: list[int]) -> None:
        new = self._ins.get(table, set())
        self._upd.setdefault(table, set()).update(pk for pk in pks if pk not in new)

    def deleted(self, table: str, pks: list[int]) -> None:
        new = self._ins.setdefault(table, set())
        for pk in pks:
            if pk in new:  # inserted and deleted the same day: no net change
                new.discard(pk)
                continue
            self._upd.get(table, set()).discard(pk)
            self._del.setdefault(table, set()).add(pk)

    def was_inserted(self, table: str, pk: int) -> bool:
        return pk in self._ins.get(table, set())

    def finish(self) -> DayRecord:
        for table in sorted(set(self._ins) | set(self._upd) | set(self._del)):
            changes = TableChanges(
                sorted(self._ins.get(table, set())),
                sorted(self._upd.get(table, set())),
                sorted(self._del.get(table, set())),
            )
            if changes.inserted or changes.updated or changes.deleted:
                self.record.tables[table] = changes
        return self.record
