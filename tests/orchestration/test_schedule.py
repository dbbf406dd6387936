"""The schedule setting: each DAG's next 24 fire times across a daylight-saving change, the crontab and the
systemd timers made from the same setting, and clear errors for bad settings."""

from __future__ import annotations

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction
from airflow.timetables.trigger import CronTriggerTimetable

from opendental_ops.crontab import cron_fields, on_calendar, render
from opendental_ops.settings import OpsConfigError, clinics, load_ops_settings

ZONE = "America/New_York"


def fire_times(expr: str, zone: str, after: str, count: int = 24) -> list[pendulum.DateTime]:
    """What Airflow's scheduler will do: the core timetable's next run times, one after another."""
    timetable = CronTriggerTimetable(expr, timezone=zone)
    earliest = pendulum.parse(after, tz=zone)
    assert isinstance(earliest, pendulum.DateTime)
    last: DataInterval | None = None
    found: list[pendulum.DateTime] = []
    for _ in range(count):
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last, restriction=TimeRestriction(earliest=earliest, latest=None, catchup=True)
        )
        assert info is not None
        last = info.data_interval
        found.append(info.run_after.in_timezone(zone))
    return found


def local(times: list[pendulum.DateTime]) -> list[str]:
    return [t.strftime("%a %Y-%m-%d %H:%M %Z") for t in times]


def test_high_fires_every_six_hours_of_local_time_across_spring_forward() -> None:
    # 2027-03-14 02:00 EST becomes 03:00 EDT: the run at 06:00 local comes 5 real hours after midnight's.
    times = fire_times(load_ops_settings().job_schedule("high"), ZONE, "2027-03-12T00:30")
    assert [t.hour for t in times] == [6, 12, 18, 0] * 6
    gaps = [(b - a).total_seconds() / 3600 for a, b in zip(times, times[1:], strict=False)]
    assert gaps.count(5) == 1 and gaps.count(6) == len(gaps) - 1
    assert local(times)[7:9] == ["Sun 2027-03-14 00:00 EST", "Sun 2027-03-14 06:00 EDT"]


def test_medium_fires_sundays_at_two_and_an_hour_later_when_two_does_not_exist() -> None:
    times = fire_times(load_ops_settings().job_schedule("medium"), ZONE, "2027-01-01")
    assert all(t.day_of_week == pendulum.SUNDAY for t in times)
    assert len({t.date() for t in times}) == 24  # one a week, none skipped, none doubled
    spring = [t for t in times if t.date().isoformat() == "2027-03-14"]
    # 02:00 does not exist on the spring-forward Sunday: Airflow fires at 03:00 EDT, the same instant.
    assert local(spring) == ["Sun 2027-03-14 03:00 EDT"]
    assert all(t.hour == 2 for t in times if t not in spring)


def test_low_fires_the_first_sunday_of_each_month_across_both_changes() -> None:
    times = fire_times(load_ops_settings().job_schedule("low"), ZONE, "2026-12-01")
    assert [t.strftime("%Y-%m") for t in times[:3]] == ["2026-12", "2027-01", "2027-02"]
    assert len({t.strftime("%Y-%m") for t in times}) == 24  # every month once
    assert all(t.day_of_week == pendulum.SUNDAY and t.day <= 7 and t.hour == 3 for t in times)
    assert local(times)[3:5] == ["Sun 2027-03-07 03:00 EST", "Sun 2027-04-04 03:00 EDT"]
    assert "Sun 2027-11-07 03:00 EST" in local(times)  # the fall-back Sunday itself: 03:00 exists once


def test_crontab_and_systemd_timers_come_from_the_same_setting() -> None:
    assert cron_fields("0 3 * * 0#1") == ("0 3 1-7 * *", "7")
    assert cron_fields("0 */6 * * *") == ("0 */6 * * *", None)
    assert on_calendar("0 3 * * 0#1", ZONE) == f"Sun *-*-01..07 03:00:00 {ZONE}"
    assert on_calendar("0 */6 * * *", ZONE) == f"*-*-* 00/6:00:00 {ZONE}"
    assert on_calendar("0 2 * * 0", ZONE) == f"Sun *-*-* 02:00:00 {ZONE}"
    text = render(load_ops_settings())
    assert f"CRON_TZ={ZONE}" in text
    assert '0 3 1-7 * * [ "$(TZ=America/New_York date +\\%u)" = 7 ] && flock -n' in text
    assert "run --group high --clinic main" in text and "maintain --job maintenance_weekly" in text


def test_bad_settings_name_the_value_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCHESTRATION__TIMEZONE", "Eastern")
    with pytest.raises(OpsConfigError, match="'Eastern' is not an IANA time zone; use e.g."):
        load_ops_settings()
    monkeypatch.delenv("ORCHESTRATION__TIMEZONE")
    monkeypatch.setenv("ORCHESTRATION__SCHEDULE", '{"high": "every 6 hours"}')
    with pytest.raises(OpsConfigError, match="schedule.high = 'every 6 hours'; use five cron fields"):
        load_ops_settings()
    monkeypatch.delenv("ORCHESTRATION__SCHEDULE")
    monkeypatch.setenv("ORCHESTRATION__CLINICS", '{"a": {"dataset": "raw"}, "b": {"dataset": "raw"}}')
    with pytest.raises(OpsConfigError, match="dataset 'raw' is also clinic 'a'"):
        clinics(load_ops_settings())
    monkeypatch.setenv(
        "ORCHESTRATION__CLINICS", '{"b": {"dataset": "raw_b", "source_credentials": "sources.b.credentials"}}'
    )
    with pytest.raises(OpsConfigError, match="set SOURCES__B__CREDENTIALS=mysql"):
        clinics(load_ops_settings())[0].source_url()
