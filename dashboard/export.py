"""The current event list as an Excel workbook (bytes for dcc.send_bytes), formula-safe."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yuqing.xlsx_safety import safe_cell

EVENT_COLUMNS = [
    ("id", "编号", 8),
    ("title", "标题", 50),
    ("topic", "领域", 14),
    ("level", "等级", 12),
    ("office", "责任单位", 20),
    ("status", "状态", 10),
    ("source", "来源", 24),
    ("village", "村", 10),
    ("detected", "发现时间", 17),
    ("last_mention", "最新信息", 17),
    ("mentions", "信息数", 8),
    ("heat", "热度", 8),
]


def make_event_workbook(rows: list[dict], title: str = "事件清单") -> bytes:
    """An .xlsx with one row per event (the rows of query_event_list), header bold and frozen."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([label for _, label, _ in EVENT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(row.get(key)) for key, _, _ in EVENT_COLUMNS])
    for index, (_, _, width) in enumerate(EVENT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
