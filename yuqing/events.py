"""Events in the database: joining a relevant mention to its event (or opening one), heat over time, level changes."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.db.models import Event, EventHeat, Mention
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc

log = logging.getLogger("yuqing.events")
MAX_CANDIDATES = 400
CLOSED_FOR_GOOD = ("false_alarm", "no_action")


def heat_score(mentions: int, sources: int, reposts: int, comments: int, velocity: float) -> float:
    """Heat: volume, breadth across sources, amplification and speed, on one scale (about 1 for a lone post)."""
    return round(mentions + 3 * max(sources - 1, 0) + 2 * math.log1p(reposts + comments) + 2 * velocity, 2)


def _candidates(session: Session, now: datetime, window_hours: float) -> list[Event]:
    since = now - timedelta(hours=window_hours)
    query = (
        select(Event)
        .where(Event.last_mention_at >= since, Event.status.not_in(CLOSED_FOR_GOOD))
        .order_by(Event.last_mention_at.desc())
        .limit(MAX_CANDIDATES)
    )
    return list(session.scalars(query))


def _choose_event(session: Session, settings: Settings, mention: Mention, analysis, now: datetime) -> Event | None:
    """The event this mention belongs to: an exact duplicate's event, else the pipeline's clustering decision."""
    from pipeline.clustering import Candidate, choose_event

    twin = session.scalar(
        select(Mention).where(Mention.content_hash == mention.content_hash, Mention.id != mention.id,
                              Mention.event_id.is_not(None)).limit(1)
    )
    if twin is not None:
        mention.duplicate_of = twin.id
        return session.get(Event, twin.event_id)
    events = _candidates(session, now, settings.clustering.window_hours)
    if not events:
        return None
    candidates = [
        Candidate(id=e.id, simhash=e.simhash, key_terms=list(e.key_terms or []), topic=e.topic, village=e.village,
                  last_seen=as_utc(e.last_mention_at), title=e.title)
        for e in events
    ]
    chosen = choose_event(analysis, candidates, threshold=settings.clustering.similarity, now=now)
    return session.get(Event, chosen) if chosen is not None else None


def attach_to_event(session: Session, settings: Settings, mention: Mention, analysis, now: datetime) -> Event:
    """Put a relevant mention into its event, opening a new event if none matches; runs the workflow hooks."""
    from yuqing.workflow.hooks import on_event_changed, on_event_detected, on_mention_joined

    event = _choose_event(session, settings, mention, analysis, now)
    created = event is None
    if created:
        event = Event(
            title=mention.title or mention.content[:60], summary=mention.content[:300], topic=mention.topic,
            urgency=mention.urgency, reasons=list(mention.urgency_reasons), village=mention.village,
            key_terms=list(analysis.key_terms), simhash=mention.simhash, detected_at=now,
            first_published_at=mention.published_at, status="detected",
        )
        session.add(event)
        session.flush()
    mention.event_id = event.id
    old_level = event.urgency
    _update_stats(session, event, mention, now)
    _raise_level(event, mention)
    if created:
        on_event_detected(session, settings, event)
        log.info("新事件 #%s [%s级] %s", event.id, event.urgency, event.title[:40])
    elif event.urgency != old_level:
        on_event_changed(session, settings, event, old_level)
        log.info("事件 #%s 等级由 %s 级调整为 %s 级", event.id, old_level, event.urgency)
    on_mention_joined(session, settings, event, mention)
    return event


def _raise_level(event: Event, mention: Mention) -> None:
    """An event is as severe as its most severe mention, or as its spread makes it."""
    from pipeline.urgency import level_for_spread

    spread_level, spread_reason = level_for_spread(event.velocity, event.source_count, event.mention_count)
    candidates = [(mention.urgency, list(mention.urgency_reasons)), (spread_level, [spread_reason] if spread_reason else [])]
    for level, reasons in candidates:
        if level < event.urgency:
            event.urgency = level
            event.reasons = list(dict.fromkeys(list(event.reasons or []) + reasons))


def _update_stats(session: Session, event: Event, mention: Mention, now: datetime) -> None:
    """Counts, breadth, velocity and heat of the event, and its hourly heat row."""
    session.flush()
    mentions, sources, reposts, comments, negativity, first_pub = session.execute(
        select(func.count(Mention.id), func.count(func.distinct(Mention.source_id)),
               func.coalesce(func.sum(Mention.reposts), 0), func.coalesce(func.sum(Mention.comments), 0),
               func.coalesce(func.avg(Mention.negativity), 0.0), func.min(Mention.published_at))
        .where(Mention.event_id == event.id)
    ).one()
    recent = session.scalar(
        select(func.count(Mention.id)).where(Mention.event_id == event.id,
                                             Mention.first_seen_at >= now - timedelta(hours=1))
    )
    event.mention_count, event.source_count = mentions, sources
    event.reposts, event.negativity, event.velocity = int(reposts), float(negativity), float(recent)
    event.heat = heat_score(mentions, sources, int(reposts), int(comments), float(recent))
    event.last_mention_at = now
    if first_pub is not None:
        event.first_published_at = first_pub
    hour = now.replace(minute=0, second=0, microsecond=0)
    row = session.get(EventHeat, (event.id, hour))
    if row is None:
        row = EventHeat(event_id=event.id, hour=hour, mentions=0, sources=0, reposts=0, negative=0)
        session.add(row)
    row.mentions += 1
    row.reposts += int(mention.reposts or 0)
    row.negative += int(mention.negativity >= 0.5)
    row.sources = session.scalar(
        select(func.count(func.distinct(Mention.source_id))).where(
            Mention.event_id == event.id, Mention.first_seen_at >= hour, Mention.first_seen_at < hour + timedelta(hours=1))
    )
