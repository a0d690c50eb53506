"""Time helpers: everything stored in UTC, shown in the configured local zone (Asia/Shanghai by default)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import overload
from zoneinfo import ZoneInfo

UTC = UTC
LOCAL = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
@overload
def as_utc(value: datetime | None) -> datetime | None: ...


def as_utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime; naive input is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime | None, zone: ZoneInfo = LOCAL) -> datetime | None:
    """The same instant in the local zone."""
    value = as_utc(value)
    return value.astimezone(zone) if value else None


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M", zone: ZoneInfo = LOCAL) -> str:
    """A local-time string, or “—” for no time."""
    local = to_local(value, zone)
    return local.strftime(fmt) if local else "—"


def format_duration(delta: timedelta | float) -> str:
    """A Chinese duration such as “2小时15分”, “3天4小时”, “45秒”."""
    seconds = int(abs(delta.total_seconds() if isinstance(delta, timedelta) else delta))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    if minutes:
        return f"{minutes}分"
    return f"{secs}秒"


def remaining_text(due: datetime, now: datetime | None = None) -> str:
    """“还剩 2小时15分” before a deadline, “已超时 35分” after it."""
    now = now or utcnow()
    delta = as_utc(due) - as_utc(now)
    if delta.total_seconds() >= 0:
        return f"还剩 {format_duration(delta)}"
    return f"已超时 {format_duration(delta)}"
