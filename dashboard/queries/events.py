"""Queries behind 事件: the filtered event list, with each event's sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from dashboard.access import Viewer, scope_events
from yuqing.db.models import OPEN_STATUSES, Deadline, Event, Mention, Source
from yuqing.labels import level_text, office_names, stage_text, status_text, topic_text
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, format_duration, format_local
from yuqing.workflow.holders import DUTY, holder_of

EVENT_LIST_LIMIT = 500
# The columns a list row needs; selecting them rather than whole events spares decoding the JSON columns.
EVENT_ROW_COLUMNS = (
    Event.id,
    Event.title,
    Event.topic,
    Event.urgency,
    Event.status,
    Event.office_code,
    Event.village,
    Event.detected_at,
    Event.last_mention_at,
    Event.mention_count,
    Event.heat,
    Event.emerging,
)
PERIOD_DAYS = {"1": 1, "7": 7, "30": 30, "90": 90, "365": 365}


@dataclass
class EventFilters:
    """What the officer picked above the event table; empty means no restriction."""

    topics: list[str] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    offices: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    source: str | None = None
    village: str | None = None
    days: int | None = None
    text: str = ""

    @classmethod
    def from_form(
        cls, topics=None, levels=None, offices=None, statuses=None, source=None, village=None, period=None, text=None
    ) -> EventFilters:
        """Filters from raw form values (None, lists, strings); unknown periods mean no time limit."""
        statuses = list(statuses or [])
        if "open" in statuses:
            statuses = [s for s in statuses if s != "open"] + list(OPEN_STATUSES)
        return cls(
            topics=list(topics or []),
            levels=[int(level) for level in levels or []],
            offices=list(offices or []),
            statuses=statuses,
            source=source or None,
            village=village or None,
            days=PERIOD_DAYS.get(str(period)) if period else None,
            text=(text or "").strip()[:100],
        )


def query_event_list(
    session: Session,
    settings: Settings,
    filters: EventFilters,
    viewer: Viewer,
    now: datetime,
    limit: int = EVENT_LIST_LIMIT,
) -> list[dict]:
    """Events matching the filters that the viewer may see, newest first, at most `limit`."""
    stmt = scope_events(select(*EVENT_ROW_COLUMNS), viewer)
    if filters.topics:
        stmt = stmt.where(Event.topic.in_(filters.topics))
    if filters.levels:
        stmt = stmt.where(Event.urgency.in_(filters.levels))
    if filters.offices:
        stmt = stmt.where(Event.office_code.in_(filters.offices))
    if filters.statuses:
        stmt = stmt.where(Event.status.in_(filters.statuses))
    if filters.village:
        stmt = stmt.where(Event.village == filters.village)
    if filters.days:
        stmt = stmt.where(Event.detected_at >= now - timedelta(days=filters.days))
    if filters.text:
        pattern = "%" + filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Event.title.like(pattern, escape="\\"))
    if filters.source:
        stmt = stmt.where(
            exists().where(
                Mention.event_id == Event.id,
                Mention.source_id == select(Source.id).where(Source.name == filters.source).scalar_subquery(),
            )
        )
    events = session.execute(stmt.order_by(Event.detected_at.desc(), Event.id.desc()).limit(limit)).all()
    sources = event_sources(session, [e.id for e in events])
    due = next_deadlines(session, [e.id for e in events])
    names = office_names(session)
    return [_event_row(settings, event, sources.get(event.id, []), names, due.get(event.id), now) for event in events]


def next_deadlines(
    session: Session, event_ids: list[int], holder: str | None = None
) -> dict[int, tuple[str, datetime]]:
    """For each event, the stage and due time of its earliest open deadline (held by `holder`, if given)."""
    found: dict[int, tuple[str, datetime]] = {}
    # “Neither done nor superseded” as one expression: written as two IS NULL tests, SQLite walks the open-deadline
    # index of the whole table instead of looking these events up (4x slower on 50,000 events).
    still_open = func.coalesce(Deadline.done_at, Deadline.superseded_at).is_(None)
    for start in range(0, len(event_ids), 500):
        query = (
            select(Deadline.event_id, Deadline.stage, Deadline.due_at)
            .where(Deadline.event_id.in_(event_ids[start : start + 500]), still_open)
            .order_by(Deadline.event_id, Deadline.due_at.desc())
        )
        # Ordered latest first so that the earliest deadline of each event is written last and wins.
        rows = session.execute(query.where(Deadline.holder == holder) if holder else query)
        found.update({event_id: (stage, as_utc(due)) for event_id, stage, due in rows})
    return found


def event_sources(session: Session, event_ids: list[int]) -> dict[int, list[str]]:
    """Event id → its source titles, the one with most mentions first."""
    if not event_ids:
        return {}
    stmt = (
        select(Mention.event_id, Source.title, func.count())
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.event_id.in_(event_ids))
        .group_by(Mention.event_id, Source.title)
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for event_id, title, number in session.execute(stmt):
        found.setdefault(event_id, []).append((-number, title))
    return {event_id: [title for _, title in sorted(pairs)] for event_id, pairs in found.items()}


def _event_row(
    settings: Settings,
    event,
    sources: list[str],
    names: dict[str, str],
    due: tuple[str, datetime] | None,
    now: datetime,
) -> dict:
    stage, due_at = due or (None, None)
    late = (now - due_at).total_seconds() / 3600 if due_at is not None and due_at < now else None
    return {
        "id": event.id,
        "title": event.title,
        "topic": topic_text(settings, event.topic),
        "urgency": event.urgency,
        "level": level_text(event.urgency),
        "office": names.get(event.office_code or "", "未分派"),
        "status": status_text(event.status),
        "source": "、".join(sources[:3]) + ("等" if len(sources) > 3 else ""),
        "village": event.village or "",
        "detected": format_local(event.detected_at),
        "last_mention": format_local(event.last_mention_at),
        "mentions": event.mention_count,
        "heat": round(event.heat or 0.0, 1),
        "emerging": bool(event.emerging),
        "next_stage": stage_text(stage) if stage else "",
        "deadline": (
            f"{stage_text(stage)}{'(值班室)' if holder_of(stage) == DUTY else ''} {format_local(due_at, '%m-%d %H:%M')}"
        )
        if stage
        else "",
        "overdue": f"已超时 {format_duration(late * 3600)}" if late is not None else "",
        "overdue_hours": round(late, 2) if late is not None else None,
        # raw times for the Excel export (real date cells); the grid shows the texts above
        "detected_at": as_utc(event.detected_at),
        "last_mention_at": as_utc(event.last_mention_at),
        "due_at": due_at,
    }


def query_filter_choices(session: Session, viewer: Viewer) -> dict[str, list[dict]]:
    """Options for the source and village filters: configured sources and villages seen on events."""
    sources = session.execute(select(Source.name, Source.title).order_by(Source.title)).all()
    villages = session.scalars(
        scope_events(select(Event.village).where(Event.village.is_not(None)), viewer).distinct().order_by(Event.village)
    ).all()
    return {
        "sources": [{"label": title or name, "value": name} for name, title in sources],
        "villages": [{"label": v, "value": v} for v in villages],
    }
