"""Events in the database: joining a relevant mention to its event (or opening one), heat over time, level changes."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from yuqing.analysis_context import analysis_context, own_words
from yuqing.db.models import OPEN_STATUSES, Event, Mention
from yuqing.event_figures import raise_level, update_stats
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc

log = logging.getLogger("yuqing.events")
MAX_CANDIDATES = 400
GRAM_REPORTS = 6  # an emergency event's latest reports whose wording a new report is compared with
CLOSED_FOR_GOOD = ("false_alarm", "no_action", "merged")
OFFICIAL_THRESHOLD_SHARE = 0.7
# The candidate set of a relevant mention is every open event of the clustering window, the same set for every
# mention, so one PostgreSQL advisory lock serialises event attachment (two workers cannot each open an event for
# one story). The key is arbitrary but fixed: "yuqing:events" as a 63-bit integer.
EVENT_LOCK_KEY = 0x7975716E67_6576
CATCH_UP_LOOKBACK = 500  # ids below the highest seen that may still commit (inserted before, committed after)


def lock_event_candidates(session: Session) -> None:
    """Serialise event attachment across processes until this transaction ends (PostgreSQL; SQLite writers are
    serialised by BEGIN IMMEDIATE already). Re-entrant within a transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_LOCK_KEY})


class RecentTexts:
    """The near-duplicate index of recent relevant mentions, kept per database and caught up from it before use,
    so that several processes ingesting into one database still see each other's mentions."""

    def __init__(self, window_hours: float):
        from pipeline.near_duplicates import NearDuplicateIndex

        self.index = NearDuplicateIndex(window_seconds=window_hours * 3600)
        self.window_hours = window_hours
        self.last_id = 0
        self.indexed: set[int] = set()  # ids above last_id - CATCH_UP_LOOKBACK already in the index
        self.lock = threading.Lock()

    def catch_up(self, session: Session, now: datetime) -> None:
        """Index the relevant mentions other writers stored since the last look (from their stored text). With
        several writers an id below the highest seen can commit later, so the last CATCH_UP_LOOKBACK ids are
        looked at again (those already indexed are skipped)."""
        from pipeline.fingerprints import fingerprint

        since = now - timedelta(hours=self.window_hours)
        floor = max(0, self.last_id - CATCH_UP_LOOKBACK)
        rows = session.execute(
            select(Mention.id, Mention.title, Mention.content, Mention.first_seen_at)
            .where(Mention.id > floor, Mention.relevant.is_(True), Mention.first_seen_at >= since)
            .order_by(Mention.id)
        ).all()
        for mention_id, title, content, seen in rows:
            if mention_id not in self.indexed:
                self.index.add(mention_id, fingerprint(f"{title}\n{content}"), seen)
                self.indexed.add(mention_id)
        if rows:
            self.last_id = max(self.last_id, rows[-1][0])
        self._prune()

    def _prune(self) -> None:
        floor = self.last_id - CATCH_UP_LOOKBACK
        if len(self.indexed) > 4 * CATCH_UP_LOOKBACK:
            self.indexed = {i for i in self.indexed if i > floor}

    def similar(self, fingerprint, now: datetime) -> list[tuple[int, float]]:
        """(mention id, similarity) of recent near-duplicates."""
        return self.index.query(fingerprint, now, limit=20)

    def add(self, mention_id: int, fingerprint, now: datetime) -> None:
        """Index a mention this process has just stored."""
        self.index.add(mention_id, fingerprint, now)
        self.indexed.add(mention_id)
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


def _event_grams(
    session: Session, events: list[Event], since: datetime, *, everyone: bool
) -> dict[int, frozenset[str]]:
    """The character pairs of each emergency event's latest reports (of every open event when the new report is
    itself an emergency), to compare an emergency report with them cheaply (pipeline.event_terms.char_grams)."""
    from pipeline.event_terms import char_grams

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
    from pipeline.clustering import EventCandidate, MentionFeatures, choose_event
    from pipeline.event_terms import char_grams, representative_terms

    twin = session.scalar(
        select(Mention)
        .where(Mention.content_hash == mention.content_hash, Mention.id != mention.id, Mention.event_id.is_not(None))
        .limit(1)
    )
    if twin is not None:
        mention.duplicate_of = twin.id
        mention.join_reason = f"并入事件 #{twin.event_id}：与信息 #{twin.id} 内容相同(转载)"
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
    hazards = frozenset(analysis.urgency_signals.hazards)
    if hazards:
        # A new emergency report never joins a finished matter of another kind (a crash reported after the
        # complaint about the same road was closed is a new event, with its own deadlines and alerts).
        events = [e for e in events if e.status in OPEN_STATUSES or hazards & set((e.signals or {}).get("hazards", ()))]
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
    worded = _worded(settings, decision.reasons)
    if decision.event_id is None:
        log.debug("信息 %s 不并入已有事件(%s)", mention.id, ";".join(worded))
        said = "；".join(worded)
        mention.join_reason = (
            (said if worded[0].endswith("新建事件") else "新建事件：" + said)[:2000] if worded else None
        )
        return None, []
    log.debug("信息 %s 并入事件 #%s(%s)", mention.id, decision.event_id, ";".join(worded))
    mention.join_reason = (f"并入事件 #{decision.event_id}：" + "；".join(worded))[:2000]
    for reason in decision.reasons:
        if reason.startswith("同时接近事件"):  # a bridge refused: two incidents, kept apart
            log.info("信息 %s 并入事件 #%s,%s", mention.id, decision.event_id, reason)
    # Only a mention that would join either event on its own bridges them (not at the official posts' lower bar).
    bridged = [
        event_id
        for event_id, score in decision.also
        if decision.score >= settings.clustering.similarity and score >= settings.clustering.similarity
    ]
    return session.get(Event, decision.event_id), [session.get(Event, event_id) for event_id in bridged]


def _worded(settings: Settings, reasons: list[str]) -> list[str]:
    """The clustering's reasons as a person reads them: topic codes by their configured names."""
    from yuqing.labels import topic_text

    prefix = "同一领域："
    return [prefix + topic_text(settings, r[len(prefix) :]) if r.startswith(prefix) else r for r in reasons]


def _merge_bridged(
    session: Session, settings: Settings, event: Event, bridged: list[Event], mention: Mention, now: datetime
) -> Event:
    """Merge the events a mention bridges into one (see yuqing.workflow.merge.survivor for which is kept)."""
    from yuqing.workflow.audit import SYSTEM
    from yuqing.workflow.merge import may_be_one_matter, merge_events, survivor

    for other in bridged:
        if not may_be_one_matter(event, other):
            continue
        if event.status not in OPEN_STATUSES or other.status not in OPEN_STATUSES:
            # a finished event absorbs nothing automatically: the open one keeps its deadlines and alerts
            log.info("信息 %s 同时接近事件 #%s 与 #%s,其中一个已办结,不自动合并", mention.id, event.id, other.id)
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
    from pipeline.event_terms import add_terms, representative_terms
    from yuqing.workflow.facts import authority, follow_facts, settle_level
    from yuqing.workflow.hooks import on_event_changed, on_event_detected, on_mention_joined

    lock_event_candidates(session)
    words = own_words(settings, analysis)
    event, bridged = _choose_event(session, settings, mention, analysis, words, now)
    if event is None and mention.official:
        mention.join_reason = "官方发布,与时间窗口内的事件都不相近,不新建事件"
        return None
    if event is not None and bridged:
        joined = [event.id, *(e.id for e in bridged)]
        event = _merge_bridged(session, settings, event, bridged, mention, now)
        together = "、".join(f"#{i}" for i in joined)
        mention.join_reason = f"{mention.join_reason or ''}；同时接近事件 {together},合并为事件 #{event.id}"[:2000]
    created = event is None
    if created and not mention.join_reason:
        mention.join_reason = "新建事件：时间窗口内没有相近的事件"
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
    update_stats(session, event, mention, now)
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
