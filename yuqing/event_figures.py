"""An event's figures, level and hourly heat, kept up to date as mentions join it and recomputed from the
mentions it holds after a person moved some of them (split, undo of a merge). Attaching a mention to an event
(yuqing.events) and merging events (yuqing.workflow.merge) both use these; this module imports neither."""

from __future__ import annotations

import logging
import math
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.analysis_context import analysis_context, own_words
from yuqing.db.models import Event, EventHeat, Mention
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc

log = logging.getLogger("yuqing.events")


def heat_score(mentions: int, sources: int, reposts: int, comments: int, velocity: float) -> float:
    """Heat: volume, breadth across sources, amplification and speed, on one scale (about 1 for a lone post)."""
    return round(mentions + 3 * max(sources - 1, 0) + 2 * math.log1p(reposts + comments) + 2 * velocity, 2)


def raise_level(event: Event, signals, level: int, settings: Settings) -> None:
    """Recompute the level from the event's signals joined with new ones (a mention's, or a merged event's, whose
    own level is `level`) and the spread, with the casualty figures of its source of facts
    (yuqing.workflow.facts); automatic changes only ever raise it (a level an officer lowered in
    研判 is not lowered again, nor raised back without new facts)."""
    from pipeline.urgency import Signals, UrgencyRules, event_urgency, merge_signals
    from yuqing.workflow.facts import fact_signals

    merged = merge_signals([Signals.from_dict(event.signals), signals]) if event.signals else signals
    event.signals = merged.to_dict()
    decided = event_urgency(
        [fact_signals(event, merged)], velocity=event.velocity, rules=UrgencyRules(**settings.urgency.model_dump())
    )
    if event.assessed_at is not None and level >= event.urgency:
        return  # after 研判 the officer's level stands unless the new facts are themselves more severe
    if decided.level <= event.urgency or not event.reasons:  # at the same level the reasons follow the facts
        event.urgency = min(decided.level, event.urgency)
        event.reasons = decided.reasons


def refresh_counts(session: Session, event: Event, now: datetime) -> None:
    """Counts, breadth, velocity, negativity, heat and first publication of the event, from its mentions."""
    session.flush()
    mentions, sources, reposts, comments, negativity, first_pub = session.execute(
        select(
            func.count(Mention.id),
            func.count(func.distinct(Mention.source_id)),
            func.coalesce(func.sum(Mention.reposts), 0),
            func.coalesce(func.sum(Mention.comments), 0),
            func.coalesce(func.avg(Mention.negativity), 0.0),
            func.min(Mention.published_at),
        ).where(Mention.event_id == event.id)
    ).one()
    recent = session.scalar(
        select(func.count(Mention.id)).where(
            Mention.event_id == event.id, Mention.first_seen_at >= now - timedelta(hours=1)
        )
    )
    from yuqing.comments import event_comment_figures

    # Comments are voices too: their negativity pools with the posts' (the count is in Mention.comments already).
    comment_count, _, comment_negativity = event_comment_figures(session, event.id)
    if comment_count:
        negativity = (float(negativity) * mentions + comment_negativity) / (mentions + comment_count)
    event.mention_count, event.source_count = mentions, sources
    event.reposts, event.negativity, event.velocity = int(reposts), float(negativity), float(recent)
    event.heat = heat_score(mentions, sources, int(reposts), int(comments), float(recent))
    if first_pub is not None:
        event.first_published_at = first_pub


def update_stats(session: Session, event: Event, mention: Mention, now: datetime) -> None:
    """The event's figures after a mention joined, and its hourly heat row."""
    refresh_counts(session, event, now)
    event.last_mention_at = now
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
            Mention.event_id == event.id,
            Mention.first_seen_at >= hour,
            Mention.first_seen_at < hour + timedelta(hours=1),
        )
    )


def rebuild_from_mentions(session: Session, settings: Settings, event: Event, now: datetime, *, relevel: bool) -> None:
    """Recompute an event's terms, severity signals, anchors, facts, figures and hourly heat from the mentions it
    holds now (after a person moved some of them); with `relevel`, its level too (a level change is handled like
    any other: logged, deadlines recomputed), and, for an event not yet routed, its topic."""
    from pipeline.analyze import TextIn, analyze
    from pipeline.anchors import Anchors
    from pipeline.event_terms import add_terms, representative_terms
    from pipeline.urgency import UrgencyRules, event_urgency, merge_signals
    from yuqing.workflow.facts import describe, fact_signals, newer_facts
    from yuqing.workflow.hooks import on_event_changed

    session.flush()
    mentions = session.scalars(
        select(Mention).where(Mention.event_id == event.id).order_by(Mention.first_seen_at, Mention.id)
    ).all()
    context = analysis_context(settings)
    term_counts: dict[str, int] = {}
    anchors = Anchors()
    signals = []
    facts: dict = {}
    topics: Counter[str] = Counter()
    for mention in mentions:
        analysis = analyze(
            TextIn(title=mention.title, content=mention.content, source_type=mention.source_type), context
        )
        term_counts = add_terms(term_counts, analysis.terms | own_words(settings, analysis))
        anchors = anchors.union(analysis.anchors)
        signals.append(analysis.urgency_signals)
        topics[analysis.topic] += 1
        facts = newer_facts(facts, mention, analysis.urgency_signals, as_utc(mention.first_seen_at)) or facts
    merged = merge_signals(signals)
    event.term_counts, event.anchors, event.facts = term_counts, anchors.to_dict(), facts
    event.key_terms = sorted(representative_terms(term_counts, limit=12))
    event.signals = merged.to_dict()
    event.last_mention_at = max((as_utc(m.first_seen_at) for m in mentions), default=event.last_mention_at)
    refresh_counts(session, event, now)
    _rebuild_heat(session, event, mentions)
    if relevel and mentions:
        decided = event_urgency(
            [fact_signals(event, merged)], velocity=event.velocity, rules=UrgencyRules(**settings.urgency.model_dump())
        )
        old = event.urgency
        event.urgency, event.reasons = decided.level, decided.reasons
        if event.office_code is None:  # a new event split off: its topic is its own mentions'
            event.topic = max(sorted(topics), key=topics.get)
        if old != event.urgency and event.office_code is not None:
            on_event_changed(session, settings, event, old, now)
    log.info("事件 #%s 按现有 %s 条信息重算(伤亡:%s)", event.id, len(mentions), describe(facts.get("figures") or {}))


def _rebuild_heat(session: Session, event: Event, mentions) -> None:
    """The event's hourly heat rows from its mentions."""
    from sqlalchemy import delete

    session.execute(delete(EventHeat).where(EventHeat.event_id == event.id))
    hours: dict[datetime, dict] = {}
    for mention in mentions:
        hour = as_utc(mention.first_seen_at).replace(minute=0, second=0, microsecond=0)
        row = hours.setdefault(hour, {"mentions": 0, "reposts": 0, "negative": 0, "sources": set()})
        row["mentions"] += 1
        row["reposts"] += int(mention.reposts or 0)
        row["negative"] += int((mention.negativity or 0) >= 0.5)
        row["sources"].add(mention.source_id)
    for hour, row in hours.items():
        session.add(
            EventHeat(
                event_id=event.id,
                hour=hour,
                mentions=row["mentions"],
                sources=len(row["sources"]),
                reposts=row["reposts"],
                negative=row["negative"],
            )
        )
