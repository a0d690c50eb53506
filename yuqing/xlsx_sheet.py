"""One sheet of records as an Excel user expects it: a bold frozen header, real date and number cells in local time,
widths that fit. Used by the dashboard's event export and by `yuqing export --format xlsx` (streamed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from yuqing.timeutil import LOCAL, to_local
from yuqing.xlsx_safety import safe_cell

Kind = Literal["text", "datetime", "int", "float", "bool"]
FORMATS = {"datetime": "yyyy-mm-dd hh:mm", "int": "0", "float": "0.00"}
HEADER_FONT = Font(bold=True)


@dataclass(frozen=True)
class SheetColumn:
    """A column: the record key, the Chinese heading, the kind of value and the width in characters."""

    key: str
    title: str
    kind: Kind = "text"
    width: float = 12


def _local_time(value: Any, zone: ZoneInfo) -> datetime | None:
    """An aware datetime or an ISO text as a local wall-clock time without zone (how Excel stores times)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return to_local(value, zone).replace(tzinfo=None) if value.tzinfo else value


def cell_value(value: Any, kind: Kind, zone: ZoneInfo = LOCAL) -> Any:
    """A record value as an Excel cell value: times as dates, numbers as numbers, text made inert."""
    if value is None or value == "":
        return None
    if kind == "datetime":
        return _local_time(value, zone) or safe_cell(value)
    if kind in ("int", "float") and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if kind == "bool":
        return "是" if value else "否"
    if isinstance(value, list):
        value = ";".join(map(str, value))
    return safe_cell(value)


def write_sheet(sheet, columns: list[SheetColumn], rows: Iterable[dict], zone: ZoneInfo = LOCAL) -> int:
    """Write the header and the rows into a write-only worksheet (widths and frozen header first); returns rows."""
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=cell_value(row.get(column.key), column.kind, zone))
            if column.kind in FORMATS and not isinstance(cell.value, str):
                cell.number_format = FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
        count += 1
    return count
