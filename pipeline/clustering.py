"""Event clustering decisions: which existing event a mention joins, which open events it bridges, and how well a
clustering matches hand-labelled matters (B-cubed). The words compared are pipeline.event_terms'; an event's heat
is pipeline.event_heat's."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pipeline.anchor_matching import AnchorComparison, compare, specific
from pipeline.anchors import Anchors
from pipeline.event_heat import seconds

CONTAINMENT_SHARE = 0.8
EMERGENCY_BONUS = 0.2  # the only open emergency of a kind, for a report that names no other place
ANCHOR_BONUS = 0.25
IDENTITY_BONUS = 0.1  # per word of an emergency that at most two open events have
IDENTITY_MAX = 0.3
CONFLICT_FACTOR = 0.3  # two emergencies at different places are two events, however alike the words
DAY_CONFLICT_FACTOR = 0.7
NEAR_COPY = 0.8  # a text this similar is a copy or rewrite of the event's post, whatever anchors it drops or adds
PRIOR_EVENTS = 10
# A report about a routine matter bridges a second event (merges it) only when it reaches the threshold by more than
# the same-topic share: short complaints of one village (路灯, 停水) share the village and the topic, not the matter.
ROUTINE_BRIDGE = 0.2
CHAR_SHARE = 1.0  # weight of the character similarity of two emergency reports, in place of the term overlap
AREA_KINDS = frozenset(
    {"汛情", "气象灾害", "地震", "地质灾害", "森林火灾"}
)  # disasters that strike many places at once


@dataclass(frozen=True)
class MentionFeatures:
    """What clustering needs from an analysed mention."""

    terms: frozenset[str]
    topic: str | None
    village: str | None
    time: datetime | float
    hazards: frozenset[str] = frozenset()  # kinds of emergency the text names (爆炸, 中毒, 汛情 …)
    urgency: int = 4
    anchors: Anchors = Anchors()  # where and when the incident happened (place, road, site, day)
    own_words: frozenset[str] = frozenset()  # an emergency report's own words, not from any lexicon
    grams: frozenset[str] = frozenset()  # character pairs of its text (char_grams), for emergencies


@dataclass(frozen=True)
class EventCandidate:
    """An open event: its representative terms, topic, village, last activity, how similar the mention's text
    is to the event's mentions (the best near-duplicate similarity; 0 if none), the kinds of emergency its
    mentions name, and its level."""

    event_id: Hashable
    terms: frozenset[str]
    topic: str | None
    village: str | None
    last_seen: datetime | float
    text_similarity: float = 0.0
    hazards: frozenset[str] = frozenset()
    urgency: int = 4
    anchors: Anchors = Anchors()
    grams: frozenset[str] = frozenset()  # character pairs of its latest reports (char_grams), for emergencies


@dataclass(frozen=True)
class ClusterDecision:
    """The event to join (None: start a new one), the score and the reasons (Chinese), and the other events that
    also reached the threshold, best first: (event id, score). A mention close to two events bridges them."""

    event_id: Hashable | None
    score: float
    reasons: list[str] = field(default_factory=list)
    also: list[tuple[Hashable, float]] = field(default_factory=list)


class _TermWeights:
    """How much a shared term says, from how many candidate events carry it (smoothed IDF).

    Words every event has (the town's name, 政府, 工作) count little; a word only one event has counts most. The
    candidates are the open events of the window, so the weights follow what is being talked about right now.
    """

    def __init__(self, candidates: Sequence[EventCandidate], *, grams: bool = False) -> None:
        self._df = Counter(term for event in candidates for term in (event.grams if grams else event.terms))
        self._events = len(candidates)
        self._cache: dict[str, float] = {}

    def __call__(self, term: str) -> float:
        weight = self._cache.get(term)
        if weight is None:
            # PRIOR_EVENTS imaginary events without the term keep the weights flat while few events are open.
            weight = self._cache[term] = math.log(1 + (self._events + PRIOR_EVENTS + 1) / (self._df[term] + 1))
        return weight

    def total(self, terms: Iterable[str]) -> float:
        """The summed weight, exactly rounded (fsum): the same whatever order a set of terms comes in, so that two
        events scoring alike tie exactly and the tie is broken the same way in every process."""
        return math.fsum(self(term) for term in terms)

    def rare(self, term: str) -> bool:
        """At most two open events carry the term (two, so that one incident already split in two still counts)."""
        return self._df[term] <= 2


def _shared_terms(mention_terms: frozenset[str], event_terms: frozenset[str]) -> set[str]:
    """Mention terms the event also has, where a word inside a longer one counts (化工 in 化工厂, 爆炸 in 爆炸事故):
    the lexicon's longest match keeps only one of them, and posts about one matter word it differently."""
    shared = set(mention_terms & event_terms)
    for term in mention_terms - shared:
        if len(term) >= 2 and any(len(other) >= 2 and (term in other or other in term) for other in event_terms):
            shared.add(term)
    return shared


def _char_similarity(mention: MentionFeatures, event: EventCandidate, weights: _TermWeights | None) -> float:
    """How much of the report's character pairs the event's reports have, weighted like terms (a pair every open
    event has, 发生 or 事故, counts little; 莎拉 or 吃店 counts most): a short rewrite of one of its reports scores
    high. Only between emergencies (either side naming a kind of emergency)."""
    if weights is None or not mention.grams or not event.grams or not (mention.hazards or event.hazards):
        return 0.0
    total = weights.total(mention.grams)
    return weights.total(mention.grams & event.grams) / total if total else 0.0


def _same_emergency(
    mention: MentionFeatures, event: EventCandidate, same_topic: bool, ambiguous: frozenset[str] = frozenset()
) -> list[str]:
    """Kinds of emergency both sides name (爆炸 for “一声巨响” and “化工厂爆燃”), when they point to one matter:
    within one topic, or with either side at level 1–2, since an emergency's follow-ups are classified loosely
    and its first report is often the mildest. A kind two or more open events share (`ambiguous`: two crashes on
    the roads today) points to none of them: the report must share a place or its words with one."""
    shared = (mention.hazards & event.hazards) - ambiguous
    if shared and (same_topic or min(mention.urgency, event.urgency) <= 2):
        return sorted(shared)
    return []


def _ambiguous_kinds(candidates: Sequence[EventCandidate]) -> frozenset[str]:
    """Kinds of emergency named by more than one open event."""
    counts = Counter(kind for event in candidates for kind in event.hazards)
    return frozenset(kind for kind, count in counts.items() if count > 1)


def _common_places(candidates: Sequence[EventCandidate], home: frozenset[str]) -> frozenset[str]:
    """Places too widespread among the open events to tell incidents apart (the town itself), and the configured
    home places."""
    counts = Counter(place for event in candidates for place in event.anchors.places)
    widespread = {place for place, count in counts.items() if len(candidates) >= 4 and count * 2 >= len(candidates)}
    return frozenset(widespread) | home


def _anchor_adjustment(
    score: float, comparison: AnchorComparison, text_similarity: float, reasons: list[str], *, both_emergencies: bool
) -> float:
    """Between two emergencies, lower the score for incompatible anchors (unless the text is a near copy) and raise
    it for shared ones; a post about an emergency's site or road (瑞鑫化工 after its explosion) joins it too."""
    if not both_emergencies:
        if comparison.named_site and not comparison.conflicts:
            reasons.append("同一场所：" + "、".join(comparison.named_site[:3]))
            return min(1.0, score + ANCHOR_BONUS)
        return score
    if comparison.conflicts and text_similarity < NEAR_COPY:
        reasons.extend(comparison.conflicts)
        return score * CONFLICT_FACTOR
    if comparison.day_conflict and text_similarity < NEAR_COPY:
        reasons.append("发生日期不同")
        score *= DAY_CONFLICT_FACTOR
    if comparison.nearby and text_similarity < NEAR_COPY:
        reasons.extend(comparison.nearby)
        score *= DAY_CONFLICT_FACTOR
    if comparison.named_site or comparison.local:  # a province or a country in common is no sign of one incident
        reasons.append("同一地点或场所：" + "、".join([*comparison.named_site, *comparison.local][:4]))
        score = min(1.0, score + ANCHOR_BONUS)
    return score


def _score(
    mention: MentionFeatures,
    mention_weight: float,
    event: EventCandidate,
    weights: _TermWeights,
    common: frozenset[str] = frozenset(),
    town: frozenset[str] = frozenset(),
    ambiguous: frozenset[str] = frozenset(),
    gram_weights: _TermWeights | None = None,
) -> tuple[float, list[str]]:
    reasons: list[str] = []
    shared = _shared_terms(mention.terms, event.terms)
    event_weight = weights.total(event.terms)
    shared_weight = weights.total(shared)
    # Dice compares the two sides; containment lets a short post that only repeats part of a large event join it.
    dice = 2 * shared_weight / (mention_weight + event_weight) if mention_weight + event_weight else 0.0
    smaller = min(mention_weight, event_weight)
    containment = shared_weight / smaller if smaller else 0.0
    overlap = max(dice, CONTAINMENT_SHARE * containment) if len(shared) >= 2 else dice
    characters = _char_similarity(mention, event, gram_weights)
    overlap = max(overlap, CHAR_SHARE * characters)
    same_topic = bool(mention.topic and mention.topic == event.topic and mention.topic != "other")
    same_village = bool(mention.village and mention.village == event.village)
    other_village = bool(mention.village and event.village and mention.village != event.village)
    emergency = _same_emergency(mention, event, same_topic, ambiguous)
    area = bool(mention.hazards & event.hazards & AREA_KINDS)
    comparison = compare(mention.anchors, event.anchors, common, area=area, town=town)
    if emergency and specific(mention.anchors, common) and not (comparison.named_site or comparison.local):
        # A report that says where, and names nothing the event named, is not shown to be the same incident.
        emergency_bonus = EMERGENCY_BONUS / 2
    else:
        emergency_bonus = EMERGENCY_BONUS if emergency else 0.0
    located = []
    if not emergency and (comparison.named_site or comparison.local) and not comparison.conflicts:
        # A kind several open events share (three crashes today) still counts for the one whose place it names.
        located = _same_emergency(mention, event, same_topic)
        emergency_bonus = EMERGENCY_BONUS / 2 if located else 0.0
    # Words of an emergency that no other open event has (玛莎拉蒂, 京都动画, F35) identify the incident.
    distinctive = (
        sorted(term for term in shared & mention.own_words if weights.rare(term))
        if mention.hazards & event.hazards
        else []
    )
    # A name of three characters or more (任达华, 玛莎拉蒂, 圣母院) says more than a two-character word.
    identity_bonus = min(IDENTITY_MAX, sum(IDENTITY_BONUS * (2 if len(term) >= 3 else 1) for term in distinctive))
    blended = (
        0.6 * overlap + (0.2 if same_topic else 0.0) + (0.1 if same_village else 0.0) + emergency_bonus + identity_bonus
    )
    score = min(1.0, max(event.text_similarity, blended))
    if other_village and not area:
        score *= 0.5  # the same kind of matter in another village is another event, however alike the wording
    if event.text_similarity:
        reasons.append(f"文本相似度{event.text_similarity:.2f}")
    if characters >= 0.3:
        reasons.append(f"字面相近{characters:.2f}")
    if shared:
        ranked = sorted(shared, key=lambda term: (-weights(term), term))
        reasons.append("共同关键词：" + "、".join(ranked[:8]))
    if same_topic:
        reasons.append(f"同一领域：{mention.topic}")
    if emergency:
        reasons.append("同一险情：" + "、".join(emergency[:4]))
    if located:
        reasons.append("同一地点的同类险情：" + "、".join(located[:4]))
    if identity_bonus:
        reasons.append("同一事件的特有说法：" + "、".join(distinctive[:4]))
    if same_village:
        reasons.append(f"同一村（社区）：{mention.village}")
    if other_village and not area:
        reasons.append(f"属地不同：{mention.village} / {event.village}")
    if event.hazards:
        score = _anchor_adjustment(
            score, comparison, event.text_similarity, reasons, both_emergencies=bool(mention.hazards)
        )
    return score, reasons


def incompatible(
    first: EventCandidate,
    second: EventCandidate,
    kinds: frozenset[str],
    common: frozenset[str] = frozenset(),
    town: frozenset[str] = frozenset(),
) -> list[str]:
    """Why two open emergencies are not one incident, however close a new report of these `kinds` is to both: their
    own places or roads conflict, or the report names no kind of emergency the second names (Chinese reasons). Empty
    when either is no emergency or nothing conflicts. A report can name two incidents at once (a roundup, a
    comparison); it bridges only compatible ones. Places are compared as for a disaster over an area only when the
    report too is about such a disaster."""
    if not (first.hazards and second.hazards):
        return []
    if kinds and not kinds & second.hazards:
        return [f"险情不同：{'、'.join(sorted(kinds)[:2])} / {'、'.join(sorted(second.hazards)[:2])}"]
    area = bool(kinds & first.hazards & second.hazards & AREA_KINDS)
    return compare(first.anchors, second.anchors, common, area=area, town=town, sites=False).conflicts


def choose_event(
    mention: MentionFeatures,
    candidates: Iterable[EventCandidate],
    *,
    threshold: float = 0.55,
    window_seconds: float = 72 * 3600,
    home_places: frozenset[str] = frozenset(),
    town_places: frozenset[str] = frozenset(),
) -> ClusterDecision:
    """Join the best-scoring candidate event active within the window if it reaches the threshold.

    score = max(text similarity, 0.6 × term overlap + 0.2 same topic + 0.1 same village + 0.2 same emergency),
    at most 1, halved for another village's event (the emergency bonus only for a kind of emergency a single open
    event names); for emergencies, times 0.3 when the anchors differ (another
    place, road or site; 0.7 for another day) unless the text is a near copy, plus 0.25 when they share one
    (places named by half the open events, and `home_places`, do not count; nor, for a flood or an earthquake, the
    town's own villages, `town_places`). Term overlap is the IDF-weighted Dice of the terms or, when at
    least two terms are shared, 0.8 × the shared weight over the smaller side's weight, whichever is higher.
    `also` lists the other candidates that reached the threshold and may be one incident with the chosen one (see
    `incompatible`; for a report naming no emergency, threshold + ROUTINE_BRIDGE): the report bridges them.
    """
    when = seconds(mention.time)
    recent = [event for event in candidates if abs(when - seconds(event.last_seen)) <= window_seconds]
    if not recent:
        return ClusterDecision(None, 0.0, ["时间窗口内没有候选事件，新建事件"])
    weights = _TermWeights(recent)
    mention_weight = weights.total(mention.terms)
    common = _common_places(recent, home_places)
    ambiguous = _ambiguous_kinds(recent)
    gram_weights = _TermWeights(recent, grams=True) if mention.grams else None
    scored = sorted(
        (
            (*_score(mention, mention_weight, event, weights, common, town_places, ambiguous, gram_weights), index)
            for index, event in enumerate(recent)
        ),
        key=lambda row: (-round(row[0], 9), row[2]),  # equal scores: the most recently active event first
    )
    score, reasons, index = scored[0]
    if score >= threshold:
        also = []
        for value, _, other in scored[1:]:
            if value < threshold:
                break
            if not mention.hazards and value < threshold + ROUTINE_BRIDGE:
                continue  # a routine matter is merged by words, not by a shared topic or village alone
            apart = incompatible(recent[index], recent[other], mention.hazards, common, town_places)
            if apart:
                reasons.append(f"同时接近事件 #{recent[other].event_id}，但两事件{apart[0]}，不合并")
            else:
                also.append((recent[other].event_id, round(value, 3)))
        return ClusterDecision(recent[index].event_id, round(score, 3), reasons, also)
    return ClusterDecision(
        None,
        round(score, 3),
        [f"与最接近的事件 #{recent[index].event_id} 相似度{score:.2f}低于{threshold:.2f}，新建事件", *reasons],
    )


def b_cubed(gold: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]) -> tuple[float, float]:
    """B-cubed precision and recall of a clustering (item → cluster) against gold classes (item → class).

    Precision: how much of each item's cluster shares its class; recall: how much of its class shares its cluster.
    Used to measure event clustering against hand-labelled matters.
    """
    if not predicted:
        return 0.0, 0.0
    clusters: dict[Hashable, list[Hashable]] = {}
    classes: dict[Hashable, list[Hashable]] = {}
    for item, cluster in predicted.items():
        clusters.setdefault(cluster, []).append(item)
        classes.setdefault(gold[item], []).append(item)
    precision = recall = 0.0
    for item, cluster in predicted.items():
        both = sum(1 for other in clusters[cluster] if gold[other] == gold[item])
        precision += both / len(clusters[cluster])
        recall += both / len(classes[gold[item]])
    return precision / len(predicted), recall / len(predicted)
