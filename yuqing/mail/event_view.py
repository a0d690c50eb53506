"""What an alert says about an event, loaded in a few set-based queries for any number of events."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.db.models import EVENT_STATUSES, STAGE_NAMES, Deadline, Event, Mention, Office, Source
from yuqing.settings_model import LEVEL_COLOURS, LEVEL_NAMES, Settings
from yuqing.workflow.holders import holder_of

LINKS_PER_EVENT = 5


@dataclass
class DeadlineView:
    stage: str
    due_at: datetime
    breached: bool = False
    holder: str = ""  # duty | office; by default the holder of the stage

    def __post_init__(self) -> None:
        self.holder = self.holder or holder_of(self.stage)

    @property
    def stage_name(self) -> str:
        return STAGE_NAMES.get(self.stage, self.stage)


@dataclass
class SourceLink:
    source: str
    title: str
    url: str
    published_at: datetime | None


@dataclass
class EventView:
    """An event as alerts show it (texts as stored; messages mask and escape them)."""

    id: int
    title: str
    summary: str
    level: int
    reasons: list[str]
    topic_name: str
    status: str
    office_code: str | None
    office_name: str
    village: str | None
    detected_at: datetime
    mention_count: int
    source_count: int
    url: str
    deadlines: list[DeadlineView] = field(default_factory=list)
    links: list[SourceLink] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return f"{LEVEL_NAMES.get(self.level, self.level)}({LEVEL_COLOURS.get(self.level, '')})"

    @property
    def status_name(self) -> str:
        return EVENT_STATUSES.get(self.status, self.status)


def dashboard_url(settings: Settings) -> str:
    """The dashboard address used in links: general.public_url, else http://host:port."""
    base = settings.general.public_url or f"http://{settings.dashboard.host}:{settings.dashboard.port}"
    return base.rstrip("/")


def event_url(settings: Settings, event_id: int) -> str:
    """The event's page on the dashboard."""
    return f"{dashboard_url(settings)}/events/{event_id}"


def load_views(session: Session, settings: Settings, event_ids: list[int]) -> dict[int, EventView]:
    """EventViews with open deadlines and the first source links, for many events at once."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    topics = settings.topic_names()
    offices = dict(session.execute(select(Office.code, Office.name)).all())
    views: dict[int, EventView] = {}
    for event in session.scalars(select(Event).where(Event.id.in_(ids))):
        views[event.id] = EventView(
            id=event.id,
            title=event.title or "",
            summary=event.summary or "",
            level=event.urgency,
            reasons=[str(r) for r in event.reasons or []],
            topic_name=topics.get(event.topic, event.topic),
            status=event.status,
            office_code=event.office_code,
            office_name=offices.get(event.office_code, "未指定") if event.office_code else "未指定",
            village=event.village,
            detected_at=event.detected_at,
            mention_count=event.mention_count,
            source_count=event.source_count,
            url=event_url(settings, event.id),
        )
    _add_deadlines(session, views)
    _add_links(session, views)
    return views


def _add_deadlines(session: Session, views: dict[int, EventView]) -> None:
    rows = session.execute(
        select(Deadline.event_id, Deadline.stage, Deadline.due_at, Deadline.breached_at, Deadline.holder)
        .where(Deadline.event_id.in_(list(views)), Deadline.done_at.is_(None), Deadline.superseded_at.is_(None))
        .order_by(Deadline.due_at)
    )
    for event_id, stage, due_at, breached_at, holder in rows:
        views[event_id].deadlines.append(DeadlineView(stage, due_at, breached_at is not None, holder))


def _add_links(session: Session, views: dict[int, EventView]) -> None:
    rank = func.row_number().over(partition_by=Mention.event_id, order_by=(Mention.first_seen_at, Mention.id))
    ranked = (
        select(
            Mention.event_id,
            Mention.title,
            Mention.url,
            Mention.published_at,
            Source.title.label("source"),
            rank.label("rank"),
        )
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.event_id.in_(list(views)))
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.rank <= LINKS_PER_EVENT).order_by(ranked.c.rank))
    links: dict[int, list[SourceLink]] = defaultdict(list)
    for row in rows:
        links[row.event_id].append(SourceLink(row.source or "", row.title or "", row.url, row.published_at))
    for event_id, found in links.items():
        views[event_id].links = found
