"""Report periods: local-time month, day and week bounds, month strings, and which period is due when."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from month_seed import local

from yuqing.reports.periods import PeriodError, day_period, latest_due, parse_day, parse_month, week_period
from yuqing.settings_model import SchedulerSettings

UTC = UTC


def test_a_month_runs_from_local_midnight_on_the_first_to_the_next_first():
    november = parse_month("2026-11")
    assert november.start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert november.end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert (november.key, november.label, november.span_text) == (
        "2026-11",
        "2026年11月",
        "2026年11月1日至2026年11月30日",
    )
    assert november.contains(local(11, 1, 0, 0)) and not november.contains(local(12, 1, 0, 0))
    assert parse_month("2026-01").previous().key == "2025-12"
    assert parse_month(" 2026-2 ").key == "2026-02"


@pytest.mark.parametrize(
    "text, message",
    [
        ("2026-13", "月份不存在"),
        ("2026-00", "月份不存在"),
        ("2026/11", "月份格式不正确"),
        ("11-2026", "月份格式不正确"),
        ("", "月份格式不正确"),
        ("二〇二六年十一月", "月份格式不正确"),
    ],
)
def test_bad_month_strings_get_a_chinese_message(text, message):
    with pytest.raises(PeriodError, match=message):
        parse_month(text)


def test_days_and_iso_weeks():
    assert parse_day("2026-11-25") == date(2026, 11, 25)
    with pytest.raises(PeriodError, match="日期不存在"):
        parse_day("2026-02-30")
    week = week_period(date(2026, 11, 26))
    assert (week.first, week.last, week.key) == (date(2026, 11, 23), date(2026, 11, 29), "2026-W48")
    assert week.previous().key == "2026-W47"
    assert day_period(date(2026, 11, 25)).end == local(11, 26)


@pytest.mark.parametrize(
    "kind, now, key",
    [
        ("monthly", local(12, 1, 7, 59), "2026-10"),
        ("monthly", local(12, 1, 8, 0), "2026-11"),
        ("monthly", local(12, 20, 8, 0), "2026-11"),  # a missed run still produces last month's report
        ("daily", local(11, 25, 7, 59), "2026-11-23"),
        ("daily", local(11, 25, 8, 0), "2026-11-24"),
        ("weekly", local(11, 30, 8, 0), "2026-W48"),  # Monday 08:00: the week just ended
        ("weekly", local(11, 30, 7, 0), "2026-W47"),
        ("weekly", local(11, 29, 9, 0), "2026-W47"),  # Sunday: the current week is not over
    ],
)
def test_latest_due_period(kind, now, key):
    assert latest_due(kind, SchedulerSettings(), now).key == key


def test_latest_due_follows_the_configured_day_and_weekday():
    conf = SchedulerSettings(monthly_report_day=5, monthly_report_time="09:30", weekly_brief_weekday=3)
    assert latest_due("monthly", conf, local(12, 5, 9, 29)).key == "2026-10"
    assert latest_due("monthly", conf, local(12, 5, 9, 30)).key == "2026-11"
    assert latest_due("weekly", conf, local(12, 2, 8, 0)).key == "2026-W48"  # Wednesday after week 48
