"""Apply one simulated clinic day to an existing demo database, and record exactly what changed.

Change stamps are real: MariaDB's ``ON UPDATE CURRENT_TIMESTAMP`` sets them (only the late commits set a stamp
explicitly, a few minutes in the past). The day's choices (which rows, which values) come from
``random.Random(f"{seed}:{day}")`` over the rows present, so the same database, seed and day make the same
choices; the stamps are the server's clock.
"""

from __future__ import annotations

import logging
import re

from . import day_changes, day_money, day_new
from .day import Day
from .dayrecord import DayRecord, Recorder, SchemaChange
from .db import Connection, MySqlUrl, connection, scalar
from .drift import apply_schema_drift
from .guard import check_is_demo, read_marker

log = logging.getLogger(__name__)


def simulate_day(
    url: str, seed: int, *, day: int = 1, schema_drift: bool = False, mass_stamp_bump: bool = False
) -> DayRecord:
    """Apply one simulated clinic day to the demo database at ``url`` and return what it changed.

    The day logs users on and off (securitylog PermType 83), books and completes appointments (a few left
    seated but not dismissed: DateTimeDismissed at midnight) (with their procedures, claims, payments and splits), adds
    adjustments, commlogs, securitylog rows and a few patients; edits rows in place (some twice within one
    second); hard-deletes appointments, payments (with their splits), a paysplit, estimate claimprocs and
    commlogs; and at the end commits two edits with stamps a few minutes in the past.

    Args:
        url: SQLAlchemy-style URL of an existing demo database (made by ``build_demo_source``).
        seed: with ``day``, selects the day's random choices.
        day: the day number (1, 2, ...); different days make different choices.
        schema_drift: also add appointment.IsMirrored, widen appointment.ProvBarText to varchar(255) and create
            table apptreminderrule with rows (each only once; later days record no change).
        mass_stamp_bump: also run ``UPDATE patient SET SecurityHash = ''`` on rows where it differs, as
            OpenDental upgrades do, so all those rows share one new stamp.

    Returns:
        The DayRecord (per table the primary keys inserted, updated and deleted, the schema changes, the
        same-second edits, the late commits and the mass stamp bump).

    Raises:
        ValueError: ``day`` is not a positive whole number.
        NotADemoSource: the database was not made by ``build_demo_source`` (nothing is written to it).
        DemoSourceUnreachable: the server cannot be reached or the database does not exist.
    """
    if not isinstance(day, int) or day < 1:
        raise ValueError(f"day={day!r}; use a whole number from 1 (the first simulated day)")
    database = MySqlUrl.parse(url).database
    with connection(url) as conn:
        check_is_demo(conn, database, url)
        record = DayRecord(database=database, day=day, seed=seed, started_at=str(scalar(conn, "SELECT NOW()")))
        _warn_if_clock_behind(conn, database, record.started_at)
        recorder = Recorder(record)
        if schema_drift:
            _drift(conn, database, recorder)
        d = Day(conn, database, seed, day, recorder)
        _new_rows(d)
        edited_comms = day_changes.edits(d)
        day_changes.deletes(d, edited_comms)
        if mass_stamp_bump:
            day_changes.mass_stamp_bump(d)
        day_changes.same_second_edits(d)
        day_changes.late_commits(d)
        record.finished_at = str(scalar(conn, "SELECT NOW()"))
    record = recorder.finish()
    log.info("simulated day %d on %s: %s", day, database, record.summary())
    return record


def _warn_if_clock_behind(conn: Connection, database: str, started_at: str) -> None:
    """Warns when the server clock is before the data's as_of date (today's stamps would be the oldest)."""
    as_of = re.search(r"as_of=(\d{4}-\d\d-\d\d)", read_marker(conn, database) or "")
    if as_of and started_at < as_of.group(1):
        log.warning(
            "the server clock (%s) is before the data's as_of date %s: today's change stamps will be "
            "older than the generated ones",
            started_at,
            as_of.group(1),
        )


def _drift(conn: Connection, database: str, recorder: Recorder) -> None:
    """Applies the schema drift (once) and records its changes and the new table's rows."""
    changes, reminder_rules = apply_schema_drift(conn, database)
    recorder.record.schema_changes.extend(changes)
    if reminder_rules:
        recorder.key("apptreminderrule", "ApptReminderRuleNum")
        recorder.inserted("apptreminderrule", reminder_rules)


def _new_rows(d: Day) -> None:
    """The day's new rows: logins, new patients, bookings, completed visits and their billing, mailed payments,
    adjustments, reminders and audit-log rows."""
    day_new.logins(d)
    new_patients = day_new.new_patients(d)
    day_new.book_appointments(d, new_patients)
    visits = day_new.complete_visits(d)
    day_money.bill_visits(d, visits)
    day_money.mail_payments(d)
    day_money.adjustments(d)
    day_new.communications(d)


__all__ = ["DayRecord", "SchemaChange", "simulate_day"]
