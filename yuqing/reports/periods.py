"""Report periods in local time (a month, a day or an ISO week) and which one is due at a given moment."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from yuqing.settings_model import SchedulerSettings
from yuqing.timeutil import LOCAL, as_utc

KINDS = ("monthly", "daily", "weekly")
KIND_NAMES = {"monthly": "月度问责报告", "daily": "舆情日报", "weekly": "舆情周报"}

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class PeriodError(ValueError):
    """A period the user typed that cannot be understood (the message is Chinese)."""


@dataclass(frozen=True)
class Period:
    """A reporting period: local midnight `first` (inclusive) to local midnight `after` (exclusive)."""

    kind: str
    first: date
    after: date
    zone: ZoneInfo = LOCAL

    @property
    def start(self) -> datetime:
        """The first instant, in UTC."""
        return as_utc(datetime.combine(self.first, time(), self.zone))

    @property
    def end(self) -> datetime:
        """The first instant after the period, in UTC (the report's cut-off)."""
        return as_utc(datetime.combine(self.after, time(), self.zone))

    @property
    def last(self) -> date:
        """The last day inside the period."""
        return self.after - timedelta(days=1)

    @property
    def key(self) -> str:
        """The stable key stored in Report.period: 2026-11, 2026-11-25 or 2026-W48."""
        if self.kind == "monthly":
            return f"{self.first:%Y-%m}"
        if self.kind == "weekly":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return self.first.isoformat()

    @property
    def label(self) -> str:
        """How the period is named in a title: “2026年11月”, “2026年11月25日”, “2026年第48周”."""
        if self.kind == "monthly":
            return f"{self.first.year}年{self.first.month}月"
        if self.kind == "weekly":
            year, week, _ = self.first.isocalendar()
            return f"{year}年第{week}周"
        return _cn_date(self.first)

    @property
    def span_text(self) -> str:
        """The 报告期 line: “2026年11月1日至2026年11月30日”."""
        if self.first == self.last:
            return _cn_date(self.first)
        return f"{_cn_date(self.first)}至{_cn_date(self.last)}"

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == "monthly":
            return month_period(_add_months(self.first, -1), self.zone)
        return Period(self.kind, self.first - (self.after - self.first), self.first, self.zone)

    def contains(self, moment: datetime) -> bool:
        """Whether an instant falls inside the period."""
        return self.start <= as_utc(moment) < self.end


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_period(day: date, zone: ZoneInfo = LOCAL) -> Period:
    """The calendar month containing a date."""
    first = day.replace(day=1)
    return Period("monthly", first, _add_months(first, 1), zone)


def day_period(day: date, zone: ZoneInfo = LOCAL) -> Period:
    """One calendar day."""
    return Period("daily", day, day + timedelta(days=1), zone)


def week_period(day: date, zone: ZoneInfo = LOCAL) -> Period:
    """The ISO week (Monday to Sunday) containing a date."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    return Period("weekly", monday, monday + timedelta(days=7), zone)


def parse_month(text: str | None, zone: ZoneInfo = LOCAL) -> Period:
    """“2026-11” → that month; anything else raises PeriodError with a Chinese message."""
    match = _MONTH.match(text or "")
    if not match:
        raise PeriodError(f"月份格式不正确:“{text or ''}”。应为 YYYY-MM,例如 2026-11")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise PeriodError(f"月份不存在:“{text}”(月份应在 01 到 12 之间)")
    if year < 1970:
        raise PeriodError(f"年份不合理:“{text}”")
    return month_period(date(year, month, 1), zone)


def parse_day(text: str) -> date:
    """“2026-11-25” → a date; anything else raises PeriodError with a Chinese message."""
    match = _DATE.match(text or "")
    if not match:
        raise PeriodError(f"日期格式不正确:“{text}”。应为 YYYY-MM-DD,例如 2026-11-25")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise PeriodError(f"日期不存在:“{text}”") from exc


def period_for(kind: str, day: date, zone: ZoneInfo = LOCAL) -> Period:
    """The period of a kind that contains a date."""
    return {"monthly": month_period, "daily": day_period, "weekly": week_period}[kind](day, zone)


def latest_due(kind: str, conf: SchedulerSettings, now: datetime, zone: ZoneInfo = LOCAL) -> Period:
    """The most recent period whose scheduled report time has passed at `now`.

    Monthly: the month before the latest report day (at monthly_report_time); daily: the day before the
    latest daily_brief_time; weekly: the last full ISO week before the latest weekly_brief_weekday. A job
    that was missed (service down on the 1st) therefore still produces the report when it next runs."""
    local = as_utc(now).astimezone(zone)
    at = conf.monthly_report_time if kind == "monthly" else conf.daily_brief_time
    hour, minute = (int(part) for part in at.split(":"))
    today = local.date()
    if kind == "monthly":
        scheduled = today.replace(day=conf.monthly_report_day)
        if _before(local, scheduled, hour, minute):
            scheduled = _add_months(scheduled, -1).replace(day=conf.monthly_report_day)
        return month_period(_add_months(scheduled, -1), zone)
    if kind == "daily":
        scheduled = today if not _before(local, today, hour, minute) else today - timedelta(days=1)
        return day_period(scheduled - timedelta(days=1), zone)
    scheduled = today - timedelta(days=(today.isoweekday() - conf.weekly_brief_weekday) % 7)
    if _before(local, scheduled, hour, minute):
        scheduled -= timedelta(days=7)
    return week_period(scheduled - timedelta(days=scheduled.isoweekday() - 1) - timedelta(days=7), zone)


def _before(local: datetime, day: date, hour: int, minute: int) -> bool:
    return local < datetime.combine(day, time(hour, minute), local.tzinfo)
