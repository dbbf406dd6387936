"""Sizes and quirk manifest of the demo source, computed without a database."""

from __future__ import annotations

import json
from datetime import date

import pytest

from demo.demo_support import FIXED, REAL_CLINIC_ROWS
from opendental_demo.quirks import QUIRK_CATEGORIES, QuirkPlan, expected_quirks
from opendental_demo.sizes import table_sizes


def test_all_31_tables_are_sized() -> None:
    sizes = table_sizes(200)
    assert len(sizes) == 31
    assert set(sizes) == set(REAL_CLINIC_ROWS) | set(FIXED) | {"patient"}


@pytest.mark.parametrize("patients", [35_135, 35_000, 1_000])
def test_sizes_follow_the_real_clinic(patients: int) -> None:
    sizes = table_sizes(patients)
    assert sizes["patient"] == patients
    for table, real in REAL_CLINIC_ROWS.items():
        expected = real * patients / 35_135
        assert abs(sizes[table] - expected) <= 0.5 or (table == "feesched" and sizes[table] == 3), table
    for table, rows in FIXED.items():
        assert sizes[table] == rows, table


def test_35000_patients_is_about_the_real_clinic() -> None:
    sizes = table_sizes(35_000)
    assert 4_700_000 < sizes["securitylog"] < 4_740_000
    assert 1_470_000 < sizes["paysplit"] < 1_490_000
    assert 8_500_000 < sum(sizes.values()) < 9_500_000


@pytest.mark.parametrize("patients", [0, 19, 1_000_001, -5])
def test_patients_out_of_range_is_refused_with_the_range(patients: int) -> None:
    with pytest.raises(ValueError, match=r"patients=.*use 20\.\.1000000"):
        table_sizes(patients)


def test_manifest_is_deterministic_and_json() -> None:
    one = expected_quirks(300, 7)
    assert one == expected_quirks(300, 7)
    assert json.loads(json.dumps(one)) == one
    assert set(one["quirks"]) == set(QUIRK_CATEGORIES)
    assert one != expected_quirks(300, 8)
    assert one != expected_quirks(300, 7, date(2026, 1, 1))


@pytest.mark.parametrize("patients", [20, 100, 35_000])
def test_every_promised_quirk_is_present_at_every_scale(patients: int) -> None:
    quirks = expected_quirks(patients)["quirks"]
    for category, columns in quirks.items():
        assert columns, category
        for column, count in columns.items():
            assert count > 0, f"{category} {column} has no rows at {patients} patients"


def test_quirk_amounts_scale_with_the_data() -> None:
    small, large = expected_quirks(1_000)["quirks"], expected_quirks(35_000)["quirks"]
    # Dense quirks keep their share: the soft-deleted procedures stay ~3 % at both scales.
    small_share = small["soft_deleted"]["procedurelog.ProcStatus"] / table_sizes(1_000)["procedurelog"]
    large_share = large["soft_deleted"]["procedurelog.ProcStatus"] / table_sizes(35_000)["procedurelog"]
    assert small_share == pytest.approx(0.03, abs=0.002)
    assert large_share == pytest.approx(0.03, abs=0.002)
    ratio = large["shared_stamp"]["commlog.DateTStamp"] / small["shared_stamp"]["commlog.DateTStamp"]
    assert ratio == pytest.approx(35, rel=0.05)


def test_issue_17_counts_are_what_the_selectors_select() -> None:
    plan = QuirkPlan.make(300, 7, date(2026, 11, 25))
    extra = plan.extra
    for band in (extra.negative_fee, extra.future_completed, extra.unit_qty, extra.base_units, extra.fee_blank):
        assert band.count() == sum(1 for n in range(1, band.last + 1) if n in band) > 0
    assert not any(n in extra.negative_fee and n in plan.proc_deleted for n in range(1, extra.negative_fee.last + 1))
    assert extra.negative_fee.pinned != extra.future_completed.pinned
    quirks = plan.quirk_counts()
    apts = plan.sizes["appointment"]
    seated = sum(1 for a in range(1, apts + 1) if extra.apt_times(a) == ("time", "time", "midnight"))
    midnight = quirks["midnight_time"]
    assert midnight["appointment.DateTimeDismissed"] - midnight["appointment.DateTimeArrived"] == seated > 0
    assert quirks["orphan"]["histappointment.InsPlan1"] == quirks["merged_plan"]["histappointment.InsPlan1"]
    top = max(quirks["undocumented_permtype"].items(), key=lambda kv: kv[1])
    assert top[0] == "securitylog.PermType=83"
