"""The day simulator tells the truth: its record equals the difference between before and after the day."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from demo.demo_snapshot import Snapshot, diff, snapshot, table_columns
from demo.demo_support import DemoDb, DemoFactory, connect
from opendental_demo.dayrecord import DayRecord, Recorder
from opendental_demo.relations import RELATIONS
from opendental_demo.simulate import simulate_day


@dataclass
class SimulatedDay:
    """One simulated day and the database state right after it (later days change the database)."""

    demo: DemoDb
    record: DayRecord
    before: Snapshot
    after: Snapshot
    stamps: dict[str, str]  # table -> its change-stamp column
    stamp_after: dict[str, dict[int, str]]  # table -> {pk: stamp} of the rows inserted or updated that day
    hashes_left: int  # patient rows with a SecurityHash after the day
    rows_with_bump_stamp: int


def _stamp_columns(demo: DemoDb) -> dict[str, str]:
    return dict(
        demo.rows(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
            "AND EXTRA LIKE '%%on update%%'",
            (demo.database,),
        )
    )


def _run_day(demo: DemoDb, day: int, drift: bool, bump: bool) -> SimulatedDay:
    with connect(demo.database) as conn:
        columns = table_columns(conn, demo.database)
        before = snapshot(conn, demo.database, columns)
    record = simulate_day(demo.url, 42, day=day, schema_drift=drift, mass_stamp_bump=bump)
    with connect(demo.database) as conn:
        now_columns = table_columns(conn, demo.database)
        # Compare rows on the columns they had before; a table new today is compared on all its columns.
        after = snapshot(conn, demo.database, {t: columns.get(t, cols) for t, cols in now_columns.items()})
    stamps = _stamp_columns(demo)
    stamp_after: dict[str, dict[int, str]] = {}
    for table, changes in record.tables.items():
        keys = changes.inserted + changes.updated
        if table in stamps and keys:
            pk = record.primary_keys[table]
            stamp_after[table] = {
                int(k): str(v)
                for k, v in demo.rows(
                    f"SELECT `{pk}`, `{stamps[table]}` FROM `{table}` WHERE `{pk}` IN ({', '.join(map(str, keys))})"
                )
            }
    bump = record.mass_stamp_bump.get("patient", {}).get("stamp", "")
    with_bump = demo.scalar("SELECT COUNT(*) FROM patient WHERE DateTStamp = %s", (bump,)) if bump else 0
    hashes = demo.scalar("SELECT COUNT(*) FROM patient WHERE SecurityHash <> ''")
    return SimulatedDay(demo, record, before, after, stamps, stamp_after, hashes, with_bump)


@pytest.fixture(scope="module")
def day_one(build_demo: DemoFactory) -> SimulatedDay:
    return _run_day(build_demo("day", 150), 1, drift=True, bump=True)


@pytest.fixture(scope="module")
def day_two(day_one: SimulatedDay) -> SimulatedDay:
    return _run_day(day_one.demo, 2, drift=True, bump=False)


def _recorded(record: DayRecord) -> dict[str, dict[str, list[int]]]:
    return {t: {"inserted": c.inserted, "updated": c.updated, "deleted": c.deleted} for t, c in record.tables.items()}


@pytest.mark.db  # the fixture comes through getfixturevalue, which the automatic marking cannot see
@pytest.mark.parametrize("which", ["day_one", "day_two"])
def test_record_equals_what_changed(which: str, request: pytest.FixtureRequest) -> None:
    day: SimulatedDay = request.getfixturevalue(which)
    assert _recorded(day.record) == diff(day.before, day.after)


def test_a_day_does_every_kind_of_change(day_one: SimulatedDay) -> None:
    tables = day_one.record.tables
    for table in (
        "appointment",
        "procedurelog",
        "payment",
        "paysplit",
        "claim",
        "claimproc",
        "commlog",
        "securitylog",
        "patient",
        "histappointment",
        "adjustment",
    ):
        assert tables[table].inserted, f"no new {table} rows"
    for table in ("appointment", "procedurelog", "patient", "commlog", "payment"):
        assert tables[table].updated, f"no {table} edits"
    for table in ("appointment", "payment", "paysplit", "claimproc", "commlog"):
        assert tables[table].deleted, f"no {table} deletes"


def test_deleted_rows_are_gone_and_inserted_rows_exist(day_one: SimulatedDay) -> None:
    for table, changes in day_one.record.tables.items():
        present = set(day_one.after.get(table, {}))
        assert not set(changes.deleted) & present, table
        assert set(changes.inserted) <= present, table
        assert set(changes.deleted) <= set(day_one.before.get(table, {})), table


def test_no_key_is_in_two_lists(day_one: SimulatedDay) -> None:
    for table, c in day_one.record.tables.items():
        assert not (
            set(c.inserted) & set(c.updated) or set(c.inserted) & set(c.deleted) or set(c.updated) & set(c.deleted)
        ), table


def test_recorder_nets_changes_and_delete_wins() -> None:
    recorder = Recorder(DayRecord(database="x", day=1, seed=1))
    recorder.inserted("t", [10, 11])
    recorder.updated("t", [1, 2, 10])  # an edit of a new row stays an insert
    recorder.deleted("t", [2, 3, 11])  # edit then delete: a delete; insert then delete: nothing
    changes = recorder.finish().tables["t"]
    assert (changes.inserted, changes.updated, changes.deleted) == ([10], [1], [2, 3])


def test_new_and_updated_rows_carry_the_server_stamp(day_one: SimulatedDay) -> None:
    record = day_one.record
    late = {(t, k) for t, rows in record.late_commits.items() for k in rows}
    checked = 0
    for table, stamps in day_one.stamp_after.items():
        for key, value in stamps.items():
            if (table, key) not in late:
                assert record.started_at <= value <= record.finished_at, (table, key)
                checked += 1
    assert checked > 50


def test_same_second_edits_kept_their_stamp(day_one: SimulatedDay) -> None:
    same = day_one.record.same_second
    assert sum(len(v) for v in same.values()) >= 2
    for table, rows in same.items():
        for key, value in rows.items():
            assert day_one.stamp_after[table][key] == value
            assert key in day_one.record.tables[table].updated
            # the edited value differs from the day before although the stamp moved only once
            assert day_one.before[table][key] != day_one.after[table][key]


def test_late_commits_are_older_than_rows_written_before_them(day_one: SimulatedDay) -> None:
    late = day_one.record.late_commits
    assert set(late) == {"procedurelog", "payment"}
    for table, rows in late.items():
        stamp = day_one.stamps[table]
        newest = day_one.demo.scalar(f"SELECT MAX(`{stamp}`) FROM `{table}`")
        for value in rows.values():
            assert value < day_one.record.started_at and value < str(newest)


def test_mass_stamp_bump_gave_many_rows_one_stamp(day_one: SimulatedDay) -> None:
    bump = day_one.record.mass_stamp_bump["patient"]
    assert bump["rows"] > 50
    assert day_one.rows_with_bump_stamp >= bump["rows"]
    assert day_one.hashes_left == 0


def test_schema_drift_is_visible_and_applied_once(day_one: SimulatedDay, day_two: SimulatedDay) -> None:
    changes = {(c.table, c.change, c.column) for c in day_one.record.schema_changes}
    assert changes == {
        ("appointment", "add_column", "IsMirrored"),
        ("appointment", "widen_column", "ProvBarText"),
        ("apptreminderrule", "add_table", "ApptReminderRuleNum"),
    }
    assert day_two.record.schema_changes == []
    demo = day_one.demo
    types = dict(
        demo.rows(
            "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
            "AND TABLE_NAME = 'appointment'",
            (demo.database,),
        )
    )
    assert types["IsMirrored"].startswith("tinyint") and types["ProvBarText"] == "varchar(255)"
    key = demo.rows(
        "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND "
        "TABLE_NAME = 'apptreminderrule' AND COLUMN_KEY = 'PRI'",
        (demo.database,),
    )
    assert key == [("ApptReminderRuleNum", "bigint(20)")]
    assert day_one.record.tables["apptreminderrule"].inserted == [1, 2, 3]


def test_new_rows_reference_existing_rows(day_two: SimulatedDay) -> None:
    demo = day_two.demo
    for relation in RELATIONS:
        changes = day_two.record.tables.get(relation.table)
        if not changes or not changes.inserted:
            continue
        pk = day_two.record.primary_keys[relation.table]
        sql = relation.orphan_sql() + f" AND c.`{pk}` IN ({', '.join(map(str, changes.inserted))})"
        if relation.name == "histappointment.AptNum":
            sql += " AND c.HistApptAction <> 4"  # the history of a deleted appointment outlives it
        assert demo.scalar(sql) == 0, relation.name


def test_payments_still_match_their_splits(day_two: SimulatedDay) -> None:
    touched = sorted(set(day_two.record.tables["payment"].inserted) | set(day_two.record.tables["payment"].updated))
    mismatched = day_two.demo.scalar(
        "SELECT COUNT(*) FROM payment p LEFT JOIN (SELECT PayNum, SUM(SplitAmt) s FROM paysplit GROUP BY PayNum) x "
        f"ON x.PayNum = p.PayNum WHERE p.PayNum IN ({', '.join(map(str, touched))}) "
        "AND ABS(p.PayAmt - COALESCE(x.s, 0)) > 0.005"
    )
    assert mismatched == 0


def test_record_round_trips_through_json(day_one: SimulatedDay) -> None:
    again = DayRecord.from_json(day_one.record.to_json())
    assert again == day_one.record
    assert again.summary()["appointment"]["deleted"] == len(day_one.record.tables["appointment"].deleted)


def test_day_must_be_positive(day_one: SimulatedDay) -> None:
    with pytest.raises(ValueError, match="day=0"):
        simulate_day(day_one.demo.url, 42, day=0)


def test_a_day_logs_users_on_and_off_and_saves_blank_times_as_midnight(day_two: SimulatedDay) -> None:
    demo, tables = day_two.demo, day_two.record.tables
    logs = ", ".join(map(str, tables["securitylog"].inserted))
    per_user = dict(
        demo.rows(
            f"SELECT UserNum, COUNT(*) FROM securitylog WHERE PermType = 83 AND SecurityLogNum IN ({logs}) GROUP BY 1"
        )
    )
    assert sorted(per_user) == list(range(1, 21))
    assert all(n in (2, 4, 6) for n in per_user.values())  # one to three log-on/log-off pairs
    booked = ", ".join(map(str, tables["appointment"].inserted))
    not_midnight = demo.scalar(
        f"SELECT COUNT(*) FROM appointment WHERE AptNum IN ({booked}) AND NOT (DateTimeArrived = "
        "TIMESTAMP(DATE(AptDateTime)) AND DateTimeSeated = DateTimeArrived AND DateTimeDismissed = DateTimeArrived)"
    )
    assert not_midnight == 0
    visits = ", ".join(map(str, tables["appointment"].updated))
    in_chair = demo.scalar(
        f"SELECT COUNT(*) FROM appointment WHERE AptNum IN ({visits}) AND AptStatus = 2 AND "
        "TIME(DateTimeSeated) > '00:00:00' AND DateTimeDismissed = TIMESTAMP(DATE(AptDateTime))"
    )
    assert in_chair >= 1
