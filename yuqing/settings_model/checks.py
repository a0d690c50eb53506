"""What every settings section shares: strict parsing, the value checks, and errors that name their key."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_SPAN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


class KeyedProblem(ValueError):
    """A check across sections that knows the key it is about, so the loader can name the line."""

    def __init__(self, message: str, loc: tuple):
        super().__init__(message)
        self.loc = loc


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, values are checked strictly."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def check_span(value: str) -> str:
    if value and not _SPAN.match(value):
        raise ValueError("应为“HH:MM-HH:MM”形式的时间段,例如 “06:00-23:00”")
    return value


def check_hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("应为“HH:MM”形式的时间,例如 “08:30”")
    return value


_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def check_email(value: str) -> str:
    """An e-mail address, or empty; anything else is a configuration error."""
    value = value.strip()
    if value and not _EMAIL.match(value):
        raise ValueError(f"“{value}”不是有效的电子邮件地址,应形如 “name@example.gov.cn”")
    return value


def check_shift_changes(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("至少需要一个交班时间,例如 [\"08:30\"]")
    times = [check_hhmm(v) for v in values]
    if len(set(times)) != len(times):
        raise ValueError("交班时间重复")
    return sorted(times)
