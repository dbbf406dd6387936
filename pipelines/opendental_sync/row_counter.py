"""Each raw table's live rows, counted by PostgreSQL as they are written (``<dataset>._od_live_rows``,
``CopyDatabase.counter``).

A run that wrote a few keys of a large table proves the rest of it by its row count on both sides: the source's
comes free with MyISAM, but counting the copy's is a scan of the table (securitylog's 4.7 million rows: 0.5 s),
whatever the run wrote. Statement-level triggers on each raw table instead add what every INSERT, UPDATE, DELETE
and TRUNCATE did to its live (not ``_od_deleted``) rows to a counter row, in the writer's own transaction: the
count stays exact whoever writes the table (dlt's merge, delete marking, an edit by hand), and reading it costs
one row.

A table's triggers are installed when a proof has just counted its rows (a first load, a full comparison) and
seeded with that count, or, when a run needs the count of a table without them, in one transaction with a count
by scan (the triggers lock out writers until the count is taken; a table locked longer than INSTALL_LOCK_TIMEOUT,
by a VACUUM, is counted by a plain scan and gets them next time). A counter is trusted only while its table's
triggers and their function are the very catalog rows it was set with (``triggers_version``: each trigger's name,
state and ``pg_trigger.xmin``, and the function's ``pg_proc.xmin``, which change whenever a trigger's state
changes, a trigger is dropped or created, or the function replaced): a table whose triggers were dropped,
disabled, or disabled and enabled again since is counted by a scan. Every full comparison
compares the counter with the rows it counted; where they differ, a scan decides, and sets the counter, with a
warning. The triggers fire in replica sessions too (``ENABLE ALWAYS``).

A write of many rows to a table that has them (``--full-refresh`` of an existing table) also writes those rows to
the triggers' transition tables, in temporary files beyond ``work_mem``: for securitylog's 1.18 million rows, no
slower within the noise of a 35 s refresh.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import psycopg2
import psycopg2.errors
from psycopg2 import sql

from opendental_sync.names import raw_name
from opendental_sync.read import DELETED_COLUMN
from opendental_sync.registry import TableSpec
from opendental_sync.safety import PublicError

if TYPE_CHECKING:
    from opendental_sync.destination import CopyDatabase

log = logging.getLogger(__name__)

LIVE_ROWS = "_od_live_rows"
_FUNCTION = "_od_count_live_rows"
# Each raw table's triggers (a trigger's name is its table's own): event and transition tables. A trigger with
# transition tables takes one event only.
TRIGGER_EVENTS = {
    "_od_live_rows_insert": ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
    "_od_live_rows_update": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "_od_live_rows_delete": ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
    "_od_live_rows_truncate": ("TRUNCATE", ""),
}
TRIGGERS = list(TRIGGER_EVENTS)

COUNTER_TABLE_DDL = f"""
CREATE TABLE IF NOT EXISTS {{schema}}.{LIVE_ROWS} (
    table_name text PRIMARY KEY,
    live_rows bigint NOT NULL,
    counted_at timestamptz NOT NULL DEFAULT now(),
    triggers_version text
)
"""
# Added to a counter table an earlier version made (its counters, set without a version, are not trusted).
VERSION_COLUMN_DDL = f"ALTER TABLE {{schema}}.{LIVE_ROWS} ADD COLUMN IF NOT EXISTS triggers_version text"
# The table's counting triggers as the catalog holds them now: name, state (A: always) and row version of each, and
# the row version of the function they run (NULL, never equal, when the table or the function is missing).
TRIGGERS_VERSION = """(
    SELECT string_agg(t.tgname::text || ':' || t.tgenabled::text || ':' || t.xmin::text, ',' ORDER BY t.tgname)
        || ',function:' || (
            SELECT p.xmin::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = {schema} AND p.proname = {function}
        )
    FROM pg_trigger t
    WHERE t.tgrelid = to_regclass(quote_ident({schema}) || '.' || quote_ident({table})) AND t.tgname = ANY({names})
)"""
FUNCTION_BODY = f"""
DECLARE
    delta bigint := 0;
    n bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('UPDATE %I.{LIVE_ROWS} SET live_rows = 0 WHERE table_name = $1', TG_TABLE_SCHEMA)
            USING TG_TABLE_NAME;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT count(*) INTO n FROM new_rows WHERE NOT {DELETED_COLUMN};
        delta := delta + n;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT count(*) INTO n FROM old_rows WHERE NOT {DELETED_COLUMN};
        delta := delta - n;
    END IF;
    IF delta <> 0 THEN
        EXECUTE format('UPDATE %I.{LIVE_ROWS} SET live_rows = live_rows + $1 WHERE table_name = $2', TG_TABLE_SCHEMA)
            USING delta, TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
"""
# Installing takes a lock that waits for a VACUUM of the table (weekly maintenance): not for long.
INSTALL_LOCK_TIMEOUT = "10s"


class CounterUpgradeWaited(PublicError):
    """The counter table could not be upgraded (a column added) within INSTALL_LOCK_TIMEOUT."""


def _lock_bounded(statements: list[sql.Composable]) -> sql.Composable:
    """The statements as one transaction (sent as one: PostgreSQL's simple query protocol) whose locks wait at most
    INSTALL_LOCK_TIMEOUT (psycopg2.errors.LockNotAvailable after that)."""
    lock_timeout = sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(INSTALL_LOCK_TIMEOUT))
    return sql.SQL(";\n").join([lock_timeout, *statements])


def live_count_query(dataset: str, spec: TableSpec) -> sql.Composable:
    """The copy's live rows of a table, counted by a scan."""
    table = sql.Identifier(dataset, raw_name(spec.name))
    return sql.SQL("SELECT count(*) FROM {} WHERE NOT {}").format(table, sql.Identifier(DELETED_COLUMN))


class LiveRowCounter:
    """The copy's live-row counters (``CopyDatabase.counter``)."""

    def __init__(self, copy: CopyDatabase):
        self.copy = copy

    def _table(self, spec: TableSpec) -> sql.Identifier:
        return sql.Identifier(self.copy.dataset, raw_name(spec.name))

    def _version(self, spec: TableSpec) -> sql.Composable:
        """The query of the table's triggers' version (TRIGGERS_VERSION)."""
        return sql.SQL(TRIGGERS_VERSION).format(
            schema=sql.Literal(self.copy.dataset),
            table=sql.Literal(raw_name(spec.name)),
            names=sql.Literal(TRIGGERS),
            function=sql.Literal(_FUNCTION),
        )

    def ensure(self) -> None:
        """The counter table, and the triggers' function where it is missing or not this version's (the raw schema
        exists; called with the run lock held)."""
        schema = sql.Identifier(self.copy.dataset)
        self.copy.execute(sql.SQL(COUNTER_TABLE_DDL).format(schema=schema))
        [(has_version, body)] = self.copy.execute(
            "SELECT EXISTS (SELECT FROM pg_attribute "
            "WHERE attrelid = to_regclass(quote_ident(%s) || '.' || quote_ident(%s)) "
            "AND attname = 'triggers_version' AND NOT attisdropped), "
            "(SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = %s AND p.proname = %s)",
            (self.copy.dataset, LIVE_ROWS, self.copy.dataset, _FUNCTION),
        )
        if not has_version:  # ALTER TABLE only when needed: it waits for, and then holds up, every counted write
            try:
                self.copy.execute(_lock_bounded([sql.SQL(VERSION_COLUMN_DDL).format(schema=schema)]))
            except psycopg2.errors.LockNotAvailable as e:
                raise CounterUpgradeWaited(
                    f"{self.copy.dataset}.{LIVE_ROWS} stayed locked for {INSTALL_LOCK_TIMEOUT} while this version "
                    "added its column triggers_version (once per copy): a transaction that wrote a raw table is still "
                    "open (an edit by hand, a pg_dump); end it, or run again when it has ended"
                ) from e
        if body == FUNCTION_BODY:
            return
        self.copy.execute(
            sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}").format(
                sql.Identifier(self.copy.dataset, _FUNCTION), sql.Literal(FUNCTION_BODY)
            )
        )

    def counted(self, spec: TableSpec) -> int | None:
        """The table's live rows as its triggers counted them; None when it has no counter, or its triggers and their
        function are not the ones it was set with, all triggers firing on every write (one was dropped, disabled, or
        enabled again since, or the function replaced: a write in between may have gone uncounted)."""
        rows = self.copy.execute(
            sql.SQL("SELECT live_rows FROM {} WHERE table_name = %s AND triggers_version = {}").format(
                self._counter(), self._version(spec)
            ),
            (raw_name(spec.name),),
        )
        return int(rows[0][0]) if rows else None

    def _triggers(self, spec: TableSpec) -> dict[str, str]:
        """The table's counting triggers that exist, with when each fires (pg_trigger.tgenabled: A always)."""
        rows = self.copy.execute(
            "SELECT t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = r.relnamespace "
            "WHERE n.nspname = %s AND r.relname = %s AND t.tgname = ANY(%s)",
            (self.copy.dataset, raw_name(spec.name), TRIGGERS),
        )
        return {str(name): str(enabled) for name, enabled in rows}

    def _counter(self) -> sql.Identifier:
        return sql.Identifier(self.copy.dataset, LIVE_ROWS)

    def live_rows(self, spec: TableSpec) -> int:
        """The table's live rows: from its counter, or, for a table without one, counted by a scan while its
        triggers are installed (once; a plain scan when the table is locked for longer than the install waits)."""
        counted = self.counted(spec)
        if counted is not None:
            return counted
        log.info("%s: counting the copy's rows once, to keep its count from now on", spec.name)
        if not self._install(spec, self._scan(spec)):
            return self.copy.live_count(spec)
        counted = self.counted(spec)
        assert counted is not None, "the counter was installed in the statement before"
        return counted

    def proven(self, spec: TableSpec, rows: int) -> None:
        """A full comparison counted the table's live ``rows`` (from planning on): its counter from now on,
        installed if missing. A counter that differs is set by a scan, which decides between the two (the
        comparison's count of the buckets it found clean dates from planning)."""
        counted = self.counted(spec)
        if counted == rows:
            return
        if counted is None:
            log.info("%s: the copy's row counter is set from this comparison (it had none it could trust)", spec.name)
            self._install(spec, sql.Literal(rows))
            return
        if self._install(spec, self._scan(spec)):  # else left as it was, with the lock's warning
            log.warning(
                "%s: the copy's row counter said %d rows, the comparison counted %d, a scan %s: set by the scan (the "
                "table was written during this run, or the counter was edited by hand)",
                spec.name,
                counted,
                rows,
                self.counted(spec),
            )

    def _scan(self, spec: TableSpec) -> sql.Composable:
        return sql.SQL("({})").format(live_count_query(self.copy.dataset, spec))

    def _install(self, spec: TableSpec, count: sql.Composable) -> bool:
        """Create the table's missing triggers, make all of them fire on every write (replica sessions too), and set
        its counter to ``count``, in one transaction. Creating or enabling a trigger locks out the table's writers,
        not its readers, until the transaction ends, so no write falls between the triggers and the count. (A
        trigger is never dropped here: that would lock out the analysts' queries too.) False, with a warning, when
        the table stayed locked (a VACUUM) longer than INSTALL_LOCK_TIMEOUT: the next run tries again."""
        table, function = self._table(spec), sql.Identifier(self.copy.dataset, _FUNCTION)
        existing = self._triggers(spec)
        statements: list[sql.Composable] = []
        for name, (event, transition) in TRIGGER_EVENTS.items():
            trigger = sql.Identifier(name)
            if name not in existing:
                statements.append(
                    sql.SQL("CREATE TRIGGER {} AFTER {} ON {} {} FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(
                        trigger, sql.SQL(event), table, sql.SQL(transition), function
                    )
                )
            statements.append(sql.SQL("ALTER TABLE {} ENABLE ALWAYS TRIGGER {}").format(table, trigger))
        # The version is read after the statements above, in their transaction: the triggers as they now stand.
        statements.append(
            sql.SQL(
                "INSERT INTO {counter} (table_name, live_rows, triggers_version) VALUES ({name}, {count}, {version}) "
                "ON CONFLICT (table_name) DO UPDATE SET live_rows = EXCLUDED.live_rows, counted_at = now(), "
                "triggers_version = EXCLUDED.triggers_version"
            ).format(
                counter=self._counter(), name=sql.Literal(raw_name(spec.name)), count=count, version=self._version(spec)
            )
        )
        try:
            self.copy.execute(_lock_bounded(statements))
        except psycopg2.errors.LockNotAvailable:
            log.warning(
                "%s: the copy's table stayed locked for %s (a VACUUM?): its row counter is installed by a later run",
                spec.name,
                INSTALL_LOCK_TIMEOUT,
            )
            return False
        return True
