"""Schema drift as an OpenDental upgrade makes it: a new column, a widened column, a new table."""

from __future__ import annotations

from .dayrecord import SchemaChange
from .db import Connection as Conn
from .db import execute, insert_values, query, scalar

NEW_COLUMN = ("appointment", "IsMirrored", "tinyint(4) NOT NULL DEFAULT 0")  # added by OpenDental 25.x
WIDENED = ("appointment", "ProvBarText", "varchar(60)", "varchar(255)")
NEW_TABLE = "apptreminderrule"
_NEW_TABLE_DDL = f"""
CREATE TABLE `{NEW_TABLE}` (
  `ApptReminderRuleNum` bigint(20) NOT NULL AUTO_INCREMENT,
  `TypeCur` tinyint(4) NOT NULL,
  `TSPrior` bigint(20) NOT NULL,
  `SendOrder` varchar(255) NOT NULL,
  `IsSendAll` tinyint(4) NOT NULL,
  `TemplateSMS` text NOT NULL,
  `TemplateEmailSubject` text NOT NULL,
  `TemplateEmail` text NOT NULL,
  `ClinicNum` bigint(20) NOT NULL,
  `DoNotSendWithin` bigint(20) NOT NULL,
  `IsEnabled` tinyint(4) NOT NULL,
  `Language` varchar(255) NOT NULL,
  PRIMARY KEY (`ApptReminderRuleNum`),
  KEY `ClinicNum` (`ClinicNum`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci"""
_TICKS_PER_HOUR = 36_000_000_000  # .NET TimeSpan ticks, as OpenDental stores TSPrior
_RULES = (
    (0, 48, "Reminder: [NameF] has an appointment on [ApptDate] at [ApptTime]."),
    (0, 2, "See you soon, [NameF]: today at [ApptTime]."),
    (1, 72, "Please confirm your appointment on [ApptDate]: reply C to confirm."),
)


def _column_type(conn: Conn, database: str, table: str, column: str) -> str | None:
    value = scalar(
        conn,
        "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND "
        "TABLE_NAME = %s AND COLUMN_NAME = %s",
        (database, table, column),
    )
    return None if value is None else str(value)


def apply_schema_drift(conn: Conn, database: str) -> tuple[list[SchemaChange], list[int]]:
    """Apply each drift that is not there yet; return the changes made and the keys of new-table rows."""
    changes: list[SchemaChange] = []
    alters = []
    table, column, definition = NEW_COLUMN
    if _column_type(conn, database, table, column) is None:
        alters.append(f"ADD COLUMN `{column}` {definition}")
        changes.append(SchemaChange(table, "add_column", column, "", definition.split(" NOT")[0]))
    w_table, w_column, old, new = WIDENED
    if _column_type(conn, database, w_table, w_column) == old:
        alters.append(f"MODIFY COLUMN `{w_column}` {new} NOT NULL")
        changes.append(SchemaChange(w_table, "widen_column", w_column, old, new))
    if alters:
        assert table == w_table
        execute(conn, f"ALTER TABLE `{table}` " + ", ".join(alters))
    keys: list[int] = []
    exists = query(
        conn,
        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
        (database, NEW_TABLE),
    )
    if not exists:
        execute(conn, _NEW_TABLE_DDL)
        first = insert_values(
            conn,
            NEW_TABLE,
            [
                "TypeCur",
                "TSPrior",
                "SendOrder",
                "IsSendAll",
                "TemplateSMS",
                "TemplateEmailSubject",
                "TemplateEmail",
                "ClinicNum",
                "DoNotSendWithin",
                "IsEnabled",
                "Language",
            ],
            [
                (kind, hours * _TICKS_PER_HOUR, "0,1,2", 0, text, "Appointment reminder", text, 0, 0, 1, "")
                for kind, hours, text in _RULES
            ],
        )
        keys = list(range(first, first + len(_RULES)))
        changes.append(SchemaChange(NEW_TABLE, "add_table", "ApptReminderRuleNum", "", ""))
    return changes, keys
