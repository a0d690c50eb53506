"""Test factories: sources, events and mentions written straight to the database, on a controllable clock."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import AuditLog, Deadline, Event, Mention, OutboxMessage, Source
from yuqing.settings_model import Settings
from yuqing.timeutil import UTC
from yuqing.workflow.hooks import on_event_detected

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
_urls = itertools.count(1)


def minutes(n: float) -> datetime:
    """T0 plus n minutes."""
    return T0 + timedelta(minutes=n)


def add_source(session: Session, name: str = "news", title: str = "沙坡头新闻网") -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name, kind="rss", url=f"http://127.0.0.1/{name}", title=title)
        session.add(source)
        session.flush()
    return source


def add_mention(
    session: Session,
    event: Event | None,
    *,
    source: str = "news",
    title: str = "帖子",
    content: str = "",
    published_at: datetime | None = None,
    seen_at: datetime | None = None,
    negativity: float = 0.0,
    village: str | None = None,
    **fields,
) -> Mention:
    number = next(_urls)
    mention = Mention(
        source_id=add_source(session, source).id,
        url=f"http://127.0.0.1/{source}/{number}",
        canonical_url=f"http://127.0.0.1/{source}/{number}",
        content_hash=f"h{number}",
        title=title,
        content=content,
        published_at=published_at,
        first_seen_at=seen_at or published_at or T0,
        updated_at=seen_at or T0,
        negativity=negativity,
        village=village,
        relevant=True,
        event_id=event.id if event else None,
        **fields,
    )
    session.add(mention)
    session.flush()
    return mention


def add_event(
    session: Session,
    settings: Settings,
    *,
    level: int = 1,
    topic: str = "work_safety",
    title: str = "化工厂爆炸",
    summary: str = "有人员伤亡",
    village: str | None = None,
    source: str = "news",
    detected_at: datetime = T0,
    detect: bool = True,
) -> Event:
    """An event with one mention; `detect` runs on_event_detected as ingest would."""
    event = Event(
        title=title,
        summary=summary,
        topic=topic,
        urgency=level,
        reasons=["测试依据"],
        village=village,
        detected_at=detected_at,
        last_mention_at=detected_at,
        status="detected",
        mention_count=1,
        source_count=1,
    )
    session.add(event)
    session.flush()
    add_mention(session, event, source=source, title=title, content=summary, published_at=detected_at, village=village)
    if detect:
        on_event_detected(session, settings, event)
    return event


def outbox(session: Session, **where) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(session.scalars(query))


def deadlines(session: Session, event_id: int, *, open_only: bool = True) -> dict[str, Deadline]:
    query = select(Deadline).where(Deadline.event_id == event_id).order_by(Deadline.id)
    if open_only:
        query = query.where(Deadline.done_at.is_(None), Deadline.superseded_at.is_(None))
    return {row.stage: row for row in session.scalars(query)}


def audit_rows(session: Session, event_id: int, action: str | None = None) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.event_id == event_id).order_by(AuditLog.id)
    if action:
        query = query.where(AuditLog.action == action)
    return list(session.scalars(query))
