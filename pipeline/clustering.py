"""Event clustering decisions: which existing event a mention joins, and an event's heat over time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


def _seconds(when: datetime | float) -> float:
    return when.timestamp() if isinstance(when, datetime) else float(when)


@dataclass(frozen=True)
class MentionFeatures:
    """What clustering needs from an analysed mention."""

    terms: frozenset[str]
    topic: str | None
    village: str | None
    time: datetime | float


@dataclass(frozen=True)
class EventCandidate:
    """An open event: its representative terms, topic, village, last activity, and how similar the
    mention's text is to the event's mentions (the best near-duplicate similarity; 0 if none)."""

    event_id: Hashable
    terms: frozenset[str]
    topic: str | None
    village: str | None
    last_seen: datetime | float
    text_similarity: float = 0.0


@dataclass(frozen=True)
class ClusterDecision:
    """The event to join (None: start a new one), the score and the reasons (Chinese)."""

    event_id: Hashable | None
    score: float
    reasons: list[str] = field(default_factory=list)


def _score(mention: MentionFeatures, event: EventCandidate) -> tuple[float, list[str]]:
    reasons: list[str] = []
    shared = mention.terms & event.terms
    sizes = len(mention.terms) + len(event.terms)
    overlap = 2 * len(shared) / sizes if sizes else 0.0  # Dice: kinder than Jaccard to the few terms a post has
    same_topic = bool(mention.topic and mention.topic == event.topic and mention.topic != "other")
    same_village = bool(mention.village and mention.village == event.village)
    other_village = bool(mention.village and event.village and mention.village != event.village)
    blended = 0.6 * overlap + (0.2 if same_topic else 0.0) + (0.2 if same_village else 0.0)
    if other_village:
        blended *= 0.5  # the same kind of matter in another village is another event
    score = max(event.text_similarity, blended)
    if event.text_similarity:
        reasons.append(f"文本相似度{event.text_similarity:.2f}")
    if shared:
        reasons.append("共同关键词：" + "、".join(sorted(shared)[:8]))
    if same_topic:
        reasons.append(f"同一领域：{mention.topic}")
    if same_village:
        reasons.append(f"同一村（社区）：{mention.village}")
    if other_village:
        reasons.append(f"属地不同：{mention.village} / {event.village}")
    return score, reasons


def choose_event(mention: MentionFeatures, candidates: Iterable[EventCandidate], *, threshold: float = 0.55,
                 window_seconds: float = 72 * 3600) -> ClusterDecision:
    """Join the best-scoring candidate event active within the window if it reaches the threshold.

    score = max(text similarity, 0.6 × term Dice overlap + 0.2 same topic + 0.2 same village), halved for
    another village's event.
    """
    when = _seconds(mention.time)
    best: tuple[float, EventCandidate, list[str]] | None = None
    for event in candidates:
        if abs(when - _seconds(event.last_seen)) > window_seconds:
            continue
        score, reasons = _score(mention, event)
        if best is None or score > best[0]:
            best = (score, event, reasons)
    if best is None:
        return ClusterDecision(None, 0.0, ["时间窗口内没有候选事件，新建事件"])
    score, event, reasons = best
    if score >= threshold:
        return ClusterDecision(event.event_id, round(score, 3), reasons)
    return ClusterDecision(None, round(score, 3), [f"与最接近的事件相似度{score:.2f}低于{threshold:.2f}，新建事件"])


def representative_terms(term_counts: Mapping[str, int], limit: int = 24) -> frozenset[str]:
    """The event's most frequent terms, used as its representative terms."""
    return frozenset(term for term, _ in Counter(term_counts).most_common(limit))


def add_terms(term_counts: Mapping[str, int], terms: Iterable[str]) -> dict[str, int]:
    """Term counts after one more mention with these terms (a new dict; the input is unchanged)."""
    updated = Counter(term_counts)
    updated.update(set(terms))
    return dict(updated)


@dataclass(frozen=True)
class Heat:
    """An event's heat at a moment: mentions, distinct sources, reposts, velocity and a combined score."""

    mentions: int
    sources: int
    reposts: int
    velocity: float  # mentions per hour over the recent span
    score: float


def event_heat(mention_times: Sequence[datetime | float], sources: Iterable[str], now: datetime | float, *,
               reposts: int = 0, span_hours: float = 1.0) -> Heat:
    """Heat of an event from its mentions' times and sources; velocity counts the last `span_hours`."""
    current = _seconds(now)
    times = [_seconds(t) for t in mention_times]
    recent = sum(1 for t in times if 0 <= current - t <= span_hours * 3600)
    velocity = recent / span_hours
    distinct = len(set(sources))
    score = len(times) + 3 * max(distinct - 1, 0) + 0.1 * reposts + 5 * velocity
    return Heat(len(times), distinct, reposts, round(velocity, 3), round(score, 2))
