"""Events in the database: joining a relevant mention to its event (or opening one), heat over time, level changes."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.anchors import place_stem
from yuqing.db.models import Event, EventHeat, Mention
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc

log = logging.getLogger("yuqing.events")
MAX_CANDIDATES = 400
GRAM_REPORTS = 6  # an emergency event's latest reports whose wording a new report is compared with
CLOSED_FOR_GOOD = ("false_alarm", "no_action", "merged")
OFFICIAL_THRESHOLD_SHARE = 0.7


def heat_score(mentions: int, sources: int, reposts: int, comments: int, velocity: float) -> float:
    """Heat: volume, breadth across sources, amplification and speed, on one scale (about 1 for a lone post)."""
    return round(mentions + 3 * max(sources - 1, 0) + 2 * math.log1p(reposts + comments) + 2 * velocity, 2)


class RecentTexts:
    """The near-duplicate index of recent relevant mentions, kept per database and caught up from it before use,
    so that several processes ingesting into one database still see each other's mentions."""

    def __init__(self, window_hours: float):
        from pipeline.near_duplicates import NearDuplicateIndex

        self.index = NearDuplicateIndex(window_seconds=window_hours * 3600)
        self.window_hours = window_hours
        self.last_id = 0
        self.lock = threading.Lock()

    def catch_up(self, session: Session, now: datetime) -> None:
        """Index the relevant mentions other writers stored since the last look (from their stored text)."""
        from pipeline.fingerprints import fingerprint

        since = now - timedelta(hours=self.window_hours)
        rows = session.execute(
            select(Mention.id, Mention.title, Mention.content, Mention.first_seen_at)
            .where(Mention.id > self.last_id, Mention.relevant.is_(True), Mention.first_seen_at >= since)
            .order_by(Mention.id)
        ).all()
        for mention_id, title, content, seen in rows:
            self.index.add(mention_id, fingerprint(f"{title}\n{content}"), seen)
        if rows:
            self.last_id = rows[-1][0]

    def similar(self, fingerprint, now: datetime) -> list[tuple[int, float]]:
        """(mention id, similarity) of recent near-duplicates."""
        return self.index.query(fingerprint, now, limit=20)

    def add(self, mention_id: int, fingerprint, now: datetime) -> None:
        """Index a mention this process has just stored."""
        self.index.add(mention_id, fingerprint, now)
        self.last_id = max(self.last_id, mention_id)


_recent: dict[tuple[str, float], RecentTexts] = {}
_recent_lock = threading.Lock()


def recent_texts(session: Session, settings: Settings) -> RecentTexts:
    """The near-duplicate index for this database (created on first use)."""
    key = (str(session.get_bind().url), settings.clustering.window_hours)
    with _recent_lock:
        if key not in _recent:
            _recent[key] = RecentTexts(settings.clustering.window_hours)
        return _recent[key]


def own_words(settings: Settings, analysis) -> frozenset[str]:
    """An emergency report's own words (names of people, vehicles, firms); none for a routine matter. Computed
    here, when a relevant mention is clustered, not in the pipeline: it needs jieba."""
    from pipeline.clustering import incident_words
    from yuqing.ingest import analysis_context

    if not analysis.urgency_signals.hazards:
        return frozenset()
    home = analysis_context(settings).home_places  # the town's own name is in every report
    return frozenset(word for word in incident_words(analysis.normalized) if place_stem(word) not in home)


def _event_grams(
    session: Session, events: list[Event], since: datetime, *, everyone: bool
) -> dict[int, frozenset[str]]:
    """The character pairs of each emergency event's latest reports (of every open event when the new report is
    itself an emergency), to compare an emergency report with them cheaply (pipeline.clustering.char_grams)."""
    from pipeline.clustering import char_grams

    wanted = [e.id for e in events if everyone or (e.signals or {}).get("hazards")]
    if not wanted:
        return {}
    texts: dict[int, list[str]] = {}
    rows = session.execute(
        select(Mention.event_id, Mention.title, Mention.content)
        .where(Mention.event_id.in_(wanted), Mention.first_seen_at >= since)
        .order_by(Mention.id.desc())
        .limit(GRAM_REPORTS * len(wanted))
    )
    for event_id, title, content in rows:
        kept = texts.setdefault(event_id, [])
        if len(kept) < GRAM_REPORTS:
            kept.append(f"{title} {content}" if title else content)
    return {event_id: frozenset().union(*(char_grams(text) for text in kept)) for event_id, kept in texts.items()}


def _choose_event(
    session: Session, settings: Settings, mention: Mention, analysis, words: frozenset[str], now: datetime
) -> tuple[Event | None, list[Event]]:
    """The event this mention belongs to (an exact duplicate's event, else the pipeline's clustering decision),
    and the other open events it is as close to, which it shows to be the same matter."""
    from pipeline.anchors import Anchors
    from pipeline.clustering import EventCandidate, MentionFeatures, char_grams, choose_event, representative_terms
    from yuqing.ingest import analysis_context

    twin = session.scalar(
        select(Mention)
        .where(Mention.content_hash == mention.content_hash, Mention.id != mention.id, Mention.event_id.is_not(None))
        .limit(1)
    )
    if twin is not None:
        mention.duplicate_of = twin.id
        return session.get(Event, twin.event_id), []
    texts = recent_texts(session, settings)
    with texts.lock:
        texts.catch_up(session, now)
        similar = texts.similar(analysis.fingerprint, now)
        texts.add(mention.id, analysis.fingerprint, now)
    since = now - timedelta(hours=settings.clustering.window_hours)
    events = list(
        session.scalars(
            select(Event)
            .where(Event.last_mention_at >= since, Event.status.not_in(CLOSED_FOR_GOOD))
            .order_by(Event.last_mention_at.desc())
            .limit(MAX_CANDIDATES)
        )
    )
    if not events:
        return None, []
    similarity: dict[int, float] = {}
    if similar:
        owners = dict(
            session.execute(
                select(Mention.id, Mention.event_id).where(Mention.id.in_([mid for mid, _ in similar]))
            ).all()
        )
        for mention_id, score in similar:
            event_id = owners.get(mention_id)
            if event_id is not None:
                similarity[event_id] = max(similarity.get(event_id, 0.0), score)
    mention_hazards = frozenset(analysis.urgency_signals.hazards)
    grams = _event_grams(session, events, since, everyone=bool(mention_hazards))
    candidates = [
        EventCandidate(
            event_id=e.id,
            terms=representative_terms(e.term_counts or {}),
            topic=e.topic,
            village=e.village,
            last_seen=as_utc(e.last_mention_at),
            text_similarity=similarity.get(e.id, 0.0),
            hazards=frozenset((e.signals or {}).get("hazards", ())),
            urgency=e.urgency,
            anchors=Anchors.from_dict(e.anchors),
            grams=grams.get(e.id, frozenset()),
        )
        for e in events
    ]
    features = MentionFeatures(
        terms=analysis.terms | words,
        topic=mention.topic,
        village=mention.village,
        time=now,
        hazards=mention_hazards,
        urgency=mention.urgency,
        anchors=analysis.anchors,
        own_words=words,
        grams=char_grams(f"{mention.title} {mention.content}" if mention.title else mention.content)
        if grams
        else frozenset(),
    )
    context = analysis_context(settings)
    # The government's own posts are responses, not new matters: they join a matching event more readily.
    threshold = settings.clustering.similarity * (OFFICIAL_THRESHOLD_SHARE if mention.official else 1.0)
    decision = choose_event(
        features,
        candidates,
        threshold=threshold,
        window_seconds=settings.clustering.window_hours * 3600,
        home_places=context.home_places,
        town_places=frozenset(stem for _, stem in context.places),
    )
    if decision.event_id is None:
        log.debug("信息 %s 不并入已有事件(%s)", mention.id, ";".join(decision.reasons))
        return None, []
    log.debug("信息 %s 并入事件 #%s(%s)", mention.id, decision.event_id, ";".join(decision.reasons))
    # Only a mention that would join either event on its own bridges them (not at the official posts' lower bar).
    bridged = [
        event_id
        for event_id, score in decision.also
        if decision.score >= settings.clustering.similarity and score >= settings.clustering.similarity
    ]
    return session.get(Event, decision.event_id), [session.get(Event, event_id) for event_id in bridged]


def _merge_bridged(
    session: Session, settings: Settings, event: Event, bridged: list[Event], mention: Mention, now: datetime
) -> Event:
    """Merge the events a mention bridges into one (see yuqing.workflow.merge.survivor for which is kept)."""
    from yuqing.workflow.audit import SYSTEM
    from yuqing.workflow.merge import may_be_one_matter, merge_events, survivor

    for other in bridged:
        if not may_be_one_matter(event, other):
            continue
        pair = survivor(event, other)
        if pair is None:
            log.info(
                "信息 %s 同时接近事件 #%s 与 #%s,两者均已研判,请值班员判断是否合并", mention.id, event.id, other.id
            )
            continue
        kept, absorbed = pair
        reason = f"新信息“{(mention.title or mention.content)[:30]}”与两个事件都高度相似,判定为同一事项"
        event = merge_events(session, settings, kept, absorbed, actor=SYSTEM, reason=reason, now=now)
        log.info("事件 #%s 并入事件 #%s", absorbed.id, kept.id)
    return event


def attach_to_event(session: Session, settings: Settings, mention: Mention, analysis, now: datetime) -> Event | None:
    """Put a relevant mention into its event, opening a new event if none matches; runs the workflow hooks.

    A post from an official source that matches no event opens none (it is the government speaking, not
    public opinion to handle); it stays stored and searchable."""
    from pipeline.anchors import Anchors
    from pipeline.clustering import add_terms, representative_terms
    from yuqing.workflow.facts import authority, follow_facts, settle_level
    from yuqing.workflow.hooks import on_event_changed, on_event_detected, on_mention_joined

    words = own_words(settings, analysis)
    event, bridged = _choose_event(session, settings, mention, analysis, words, now)
    if event is None and mention.official:
        return None
    if event is not None and bridged:
        event = _merge_bridged(session, settings, event, bridged, mention, now)
    created = event is None
    if created:
        event = Event(
            title=mention.title or mention.content[:60],
            summary=mention.content[:300],
            topic=mention.topic,
            urgency=mention.urgency,
            reasons=list(mention.urgency_reasons),
            village=mention.village,
            simhash=mention.simhash,
            detected_at=now,
            first_published_at=mention.published_at,
            status="detected",
            term_counts={},
            signals={},
            anchors={},
            facts={},
        )
        session.add(event)
        session.flush()
    mention.event_id = event.id
    event.anchors = Anchors.from_dict(event.anchors).union(analysis.anchors).to_dict()
    event.term_counts = add_terms(event.term_counts or {}, analysis.terms | words)
    event.key_terms = sorted(representative_terms(event.term_counts, limit=12))
    if not event.village and mention.village:
        event.village = mention.village
    old_level = event.urgency
    _update_stats(session, event, mention, now)
    facts_changed = follow_facts(session, event, mention, analysis.urgency_signals, now)
    raise_level(event, analysis.urgency_signals, analysis.urgency, settings)
    if facts_changed:
        settle_level(session, settings, event, now)
    if (
        not created
        and not mention.official
        and mention.urgency < old_level
        and mention.urgency == event.urgency
        and authority(mention) >= (event.facts or {}).get("rank", 0)
    ):
        # The matter turned serious with this post: the event is now known by it, not by the milder first one.
        event.title, event.summary = mention.title or event.title, mention.content[:300] or event.summary
    if created:
        on_event_detected(session, settings, event)
        log.info("新事件 #%s [%s级] %s", event.id, event.urgency, event.title[:40])
    elif event.urgency != old_level:
        on_event_changed(session, settings, event, old_level)
        log.info("事件 #%s 等级由 %s 级调整为 %s 级", event.id, old_level, event.urgency)
    on_mention_joined(session, settings, event, mention)
    return event


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
    event.mention_count, event.source_count = mentions, sources
    event.reposts, event.negativity, event.velocity = int(reposts), float(negativity), float(recent)
    event.heat = heat_score(mentions, sources, int(reposts), int(comments), float(recent))
    if first_pub is not None:
        event.first_published_at = first_pub


def _update_stats(session: Session, event: Event, mention: Mention, now: datetime) -> None:
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
    from pipeline.clustering import add_terms, representative_terms
    from pipeline.urgency import UrgencyRules, event_urgency, merge_signals
    from yuqing.ingest import analysis_context
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
