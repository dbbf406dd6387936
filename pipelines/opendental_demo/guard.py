"""Never drop or write a database that is not a demo source.

The commands read their URL from SOURCES__OPENDENTAL__CREDENTIALS, the same variable that points the pipeline at
a clinic's real OpenDental server. A demo source carries a marker row in ``preference``; a database without it
is refused unless it is empty.
"""

from __future__ import annotations

from datetime import date

from opendental_sync.safety import mask_urls

from . import refdata
from .db import Connection, query

MARKER_PREF = "DemoSourceGenerator"
LEGACY_PRACTICE_TITLE = dict(refdata.PREFERENCES)["PracticeTitle"]


class NotADemoSource(ValueError):
    """The database exists and was not made by the demo generator; it is left untouched."""


def marker_value(patients: int, seed: int, as_of: date) -> str:
    """The ValueString of the marker preference of a demo source."""
    return f"scripts/make_demo_source.py patients={patients} seed={seed} as_of={as_of.isoformat()}"


def read_marker(conn: Connection, database: str) -> str | None:
    """The marker of ``database``, or None when it has no marker (or no preference table)."""
    has_pref = query(
        conn,
        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = 'preference'",
        (database,),
    )
    if not has_pref:
        return None
    rows = query(
        conn,
        f"SELECT PrefName, ValueString FROM `{database}`.preference WHERE PrefName IN (%s, 'PracticeTitle')",
        (MARKER_PREF,),
    )
    values = {str(name): str(value) for name, value in rows}
    if MARKER_PREF in values:
        return values[MARKER_PREF]
    # Demo sources built before the marker existed carry the demo practice's name.
    if values.get("PracticeTitle") == LEGACY_PRACTICE_TITLE:
        return f"(built before {MARKER_PREF} existed)"
    return None


def table_count(conn: Connection, database: str) -> int:
    """Tables in ``database``."""
    rows = query(conn, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s", (database,))
    return int(rows[0][0])


def check_replaceable(conn: Connection, database: str, url: str) -> None:
    """Raise NotADemoSource unless ``database`` is missing, empty, or a demo source."""
    if table_count(conn, database) and read_marker(conn, database) is None:
        raise NotADemoSource(
            f"database {database!r} at {mask_urls(url)} has tables but is not a demo source (no {MARKER_PREF} "
            "preference); refusing to drop it. Put another database name in the URL, or drop it yourself "
            "if it is disposable"
        )


def check_is_demo(conn: Connection, database: str, url: str) -> None:
    """Raise NotADemoSource unless ``database`` is a demo source (the simulator writes only to those)."""
    if read_marker(conn, database) is None:
        raise NotADemoSource(
            f"database {database!r} at {mask_urls(url)} is not a demo source (no {MARKER_PREF} preference); "
            "the day simulator only writes to databases made by scripts/make_demo_source.py"
        )
