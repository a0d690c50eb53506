"""Excel rendering: one sheet per table with real numbers, shares and local times, plus a 说明 sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from yuqing.reports.tables import Column, ReportContent, local_naive
from yuqing.xlsx_safety import safe_cell

FORMATS = {"percent": "0.0%", "hours": "0.00", "float": "0.00", "datetime": "yyyy-mm-dd hh:mm", "int": "0"}
HEADER_FONT = Font(name="黑体", bold=True)
INFO_SHEET = "说明"


def heading(column: Column) -> str:
    """The sheet heading of a column; durations say their unit, since the cell holds a number of hours."""
    return f"{column.title}(小时)" if column.kind == "hours" else column.title


def cell_value(value: Any, column: Column, zone: ZoneInfo) -> Any:
    """A table value as an Excel cell value: rounded numbers, local wall-clock times, inert text."""
    if value is None:
        return column.empty
    if column.kind == "percent":
        return round(value, 4)
    if column.kind in ("hours", "float"):
        return round(value, 2)
    if column.kind == "datetime":
        return local_naive(value, zone)
    return safe_cell(value)


def _width(value: Any) -> int:
    text = str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def write_xlsx(content: ReportContent, path: Path) -> Path:
    """Write every table of the report as a sheet, after a 说明 sheet with the title, period, method and notes."""
    workbook = Workbook()
    info = workbook.active
    info.title = INFO_SHEET
    notes = [f"{table.title}:{table.note}" for table in content.tables() if table.note]
    for line in (content.title, content.period_line, content.footer, *notes):
        info.append([safe_cell(line)])
    info["A1"].font = Font(name="黑体", bold=True, size=14)
    info.column_dimensions["A"].width = 100
    for row in info.iter_rows(min_row=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for table in content.tables():
        sheet = workbook.create_sheet(table.sheet[:31])
        sheet.append([heading(column) for column in table.columns])
        for cell in sheet[1]:
            cell.font = HEADER_FONT
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for values in table.rows:
            sheet.append([cell_value(v, c, content.zone) for v, c in zip(values, table.columns, strict=True)])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            for cell in sheet[letter][1:]:
                if not isinstance(cell.value, str):
                    cell.number_format = FORMATS.get(column.kind, "General")
            widest = max([_width(heading(column)), *(_width(c.value) for c in sheet[letter][1:])])
            sheet.column_dimensions[letter].width = min(max(widest + 2, 8), 60)
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    return path
