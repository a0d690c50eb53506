"""Queries behind 趋势: mentions and events by topic per day, topic × village, emerging bursts, negative share."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Integer, case, cast, func, literal_column, select
from sqlalchemy.orm import Session

from dashboard.access import Viewer, scope_events
from dashboard.queries.event_detail import NEGATIVE_THRESHOLD
from yuqing.db.models import OPEN_STATUSES, Event, Mention
from yuqing.labels import level_short, office_names, status_text, topic_text
from yuqing.settings_model import Settings
from yuqing.timeutil import LOCAL, format_local

UTC_OFFSET_HOURS = 8  # Asia/Shanghai has had no daylight saving time since 1991


def local_day(session: Session, column):
    """A SQL expression for the local (Asia/Shanghai) calendar day of a UTC timestamp column, as text."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d", column, f"+{UTC_OFFSET_HOURS} hours")
    return func.to_char(func.timezone(literal_column(f"'{LOCAL.key}'"), column), "YYYY-MM-DD")


def _since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def query_mentions_by_topic(session: Session, settings: Settings, now: datetime, days: int) -> pd.DataFrame:
    """Relevant mentions per local day and topic: columns day, topic, count."""
    day = local_day(session, Mention.first_seen_at)
    stmt = (
        select(day.label("day"), Mention.topic, func.count())
        .where(Mention.relevant.is_(True), Mention.first_seen_at >= _since(now, days))
        .group_by(day, Mention.topic)
    )
    return _named_topics(settings, pd.DataFrame(session.execute(stmt).all(), columns=["day", "topic", "count"]))


def query_events_by_topic(
    session: Session, settings: Settings, viewer: Viewer, now: datetime, days: int
) -> pd.DataFrame:
    """Events detected per local day and topic: columns day, topic, count."""
    day = local_day(session, Event.detected_at)
    stmt = scope_events(
        select(day.label("day"), Event.topic, func.count())
        .where(Event.detected_at >= _since(now, days), Event.status.not_in(("false_alarm", "merged")))
        .group_by(day, Event.topic),
        viewer,
    )
    return _named_topics(settings, pd.DataFrame(session.execute(stmt).all(), columns=["day", "topic", "count"]))


def query_topic_village(session: Session, settings: Settings, now: datetime, days: int) -> pd.DataFrame:
    """Relevant mentions per topic and village (mentions with a known village): columns topic, village, count."""
    stmt = (
        select(Mention.topic, Mention.village, func.count())
        .where(Mention.relevant.is_(True), Mention.first_seen_at >= _since(now, days), Mention.village.is_not(None))
        .group_by(Mention.topic, Mention.village)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["topic", "village", "count"])
    return _named_topics(settings, frame)


def query_negative_share(session: Session, now: datetime, days: int) -> pd.DataFrame:
    """Per local day: relevant mentions, negative ones and their share: columns day, total, negative, share."""
    day = local_day(session, Mention.first_seen_at)
    negative = func.sum(cast(case((Mention.negativity >= NEGATIVE_THRESHOLD, 1), else_=0), Integer))
    stmt = (
        select(day.label("day"), func.count(), negative)
        .where(Mention.relevant.is_(True), Mention.first_seen_at >= _since(now, days))
        .group_by(day)
        .order_by(day)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["day", "total", "negative"])
    frame["negative"] = frame["negative"].fillna(0).astype(int)
    frame["share"] = (frame["negative"] / frame["total"].where(frame["total"] > 0)).fillna(0.0)
    return frame


def query_emerging(session: Session, settings: Settings, viewer: Viewer, limit: int = 30) -> list[dict]:
    """Open events flagged as emerging bursts, fastest-growing first."""
    stmt = (
        scope_events(select(Event).where(Event.emerging.is_(True), Event.status.in_(OPEN_STATUSES)), viewer)
        .order_by(Event.velocity.desc(), Event.id.desc())
        .limit(limit)
    )
    names = office_names(session)
    return [
        {
            "id": e.id,
            "title": e.title,
            "urgency": e.urgency,
            "level": level_short(e.urgency),
            "topic": topic_text(settings, e.topic),
            "status": status_text(e.status),
            "office": names.get(e.office_code or "", "未分派"),
            "velocity": round(e.velocity or 0.0, 1),
            "mentions": e.mention_count,
            "detected": format_local(e.detected_at),
        }
        for e in session.scalars(stmt)
    ]


def _named_topics(settings: Settings, frame: pd.DataFrame) -> pd.DataFrame:
    if not frame.empty:
        frame["topic"] = [topic_text(settings, code) for code in frame["topic"]]
    return frame
