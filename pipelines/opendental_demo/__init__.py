"""Demo OpenDental source: an OpenDental-shaped MariaDB/MySQL database with synthetic, deterministic data.

Public API::

    build_demo_source(url, patients, seed=42, *, as_of=date(2026, 11, 25)) -> dict[str, int]
    checksum_demo_source(url) -> str
    expected_quirks(patients, seed=42, as_of=date(2026, 11, 25)) -> dict      # the quirk manifest
    simulate_day(url, seed, *, day=1, schema_drift=False, mass_stamp_bump=False) -> DayRecord

Modules: ``ddl.sql`` (the 31 tables); ``generate`` (build, checksum) with ``gen_ref``, ``gen_staff``,
``gen_contacts``, ``gen_people``, ``gen_insurance``, ``gen_visits``, ``gen_claims``, ``gen_money``, ``gen_logs``
(the INSERT ... SELECT of each group of tables); ``quirks`` with ``quirks_extra`` (which rows carry which
OpenDental quirk, and how many); ``gen_quirks`` (the quirks made by updating filled tables: income on deleted
procedures, merged plans); ``relations`` (references between tables); ``simulate`` with ``day``, ``day_new``,
``day_money``, ``day_changes``, ``drift``, ``dayrecord`` (one clinic day and its record); ``guard`` (never drop or
write a database that is not a demo source); ``sizes``, ``refdata`` (a package: definitions, codes, names,
preferences), ``sqlgen``, ``context``, ``db``, ``cli``.
"""

from .dayrecord import DayRecord, SchemaChange, TableChanges
from .db import DemoDatabaseMissing, DemoSourceUnreachable
from .generate import build_demo_source, checksum_demo_source, demo_row_counts
from .guard import NotADemoSource
from .quirks import expected_quirks
from .simulate import simulate_day

__all__ = [
    "DayRecord",
    "DemoDatabaseMissing",
    "DemoSourceUnreachable",
    "NotADemoSource",
    "SchemaChange",
    "TableChanges",
    "build_demo_source",
    "checksum_demo_source",
    "demo_row_counts",
    "expected_quirks",
    "simulate_day",
]
