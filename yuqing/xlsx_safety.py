"""Spreadsheet safety for untrusted text (xlsx and CSV): no formula injection, no characters Excel refuses."""

from __future__ import annotations

import re
from typing import Any

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A formula may start after blanks (importers can trim them) and with the full-width forms (＝＋－＠), which
# Chinese input methods produce and some spreadsheet programs read as their ASCII twins.
_FORMULA = re.compile(r"^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r\n]")
MAX_CELL = 32767


def safe_cell(value: Any) -> Any:
    """Text that came from the web, made inert for Excel, LibreOffice and CSV importers: a leading quote before a
    formula start, control characters removed, length capped at Excel's limit. Numbers, booleans, dates and None
    pass unchanged."""
    if not isinstance(value, str):
        return value
    if _FORMULA.match(value):
        value = "'" + value
    value = _ILLEGAL.sub("", value)
    return value[:MAX_CELL]
