"""Queries behind 值班总览: counts by level, the most urgent open events, the newest relevant mentions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dashboard.access import Viewer, scope_events
from dashboard.queries.events import EVENT_ROW_COLUMNS, next_deadlines
from yuqing.db.models import OPEN_STATUSES, Deadline, Event, Mention, Source
from yuqing.labels import LEVELS, level_short, office_names, stage_text, status_text, topic_text
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, format_duration, format_local, remaining_text
from yuqing.workflow.holders import OFFICE

COUNT_KINDS = {
    "new": "24小时新增",
    "awaiting_assessment": "待研判",
    "awaiting_response": "待回应",
    "overdue": "已超时",
}


def _open_deadline(viewer: Viewer):
    """Open deadlines; for an office user only the stages its office holds (研判 is the duty desk's to watch)."""
    condition = and_(Deadline.done_at.is_(None), Deadline.superseded_at.is_(None))
    return and_(condition, Deadline.holder == OFFICE) if viewer.office_bound else condition


def query_overview_counts(session: Session, viewer: Viewer, now: datetime) -> dict[str, dict[int, int]]:
    """Event counts per kind (new / awaiting assessment / awaiting response / overdue) and level."""
    counts = {kind: dict.fromkeys(LEVELS, 0) for kind in COUNT_KINDS}

    def fill(kind: str, stmt) -> None:
        for level, number in session.execute(scope_events(stmt, viewer)):
            if level in counts[kind]:
                counts[kind][level] = number

    by_level = select(Event.urgency, func.count()).group_by(Event.urgency)
    # A merged event is the same matter as the one it went into: counting it would count the matter twice.
    fill("new", by_level.where(Event.detected_at >= now - timedelta(hours=24), Event.status != "merged"))
    fill("awaiting_assessment", by_level.where(Event.status == "detected"))
    fill("awaiting_response", by_level.where(Event.status == "assessed"))
    overdue_ids = select(Deadline.event_id).where(_open_deadline(viewer), Deadline.due_at < now).distinct().subquery()
    fill(
        "overdue",
        select(Event.urgency, func.count())
        .join(overdue_ids, overdue_ids.c.event_id == Event.id)
        .where(Event.status.in_(OPEN_STATUSES))
        .group_by(Event.urgency),
    )
    return counts


def query_urgent_events(
    session: Session,
    settings: Settings,
    viewer: Viewer,
    now: datetime,
    *,
    levels: list[int] | None = None,
    office: str | None = None,
    overdue_only: bool = False,
    limit: int = 50,
) -> list[dict]:
    """Open events, the nearest (or most overdue) deadline first, with countdown texts."""
    next_due = (
        select(Deadline.event_id, func.min(Deadline.due_at).label("due"))
        .where(_open_deadline(viewer))
        .group_by(Deadline.event_id)
        .subquery()
    )
    stmt = (
        select(*EVENT_ROW_COLUMNS, next_due.c.due)
        .outerjoin(next_due, next_due.c.event_id == Event.id)
        .where(Event.status.in_(OPEN_STATUSES))
    )
    if levels:
        stmt = stmt.where(Event.urgency.in_(levels))
    if office:
        stmt = stmt.where(Event.office_code == office)
    if overdue_only:
        stmt = stmt.where(next_due.c.due < now)
    stmt = (
        scope_events(stmt, viewer)
        .order_by(next_due.c.due.is_(None), next_due.c.due, Event.urgency, Event.detected_at.desc())
        .limit(limit)
    )
    rows = session.execute(stmt).all()
    stages = next_deadlines(session, [row.id for row in rows], OFFICE if viewer.office_bound else None)
    names = office_names(session)
    return [_urgent_row(settings, row, row.due, stages.get(row.id, (None,))[0], names, now) for row in rows]


def _urgent_row(
    settings: Settings, event, due: datetime | None, stage: str | None, names: dict[str, str], now: datetime
) -> dict:
    overdue = due is not None and as_utc(due) < now
    if due is None:
        countdown = "无待办时限"
    else:
        countdown = f"{stage_text(stage)}{remaining_text(due, now)}"
    return {
        "id": event.id,
        "title": event.title,
        "urgency": event.urgency,
        "level": level_short(event.urgency),
        "status": status_text(event.status),
        "topic": topic_text(settings, event.topic),
        "office": names.get(event.office_code or "", "未分派"),
        "village": event.village or "",
        "detected": format_local(event.detected_at),
        "due": format_local(due) if due else "",
        "countdown": countdown,
        "overdue": overdue,
        "late": format_duration(now - as_utc(due)) if overdue else "",
        "mentions": event.mention_count,
        "emerging": event.emerging,
    }


def query_newest_mentions(session: Session, settings: Settings, viewer: Viewer, limit: int = 20) -> list[dict]:
    """The newest relevant mentions the viewer may see (office users: those of their office's events)."""
    stmt = (
        select(
            Mention.id,
            Mention.title,
            Mention.first_seen_at,
            Mention.urgency,
            Mention.topic,
            Mention.event_id,
            Mention.village,
            Source.title,
        )
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.relevant.is_(True))
    )
    if viewer.office_bound:
        stmt = scope_events(stmt.join(Event, Event.id == Mention.event_id), viewer)
    stmt = stmt.order_by(Mention.first_seen_at.desc(), Mention.id.desc()).limit(limit)
    return [
        {
            "id": mid,
            "title": title or "(无标题)",
            "seen": format_local(seen, "%m-%d %H:%M"),
            "urgency": urgency,
            "level": level_short(urgency),
            "topic": topic_text(settings, topic),
            "event_id": event_id,
            "village": village or "",
            "source": source,
        }
        for mid, title, seen, urgency, topic, event_id, village, source in session.execute(stmt)
    ]


def query_mention(session: Session, settings: Settings, viewer: Viewer, mention_id: int) -> dict | None:
    """One mention for the detail dialog, or None when it does not exist or the viewer may not see it."""
    row = session.execute(
        select(Mention, Source.title, Event.office_code)
        .join(Source, Source.id == Mention.source_id)
        .outerjoin(Event, Event.id == Mention.event_id)
        .where(Mention.id == mention_id)
    ).first()
    if row is None:
        return None
    mention, source, office_code = row
    if viewer.office_bound and (mention.event_id is None or not viewer.can_see_event(office_code)):
        return None
    return {
        "id": mention.id,
        "title": mention.title or "(无标题)",
        "content": mention.content,
        "url": mention.url,
        "source": source,
        "author": mention.author or "",
        "published": format_local(mention.published_at),
        "seen": format_local(mention.first_seen_at),
        "level": level_short(mention.urgency),
        "topic": topic_text(settings, mention.topic),
        "reasons": list(mention.urgency_reasons or []),
        "event_id": mention.event_id,
    }


def query_alert_events(session: Session, viewer: Viewer, limit: int = 200) -> list[dict]:
    """Open level 1–2 events the viewer may see; the cue fires for ids it has not seen before."""
    stmt = (
        scope_events(
            select(Event.id, Event.title, Event.urgency).where(Event.urgency <= 2, Event.status.in_(OPEN_STATUSES)),
            viewer,
        )
        .order_by(Event.id.desc())
        .limit(limit)
    )
    return [{"id": i, "title": t, "urgency": u} for i, t, u in session.execute(stmt)]
