"""The demo source on the real MariaDB: schema, sizes, references, quirks, consistency, determinism."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from demo.demo_support import (
    FIXED,
    LARGER_PATIENTS,
    REAL_CLINIC_ROWS,
    SMALL_PATIENTS,
    DemoDb,
    DemoFactory,
    connect,
    demo_url,
)
from opendental_demo.db import DemoSourceUnreachable
from opendental_demo.generate import build_demo_source, checksum_demo_source
from opendental_demo.guard import NotADemoSource
from opendental_demo.quirks import REAL_DATA_CATEGORIES
from opendental_demo.relations import RELATIONS
from opendental_demo.simulate import simulate_day

AS_OF = "2026-11-25"
# Column counts of the 31 tables (schema facts of OpenDental 24.2/24.3).
COLUMNS = {
    "appointment": 35,
    "procedurelog": 67,
    "payment": 23,
    "paysplit": 21,
    "claim": 85,
    "claimproc": 49,
    "claimpayment": 16,
    "adjustment": 15,
    "commlog": 17,
    "securitylog": 12,
    "deletedobject": 4,
    "patient": 84,
    "insplan": 47,
    "inssub": 13,
    "patplan": 11,
    "carrier": 27,
    "benefit": 16,
    "schedule": 12,
    "provider": 46,
    "feesched": 9,
    "fee": 12,
    "definition": 7,
    "procedurecode": 37,
    "clinic": 42,
    "operatory": 14,
    "userod": 24,
    "preference": 4,
    "recall": 16,
    "referral": 28,
    "refattach": 13,
    "histappointment": 40,
}
STAMPS = {
    "appointment": "DateTStamp",
    "procedurelog": "DateTStamp",
    "payment": "SecDateTEdit",
    "paysplit": "SecDateTEdit",
    "claim": "SecDateTEdit",
    "claimproc": "SecDateTEdit",
    "claimpayment": "SecDateTEdit",
    "adjustment": "SecDateTEdit",
    "commlog": "DateTStamp",
    "deletedobject": "DateTStamp",
    "patient": "DateTStamp",
    "insplan": "SecDateTEdit",
    "inssub": "SecDateTEdit",
    "patplan": "SecDateTEdit",
    "carrier": "SecDateTEdit",
    "benefit": "SecDateTEdit",
    "schedule": "DateTStamp",
    "provider": "DateTStamp",
    "feesched": "SecDateTEdit",
    "fee": "SecDateTEdit",
    "procedurecode": "DateTStamp",
    "operatory": "DateTStamp",
    "recall": "DateTStamp",
    "referral": "DateTStamp",
    "refattach": "DateTStamp",
    "histappointment": "DateTStamp",
}
ZERO = "CAST(`{c}` AS CHAR) LIKE '0000-00-00%'"
PREDICATES = {
    "zero_date": ZERO,
    "blank_date": "CAST(`{c}` AS CHAR) LIKE '0001-01-01%'",
    "minus_one": "`{c}` = -1",
    "tinyint_two": "`{c}` = 2",
    "null_text": "`{c}` IS NULL",
    "empty_text": "`{c}` = ''",
}
SOFT_DELETED = {"procedurelog.ProcStatus": 6, "patient.PatStatus": 4}
# Categories checked by their own tests (here and in test_demo_real_quirks.py).
OWN_TESTS = ("orphan", "split_sum_mismatch", *REAL_DATA_CATEGORIES)


# ---- schema -------------------------------------------------------------------------------------------------
def test_schema_has_the_31_opendental_tables(small_demo: DemoDb) -> None:
    rows = small_demo.rows(
        "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
        (small_demo.database,),
    )
    assert {r[0] for r in rows} == set(COLUMNS)
    assert {r[1] for r in rows} == {"MyISAM"}
    assert {r[2] for r in rows} == {"utf8mb3_general_ci"}
    counts = dict(
        small_demo.rows(
            "SELECT TABLE_NAME, COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s GROUP BY TABLE_NAME",
            (small_demo.database,),
        )
    )
    assert counts == COLUMNS


def test_change_stamps_are_server_maintained_timestamps(small_demo: DemoDb) -> None:
    rows = small_demo.rows(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, EXTRA, COLUMN_DEFAULT FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = %s AND EXTRA LIKE '%%on update%%'",
        (small_demo.database,),
    )
    assert {r[0]: r[1] for r in rows} == STAMPS
    assert {r[2] for r in rows} == {"timestamp"}
    assert all("current_timestamp" in str(r[4]).lower() for r in rows)


def test_keys_primary_auto_increment_and_fk_indexes(small_demo: DemoDb) -> None:
    db = small_demo.database
    autos = small_demo.scalar(
        "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND "
        "EXTRA LIKE '%%auto_increment%%' AND COLUMN_KEY = 'PRI'",
        (db,),
    )
    assert autos == 31
    indexed = {
        (r[0], r[1])
        for r in small_demo.rows(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s AND "
            "SEQ_IN_INDEX = 1",
            (db,),
        )
    }
    for table, column in [
        ("procedurelog", "PatNum"),
        ("procedurelog", "AptNum"),
        ("paysplit", "PayNum"),
        ("claimproc", "ClaimNum"),
        ("appointment", "PatNum"),
        ("commlog", "PatNum"),
        ("procedurelog", "DateTStamp"),
        ("paysplit", "SecDateTEdit"),
        ("benefit", "SecDateTEdit"),
    ]:
        assert (table, column) in indexed, f"no index starting with {table}.{column}"
    # OpenDental leaves these stamps unindexed: an incremental read of them is a full scan.
    for table, column in [("payment", "SecDateTEdit"), ("commlog", "DateTStamp"), ("patient", "DateTStamp")]:
        assert (table, column) not in indexed
    types = dict(
        small_demo.rows(
            "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME), COLUMN_TYPE FROM "
            "information_schema.COLUMNS WHERE TABLE_SCHEMA = %s",
            (db,),
        )
    )
    assert types["appointment.TimeLocked"] == "tinyint(1)"
    assert types["procedurelog.ProcFee"] == "double"
    assert types["appointment.ProvBarText"] == "varchar(60)"
    assert types["securitylog.PermType"] == "smallint(6)"


# ---- sizes --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["small", "larger"])
def test_row_counts_follow_the_real_clinic(which: str, small_demo: DemoDb, larger_demo: DemoDb) -> None:
    demo = small_demo if which == "small" else larger_demo
    counts = dict(demo.rows(" UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM `{t}`" for t in COLUMNS)))
    assert counts == demo.counts
    assert counts["patient"] == demo.patients
    for table, real in REAL_CLINIC_ROWS.items():
        expected = real * demo.patients / 35_135
        assert abs(counts[table] - expected) <= 0.5 or (table == "feesched" and counts[table] == 3), table
    for table, rows in FIXED.items():
        assert counts[table] == rows, table


def test_proportions_hold_between_two_scales(small_demo: DemoDb, larger_demo: DemoDb) -> None:
    scale = LARGER_PATIENTS / SMALL_PATIENTS
    for table in REAL_CLINIC_ROWS:
        small, large = small_demo.counts[table], larger_demo.counts[table]
        if small >= 100:
            assert large / small == pytest.approx(scale, rel=0.02), table


# ---- references ---------------------------------------------------------------------------------------------
def test_references_resolve_except_the_counted_orphans(small_demo: DemoDb) -> None:
    orphans = small_demo.manifest["quirks"]["orphan"]
    assert set(orphans) <= {r.name for r in RELATIONS}
    found = {r.name: small_demo.scalar(r.orphan_sql()) for r in RELATIONS}
    assert {k: v for k, v in found.items() if v} == orphans


def test_related_rows_agree(small_demo: DemoDb) -> None:
    checks = {
        "procedure and its appointment have one patient": "SELECT COUNT(*) FROM procedurelog p JOIN appointment a ON a.AptNum = p.AptNum WHERE p.PatNum <> a.PatNum",
        "claimproc and its procedure have one patient": "SELECT COUNT(*) FROM claimproc c JOIN procedurelog p ON p.ProcNum = c.ProcNum WHERE c.PatNum <> p.PatNum",
        "paysplit and its procedure have one patient": "SELECT COUNT(*) FROM paysplit s JOIN procedurelog p ON p.ProcNum = s.ProcNum "
        "JOIN patient pt ON pt.PatNum = s.PatNum WHERE s.PatNum <> p.PatNum",
        "a guarantor is their own guarantor": "SELECT COUNT(*) FROM patient p JOIN patient g ON g.PatNum = p.Guarantor WHERE g.Guarantor <> g.PatNum",
        "the subscriber is in the insured patient's family": "SELECT COUNT(*) FROM patplan pp JOIN patient p ON p.PatNum = pp.PatNum JOIN inssub s "
        "ON s.InsSubNum = pp.InsSubNum JOIN patient sub ON sub.PatNum = s.Subscriber WHERE sub.Guarantor <> p.Guarantor",
        "claim fee is the sum of its claimprocs": "SELECT COUNT(*) FROM claim c JOIN (SELECT ClaimNum, SUM(FeeBilled) f FROM claimproc GROUP BY ClaimNum) x "
        "ON x.ClaimNum = c.ClaimNum WHERE ABS(c.ClaimFee - x.f) > 0.005",
        "an insurance check is the sum of what its claimprocs paid (but the counted partial and continue-anyway ones)": "SELECT COUNT(*) - "
        f"{sum(small_demo.manifest['quirks']['partial_check'].values())} FROM claimpayment k LEFT JOIN (SELECT ClaimPaymentNum, SUM(InsPayAmt) a FROM claimproc "
        "GROUP BY ClaimPaymentNum) x ON x.ClaimPaymentNum = k.ClaimPaymentNum "
        "WHERE ABS(k.CheckAmt - COALESCE(x.a, 0)) > 0.005",
        "completed procedures have a completion date, others none": "SELECT COUNT(*) FROM procedurelog WHERE (ProcStatus = 2) = (DateComplete = '0001-01-01')",
        "received claims have claimprocs received": "SELECT COUNT(*) FROM claimproc c JOIN claim k ON k.ClaimNum = c.ClaimNum "
        "WHERE (k.ClaimStatus = 'R') <> (c.Status IN (1, 4))",
        "no two appointments in one operatory at one time": "SELECT COUNT(*) FROM (SELECT Op, AptDateTime FROM appointment WHERE Op BETWEEN 1 AND 16 "
        "GROUP BY Op, AptDateTime HAVING COUNT(*) > 1) x",
        "appointments are complete only in the past": f"SELECT COUNT(*) FROM appointment WHERE AptStatus = 2 AND AptDateTime >= '{AS_OF}'",
        "names kept accents (no ? from a lossy charset)": "SELECT COUNT(*) FROM patient WHERE LName LIKE '%?%' OR FName LIKE '%?%'",
    }
    assert {name: small_demo.scalar(sql) for name, sql in checks.items()} == dict.fromkeys(checks, 0)
    assert (
        small_demo.scalar(
            "SELECT COUNT(*) FROM patient WHERE LName <> CONVERT(LName USING ascii) "
            "OR FName <> CONVERT(FName USING ascii)"
        )
        > 0
    )


def test_payment_amounts_are_the_sum_of_their_splits(small_demo: DemoDb) -> None:
    mismatched = small_demo.scalar(
        "SELECT COUNT(*) FROM payment p LEFT JOIN (SELECT PayNum, SUM(SplitAmt) s FROM paysplit GROUP BY PayNum) x "
        "ON x.PayNum = p.PayNum WHERE ABS(p.PayAmt - COALESCE(x.s, 0)) > 0.005"
    )
    assert mismatched == small_demo.manifest["quirks"]["split_sum_mismatch"]["payment.PayAmt"]
    assert small_demo.scalar("SELECT COUNT(*) FROM payment WHERE PayNum NOT IN (SELECT PayNum FROM paysplit)") == 0
    assert small_demo.scalar("SELECT MAX(c) FROM (SELECT COUNT(*) c FROM paysplit GROUP BY PayNum) x") > 5


# ---- quirks -------------------------------------------------------------------------------------------------
def test_quirk_counts_equal_the_manifest(small_demo: DemoDb) -> None:
    quirks = small_demo.manifest["quirks"]
    found: dict[str, dict[str, int]] = {}
    for category, predicate in PREDICATES.items():
        for key in quirks[category]:
            table, column = key.split(".")
            found.setdefault(category, {})[key] = small_demo.scalar(
                f"SELECT COUNT(*) FROM `{table}` WHERE {predicate.format(c=column)}"
            )
    for key, value in SOFT_DELETED.items():
        table, column = key.split(".")
        found.setdefault("soft_deleted", {})[key] = small_demo.scalar(
            f"SELECT COUNT(*) FROM `{table}` WHERE `{column}` = {value}"
        )
    for key in quirks["shared_stamp"]:
        table, column = key.split(".")
        found.setdefault("shared_stamp", {})[key] = small_demo.scalar(
            f"SELECT COUNT(*) FROM `{table}` WHERE `{column}` = %s", (small_demo.manifest["upgrade_stamp"],)
        )
    assert found == {k: v for k, v in quirks.items() if k not in OWN_TESTS}


def test_zero_dates_only_where_promised(small_demo: DemoDb) -> None:
    columns = small_demo.rows(
        "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE "
        "TABLE_SCHEMA = %s AND DATA_TYPE IN ('date', 'datetime', 'timestamp')",
        (small_demo.database,),
    )
    assert len(columns) == 110  # every date, datetime and timestamp column of the 31 tables
    found = {f"{t}.{c}": small_demo.scalar(f"SELECT COUNT(*) FROM `{t}` WHERE {ZERO.format(c=c)}") for t, c in columns}
    assert {k: v for k, v in found.items() if v} == small_demo.manifest["quirks"]["zero_date"]


def test_the_upgrade_stamp_is_the_most_shared_value(small_demo: DemoDb) -> None:
    for key in small_demo.manifest["quirks"]["shared_stamp"]:
        table, column = key.split(".")
        top = small_demo.rows(f"SELECT `{column}`, COUNT(*) FROM `{table}` GROUP BY 1 ORDER BY 2 DESC LIMIT 2")
        assert str(top[0][0]) == small_demo.manifest["upgrade_stamp"]
        assert top[0][1] > 10 * top[1][1]


def test_every_stamp_and_entry_is_before_as_of(small_demo: DemoDb) -> None:
    for table, column in STAMPS.items():
        low, high = small_demo.rows(f"SELECT MIN(`{column}`), MAX(`{column}`) FROM `{table}`")[0]
        assert str(low) >= "2014-01-01" and str(high) < AS_OF, table
    for table, column in [
        ("appointment", "SecDateTEntry"),
        ("procedurelog", "SecDateEntry"),
        ("commlog", "DateTEntry"),
        ("securitylog", "LogDateTime"),
        ("payment", "DateEntry"),
    ]:
        assert str(small_demo.scalar(f"SELECT MAX(`{column}`) FROM `{table}`")) < AS_OF, table
    assert str(small_demo.scalar("SELECT MAX(AptDateTime) FROM appointment")) > AS_OF  # booked ahead


# ---- determinism and errors ---------------------------------------------------------------------------------
def test_same_seed_same_bytes_other_seed_other_bytes(small_demo: DemoDb, build_demo: DemoFactory) -> None:
    again = build_demo("again", SMALL_PATIENTS, small_demo.seed)
    other = build_demo("other", SMALL_PATIENTS, small_demo.seed + 1)
    assert checksum_demo_source(again.url) == checksum_demo_source(small_demo.url)
    assert checksum_demo_source(other.url) != checksum_demo_source(small_demo.url)
    assert other.counts == small_demo.counts  # same sizes, different data


def test_rebuilding_replaces_the_database(build_demo: DemoFactory) -> None:
    demo = build_demo("rebuild", 60)
    first = checksum_demo_source(demo.url)
    counts = build_demo_source(demo.url, 60, 42)
    assert counts == demo.counts and checksum_demo_source(demo.url) == first


def test_a_database_that_is_not_a_demo_source_is_never_dropped(new_database_name: Callable[[str], str]) -> None:
    database = new_database_name("foreign")
    with connect() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{database}`")
        cur.execute(f"CREATE TABLE `{database}`.patient (PatNum BIGINT PRIMARY KEY) ENGINE=MyISAM")
        cur.execute(f"INSERT INTO `{database}`.patient VALUES (1)")
    with pytest.raises(NotADemoSource, match="refusing to drop"):
        build_demo_source(demo_url(database), 50)
    with pytest.raises(NotADemoSource, match="only writes to databases made by"):
        simulate_day(demo_url(database), 42)
    with connect(database) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM patient")
        assert cur.fetchone()[0] == 1


def test_an_existing_empty_database_is_filled(new_database_name: Callable[[str], str]) -> None:
    database = new_database_name("empty")
    with connect() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{database}`")
    assert build_demo_source(demo_url(database), 40)["patient"] == 40


def test_unreachable_server_names_the_url_without_password() -> None:
    url = "mysql+pymysql://root:s3cret@127.0.0.1:1/od_test_demo_nowhere"
    with pytest.raises(DemoSourceUnreachable) as err:
        build_demo_source(url, 50)
    message = str(err.value)
    assert "root:***@127.0.0.1:1/od_test_demo_nowhere" in message
    assert "s3cret" not in message and "start-stop-daemon" in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://x@127.0.0.1/db",
        "mysql+pymysql://root@127.0.0.1:3306/bad-name",
        "mysql+pymysql://root@127.0.0.1:3306/",
    ],
)
def test_bad_urls_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(ValueError, match="mysql\\+pymysql://"):
        build_demo_source(url, 50)


def test_bad_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="seed=-1"):
        build_demo_source(demo_url("od_test_demo_unused"), 50, -1)
