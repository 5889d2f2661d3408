"""Frequency periods are counted in the property's time zone, not the server's."""

from datetime import UTC, datetime

from server.schedule.rules import period_containing


def test_a_late_evening_in_utc_is_already_next_month_in_shanghai():
    moment = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 00:30 on 1 December in Shanghai
    month = period_containing("month", moment, "Asia/Shanghai")
    assert month.start.isoformat() == "2026-12-01T00:00:00+08:00"
    assert month.end.isoformat() == "2027-01-01T00:00:00+08:00"
    assert period_containing("month", moment, "UTC").first_day.month == 11


def test_weeks_start_on_monday_and_days_at_local_midnight():
    sunday_night = datetime(2026, 11, 29, 15, 59, tzinfo=UTC)  # 23:59 Sunday in Shanghai
    week = period_containing("week", sunday_night, "Asia/Shanghai")
    assert (week.start.isoformat(), week.end.isoformat()) == (
        "2026-11-23T00:00:00+08:00", "2026-11-30T00:00:00+08:00")
    day = period_containing("day", sunday_night, "Asia/Shanghai")
    assert day.start.isoformat() == "2026-11-29T00:00:00+08:00"


def test_february_and_year_end():
    assert period_containing("month", datetime(2028, 2, 15, tzinfo=UTC),
                             "Asia/Shanghai").end.isoformat() == "2028-03-01T00:00:00+08:00"
    assert period_containing("month", datetime(2026, 12, 31, 12, tzinfo=UTC),
                             "Asia/Shanghai").end.isoformat() == "2027-01-01T00:00:00+08:00"
