"""The current event list as an Excel workbook (bytes for dcc.send_bytes): date cells, a frozen header, inert text."""

from __future__ import annotations

import io

from openpyxl import Workbook

from yuqing.xlsx_sheet import SheetColumn, write_sheet

EVENT_COLUMNS = [
    SheetColumn("id", "编号", "int", 8),
    SheetColumn("title", "标题", "text", 50),
    SheetColumn("topic", "领域", "text", 14),
    SheetColumn("level", "等级", "text", 16),
    SheetColumn("office", "责任单位", "text", 20),
    SheetColumn("status", "状态", "text", 10),
    SheetColumn("next_stage", "当前环节", "text", 14),
    SheetColumn("due_at", "截止时间", "datetime", 17),
    SheetColumn("overdue_hours", "超时(小时)", "float", 11),
    SheetColumn("source", "来源", "text", 24),
    SheetColumn("village", "村", "text", 10),
    SheetColumn("detected_at", "发现时间", "datetime", 17),
    SheetColumn("last_mention_at", "最新信息", "datetime", 17),
    SheetColumn("mentions", "信息数", "int", 8),
    SheetColumn("heat", "热度", "float", 8),
]


def make_event_workbook(rows: list[dict], title: str = "事件清单") -> bytes:
    """An .xlsx with one row per event (the rows of query_event_list)."""
    book = Workbook(write_only=True)
    write_sheet(book.create_sheet(title[:31]), EVENT_COLUMNS, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
