"""Relative and absolute Chinese date strings → aware UTC, read as Asia/Shanghai."""

from datetime import UTC, datetime

import pytest

from crawlers.dates import parse_datetime

UTC = UTC
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("刚刚", NOW),
        ("3分钟前", utc(2026, 11, 25, 3, 57)),
        ("30秒前", utc(2026, 11, 25, 3, 59, 30)),
        ("半小时前", utc(2026, 11, 25, 3, 30)),
        ("2小时前", utc(2026, 11, 25, 2, 0)),
        ("5天前", utc(2026, 11, 20, 4, 0)),
        ("今天 09:30", utc(2026, 11, 25, 1, 30)),
        ("昨天 14:20", utc(2026, 11, 24, 6, 20)),
        ("昨天下午3:20", utc(2026, 11, 24, 7, 20)),
        ("前天", utc(2026, 11, 22, 16, 0)),  # local midnight two days ago
        ("2019年5月9日", utc(2019, 5, 8, 16, 0)),
        ("2019年05月09日 14时20分", utc(2019, 5, 9, 6, 20)),
        ("05-09 14:20", utc(2026, 5, 9, 6, 20)),
        ("12-24 10:00", utc(2025, 12, 24, 2, 0)),  # would be in the future this year: last year
        ("5月9日", utc(2026, 5, 8, 16, 0)),
        ("2026-11-25 08:12:33", utc(2026, 11, 25, 0, 12, 33)),
        ("2026/11/25 08:12", utc(2026, 11, 25, 0, 12)),
        ("发表于 2026-11-25 08:12 阅读 1,024", utc(2026, 11, 25, 0, 12)),
        ("2026-11-25T08:12:33Z", utc(2026, 11, 25, 8, 12, 33)),
        ("2026-11-25T08:12:33.250+08:00", utc(2026, 11, 25, 0, 12, 33)),
        ("Tue, 25 Nov 2026 08:12:33 +0800", utc(2026, 11, 25, 0, 12, 33)),
        ("Tue, 25 Nov 2026 08:12:33 GMT", utc(2026, 11, 25, 8, 12, 33)),
        ("２０２６－１１－２５　０８：１２", utc(2026, 11, 25, 0, 12)),  # full-width digits
        ("1764000000", utc(2025, 11, 24, 16, 0)),
        ("14:20", utc(2026, 11, 24, 6, 20)),  # a bare time later than now: yesterday
        ("09:30", utc(2026, 11, 25, 1, 30)),
    ],
)
def test_parses_to_utc(text, expected):
    assert parse_datetime(text, now=NOW) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "garbage", "2026-13-45", "99:99", "评论(3)", True, 12])
def test_unrecognisable_gives_none(value):
    assert parse_datetime(value, now=NOW) is None


def test_numbers_and_datetimes():
    assert parse_datetime(1764000000000, now=NOW) == utc(2025, 11, 24, 16, 0)  # milliseconds
    assert parse_datetime(datetime(2026, 11, 25, 8, 0), now=NOW) == utc(2026, 11, 25, 0, 0)  # naive = Shanghai
    assert parse_datetime(utc(2026, 1, 1), now=NOW) == utc(2026, 1, 1)


def test_always_aware_utc():
    result = parse_datetime("昨天 23:59", now=NOW)
    assert result.tzinfo is UTC
