"""Spreadsheet safety for untrusted text: no formula injection, no characters Excel refuses."""

from __future__ import annotations

import re
from typing import Any

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32767


def safe_cell(value: Any) -> Any:
    """Text that came from the web, made inert for Excel: a leading quote before formula characters, control
    characters removed, length capped at Excel's limit. Numbers, booleans, dates and None pass unchanged."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return value[:MAX_CELL]
