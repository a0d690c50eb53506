"""`yuqing export mentions|events`: stream rows as JSON lines, CSV or an Excel workbook, personal data masked."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import EVENT_STATUSES, STAGE_NAMES, Deadline, Event, Mention, Office, Source
from yuqing.settings_model import LEVEL_NAMES
from yuqing.timeutil import LOCAL, as_utc, utcnow

MENTION_FIELDS = [
    "id",
    "url",
    "title",
    "content",
    "published_at",
    "first_seen_at",
    "source",
    "topic",
    "urgency",
    "relevant",
    "event_id",
    "author",
    "village",
    "matched_terms",
    "urgency_reasons",
    "board_status",
    "reply_text",
    "reply_at",
]
EVENT_FIELDS = [
    "id",
    "title",
    "topic",
    "topic_name",
    "urgency",
    "urgency_name",
    "status",
    "status_name",
    "office",
    "office_name",
    "village",
    "detected_at",
    "first_published_at",
    "last_mention_at",
    "mention_count",
    "source_count",
    "heat",
    "emerging",
    "reasons",
    "assessed_at",
    "responded_at",
    "closed_at",
    "next_stage",
    "next_due_at",
    "overdue_hours",
]
CHINESE_HEADERS = {
    "id": "编号",
    "url": "网址",
    "title": "标题",
    "content": "内容(已脱敏)",
    "published_at": "发布时间",
    "first_seen_at": "首次采集时间",
    "source": "来源",
    "topic": "领域代码",
    "urgency": "预警等级",
    "relevant": "是否相关",
    "event_id": "事件编号",
    "author": "作者",
    "village": "村",
    "matched_terms": "命中词",
    "urgency_reasons": "等级依据",
    "board_status": "留言状态",
    "reply_text": "答复内容",
    "reply_at": "答复时间",
    "topic_name": "领域",
    "urgency_name": "等级名称",
    "status": "状态代码",
    "status_name": "状态",
    "office": "责任单位代码",
    "office_name": "责任单位",
    "detected_at": "发现时间",
    "first_published_at": "最早发布时间",
    "last_mention_at": "最近信息时间",
    "mention_count": "信息数",
    "source_count": "来源数",
    "heat": "热度",
    "emerging": "突增",
    "reasons": "依据",
    "assessed_at": "研判时间",
    "responded_at": "回应时间",
    "closed_at": "办结时间",
    "next_stage": "当前环节",
    "next_due_at": "截止时间",
    "overdue_hours": "超时(小时)",
}
# How each field is written in a workbook: its kind of cell and its width (characters).
XLSX_KINDS = {
    "id": ("int", 8),
    "event_id": ("int", 9),
    "urgency": ("int", 9),
    "mention_count": ("int", 8),
    "source_count": ("int", 8),
    "heat": ("float", 8),
    "overdue_hours": ("float", 11),
    "relevant": ("bool", 9),
    "emerging": ("bool", 6),
    "title": ("text", 40),
    "content": ("text", 60),
    "url": ("text", 40),
    "reasons": ("text", 40),
    "urgency_reasons": ("text", 40),
    "matched_terms": ("text", 24),
    "reply_text": ("text", 40),
    "office_name": ("text", 20),
    "source": ("text", 16),
    **{
        name: ("datetime", 17)
        for name in (
            "published_at",
            "first_seen_at",
            "reply_at",
            "detected_at",
            "first_published_at",
            "last_mention_at",
            "assessed_at",
            "responded_at",
            "closed_at",
            "next_due_at",
        )
    },
}


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).astimezone(LOCAL).isoformat() if value else None


def iter_mentions(session: Session, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every stored mention as a plain dict (masked text, local ISO times), oldest first."""
    from yuqing.privacy import masked

    query = select(Mention, Source.name).join(Source, Mention.source_id == Source.id).order_by(Mention.id)
    if since:
        query = query.where(Mention.first_seen_at >= since)
    for mention, source_name in session.execute(query.execution_options(yield_per=1000)):
        yield {
            "id": mention.id,
            "url": mention.url,
            "title": masked(mention.title),
            "content": masked(mention.content),
            "published_at": _iso(mention.published_at),
            "first_seen_at": _iso(mention.first_seen_at),
            "source": source_name,
            "topic": mention.topic,
            "urgency": mention.urgency,
            "relevant": mention.relevant,
            "event_id": mention.event_id,
            "author": mention.author,
            "village": mention.village,
            "matched_terms": mention.matched_terms,
            "urgency_reasons": mention.urgency_reasons,
            "board_status": mention.board_status,
            "reply_text": masked(mention.reply_text) if mention.reply_text else None,
            "reply_at": _iso(mention.reply_at),
        }


def iter_events(
    session: Session, topic_names: dict[str, str], since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every event as a plain dict with Chinese names beside the stable codes."""
    from yuqing.privacy import masked

    offices = dict(session.execute(select(Office.code, Office.name)).all())
    now = utcnow()
    # Open deadlines are few (open events only): each event's earliest one, read once.
    next_due: dict[int, tuple[str, datetime]] = {}
    for event_id, stage, due in session.execute(
        select(Deadline.event_id, Deadline.stage, Deadline.due_at)
        .where(Deadline.done_at.is_(None), Deadline.superseded_at.is_(None))
        .order_by(Deadline.event_id, Deadline.due_at.desc())
    ):
        next_due[event_id] = (stage, as_utc(due))
    query = select(Event).order_by(Event.id)
    if since:
        query = query.where(Event.detected_at >= since)
    for event in session.scalars(query.execution_options(yield_per=1000)):
        yield {
            "id": event.id,
            "title": masked(event.title),
            "topic": event.topic,
            "topic_name": topic_names.get(event.topic, event.topic),
            "urgency": event.urgency,
            "urgency_name": LEVEL_NAMES.get(event.urgency, ""),
            "status": event.status,
            "status_name": EVENT_STATUSES.get(event.status, event.status),
            "office": event.office_code,
            "office_name": offices.get(event.office_code, ""),
            "village": event.village,
            "detected_at": _iso(event.detected_at),
            "first_published_at": _iso(event.first_published_at),
            "last_mention_at": _iso(event.last_mention_at),
            "mention_count": event.mention_count,
            "source_count": event.source_count,
            "heat": round(event.heat, 2),
            "emerging": event.emerging,
            "reasons": event.reasons,
            "assessed_at": _iso(event.assessed_at),
            "responded_at": _iso(event.responded_at),
            "closed_at": _iso(event.closed_at),
            **_next_due(next_due.get(event.id), now),
        }


def _next_due(due: tuple[str, datetime] | None, now: datetime) -> dict[str, Any]:
    """The event's current stage, its due time and how many hours it is overdue (None when on time or none)."""
    if due is None:
        return {"next_stage": None, "next_due_at": None, "overdue_hours": None}
    stage, due_at = due
    late = round((now - due_at).total_seconds() / 3600, 2) if due_at < now else None
    return {"next_stage": STAGE_NAMES.get(stage, stage), "next_due_at": _iso(due_at), "overdue_hours": late}


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return ";".join(map(str, value)) if isinstance(value, list) else json.dumps(value, ensure_ascii=False)
    return value


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """One JSON object per line; returns the row count."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str], fields: list[str]) -> int:
    """CSV with Chinese headers, UTF-8 with BOM so that Excel opens it correctly; cells made formula-safe as in xlsx."""
    from yuqing.xlsx_safety import safe_cell

    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([CHINESE_HEADERS.get(f, f) for f in fields])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(_cell(row.get(f))) for f in fields])
        count += 1
    return count


def write_xlsx(rows: Iterator[dict[str, Any]], path: str, fields: list[str], sheet: str) -> int:
    """An Excel workbook, streamed (write-only): frozen header, real date and number cells, fitting widths."""
    from openpyxl import Workbook

    from yuqing.xlsx_sheet import SheetColumn, write_sheet

    columns = [SheetColumn(f, CHINESE_HEADERS.get(f, f), *XLSX_KINDS.get(f, ("text", 12))) for f in fields]
    workbook = Workbook(write_only=True)
    count = write_sheet(workbook.create_sheet(sheet), columns, rows)
    workbook.save(path)
    return count
