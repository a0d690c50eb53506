"""Date strings as Chinese sites write them ("3分钟前", "昨天 14:20", "2019年5月9日") → aware UTC datetimes."""

from __future__ import annotations

import email.utils
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")

_TIME = r"(?:(?P<ampm>上午|下午|晚上|中午|凌晨|早上)\s*)?(?P<hour>\d{1,2})\s*[:时點点]\s*(?P<minute>\d{1,2})(?:\s*[:分]\s*(?P<second>\d{1,2})(?:\.\d+)?)?\s*分?秒?"
_ZONE = r"(?P<zone>Z|[+-]\d{2}:?\d{2})?"
_FULL_DATE = re.compile(
    r"(?<!\d)(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})(?!\d)\s*[日号]?"
    rf"(?:\s*(?:T|\s)?\s*{_TIME})?\s*{_ZONE}"
)
_SHORT_DATE = re.compile(
    r"(?<![\d\-/.])(?P<month>\d{1,2})\s*[-/月]\s*(?P<day>\d{1,2})(?!\d)\s*[日号]?" rf"(?:\s*{_TIME})?"
)
_TIME_ONLY = re.compile(rf"^{_TIME}$")
_AGO = re.compile(
    r"(?P<n>\d+|半|一|两|几)\s*(?P<unit>秒|分钟|分|小时|个小时|钟头|天|日|周|星期|个月|月|年)\s*(?:以?前)"
)
_DAY_WORDS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}
_DAY_WORD = re.compile(rf"(?P<word>大前天|前天|昨天|昨日|今天|今日)(?:\s*{_TIME})?")
_UNIT_SECONDS = {
    "秒": 1,
    "分钟": 60,
    "分": 60,
    "小时": 3600,
    "个小时": 3600,
    "钟头": 3600,
    "天": 86400,
    "日": 86400,
    "周": 7 * 86400,
    "星期": 7 * 86400,
    "个月": 30 * 86400,
    "月": 30 * 86400,
    "年": 365 * 86400,
}
_EPOCH_MIN, _EPOCH_MAX = 946684800, 4102444800  # 2000-01-01 .. 2100-01-01


def parse_datetime(value: object, now: datetime | None = None, zone: ZoneInfo = SHANGHAI) -> datetime | None:
    """An aware UTC datetime for a date string, epoch number or datetime; local times are read in `zone`.

    `now` (aware; default the current time) anchors relative forms such as "3分钟前" and dates without a year.
    Returns None when nothing recognisable is found.
    """
    if value is None or isinstance(value, bool):
        return None
    now = (now or datetime.now(UTC)).astimezone(zone)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    if not text:
        return None
    for parse in (
        _parse_epoch_text,
        _parse_relative,
        _parse_day_word,
        _parse_full,
        _parse_rfc822,
        _parse_short,
        _parse_time_only,
    ):
        try:
            result = parse(text, now, zone)
        except (ValueError, OverflowError):
            result = None
        if result is not None:
            return result.astimezone(UTC)
    return None


def _from_epoch(number: float) -> datetime | None:
    if number > _EPOCH_MAX * 100:  # milliseconds
        number /= 1000
    if not _EPOCH_MIN <= number <= _EPOCH_MAX:
        return None
    return datetime.fromtimestamp(number, UTC)


def _parse_epoch_text(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    if re.fullmatch(r"\d{10}(\.\d+)?|\d{13}", text):
        return _from_epoch(float(text))
    return None


def _clock(match: re.Match) -> time | None:
    if match.group("hour") is None:
        return None
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    second = int(match.group("second") or 0)
    ampm = match.group("ampm")
    if ampm in ("下午", "晚上") and hour < 12 or ampm == "中午" and hour < 11:
        hour += 12
    elif ampm in ("凌晨", "上午", "早上") and hour == 12:
        hour = 0
    return time(hour, minute, min(second, 59))


def _at(day: date, clock: time | None, zone) -> datetime:
    return datetime.combine(day, clock or time(0, 0), tzinfo=zone)


def _parse_relative(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    if text.startswith(("刚刚", "刚才")):
        return now
    match = _AGO.search(text)
    if not match:
        return None
    n = {"半": 0.5, "一": 1, "两": 2, "几": 3}.get(match.group("n")) or float(match.group("n"))
    unit = match.group("unit")
    if n == 0.5 and unit in ("分钟", "分"):  # "半分钟前" is not a thing; "半小时前" is
        unit = "分钟"
    return now - timedelta(seconds=n * _UNIT_SECONDS[unit])


def _parse_day_word(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    match = _DAY_WORD.search(text)
    if not match:
        return None
    day = now.date() - timedelta(days=_DAY_WORDS[match.group("word")])
    return _at(day, _clock(match), zone)


def _parse_full(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    match = _FULL_DATE.search(text)
    if not match:
        return None
    day = date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
    result = _at(day, _clock(match), zone)
    offset = match.group("zone")
    if offset:
        result = result.replace(tzinfo=_offset_zone(offset))
    return result


def _offset_zone(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _parse_rfc822(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    if not re.search(r"[A-Za-z]{3}", text):
        return None
    try:
        result = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if result is None:
        return None
    return result if result.tzinfo else result.replace(tzinfo=zone)


def _parse_short(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """Month and day without a year ("05-09 14:20", "5月9日"): this year, or last year if that is in the future."""
    match = _SHORT_DATE.search(text)
    if not match:
        return None
    month, day = int(match.group("month")), int(match.group("day"))
    clock = _clock(match)
    result = _at(date(now.year, month, day), clock, zone)
    if result > now + timedelta(days=1):
        result = _at(date(now.year - 1, month, day), clock, zone)
    return result


def _parse_time_only(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """A bare clock time ("14:20"), as forums show today's posts: today, or yesterday if that is in the future."""
    match = _TIME_ONLY.match(text)
    if not match:
        return None
    result = _at(now.date(), _clock(match), zone)
    if result > now + timedelta(minutes=5):
        result -= timedelta(days=1)
    return result
