"""Kinds of emergency (险情类别) named in a text, and the topic each kind belongs to.

The kinds come from lexicons/hazards.txt, one section per kind (“[火灾 work_safety]”). They serve three purposes:
a named hazard in an incident report is a 较严重情形 (level 3 at least); posts about one emergency are joined by
the kinds they share; and an emergency's topic is the kind's topic (a fire in a shop is 安全生产, not 市场监管;
a poisoning at a school canteen is 食品药品安全, not 教育), whatever words surround it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pipeline.keywords import KeywordIndex
from pipeline.lexicons import read_weighted_lexicon

# When a text names several kinds, the cause decides the topic: a car crash that caught fire is a traffic accident,
# a flood that brought houses down is a flood, a bomb is an attack before it is an explosion.
PRIORITY = (
    "爆炸案",
    "暴力伤害",
    "踩踏",
    "食物中毒",
    "气体中毒",
    "地震",
    "汛情",
    "气象灾害",
    "地质灾害",
    "森林火灾",
    "空难",
    "沉船",
    "交通事故",
    "爆炸",
    "泄漏",
    "坍塌",
    "生产安全事故",
    "坠落",
    "触电",
    "火灾",
    "溺水",
    "群体聚集",
)


@dataclass(frozen=True)
class HazardLexicon:
    """The automaton over every hazard word (payload: its kind), each kind's topic (None: no fixed topic) and the
    generic words (weight 0: “中毒”) that name a kind only when no other kind is named by a specific word."""

    index: KeywordIndex
    topics: dict[str, str | None]
    generic: frozenset[tuple[str, str]] = frozenset()  # (word, kind)


@lru_cache(maxsize=1)
def hazard_lexicon() -> HazardLexicon:
    """hazards.txt, compiled once."""
    sections = read_weighted_lexicon("hazards.txt")
    entries: list[tuple[str, str]] = []
    topics: dict[str, str | None] = {}
    generic: set[tuple[str, str]] = set()
    for header, words in sections.items():
        kind, _, topic = header.partition(" ")
        topics[kind] = None if topic.strip() in ("", "-") else topic.strip()
        entries += [(word, kind) for word in words]
        generic |= {(word, kind) for word, weight in words.items() if weight == 0}
    return HazardLexicon(KeywordIndex(entries), topics, frozenset(generic))


def settle_kinds(named: dict[str, set[str]]) -> list[str]:
    """The kinds a text names, from {kind: the words that named it} in text order: a kind named only by generic
    words is left out when another kind is named by a specific one (“烧炉子中毒了……一氧化碳中毒” is a gas
    poisoning, not also a food poisoning)."""
    generic = hazard_lexicon().generic
    specific = {kind for kind, words in named.items() if any((word, kind) not in generic for word in words)}
    return [kind for kind in named if kind in specific or not (specific - {kind})]


def emergency_topic(kinds: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """(topic, kind) for an emergency naming these kinds: the first kind in PRIORITY that has a topic."""
    topics = hazard_lexicon().topics
    ranked = sorted(
        (kind for kind in kinds if topics.get(kind)),
        key=lambda kind: PRIORITY.index(kind) if kind in PRIORITY else len(PRIORITY),
    )
    topic = topics[ranked[0]] if ranked else None
    return (topic, ranked[0]) if topic else None


def leading_kinds(text: str, limit: int = 60, whole: tuple[str, ...] | None = None) -> list[str]:
    """Kinds of emergency the text names in its first `limit` characters, in an incident report (an emergency is
    reported up front; a complaint that mentions one to make its point names it further on). With `whole` (the
    settled kinds of the whole post), a kind named here only by generic words and not kept by the whole post gives
    way to the post's kinds (a title “一家人烧炉子中毒了” over a text that says 一氧化碳中毒 is a gas poisoning)."""
    from pipeline.incident_context import NOT_INCIDENT, NOT_NOW, IncidentContext

    head = text[:limit]
    context = IncidentContext(head)
    named: dict[str, set[str]] = {}
    for start, end, word, payloads in hazard_lexicon().index.longest_matches(head):
        judgement = context.judge(start, end)
        if judgement.verdict != NOT_INCIDENT and judgement.why not in NOT_NOW:
            for kind in payloads:
                named.setdefault(kind, set()).add(word)
    generic = hazard_lexicon().generic
    vague = [k for k, w in named.items() if whole is not None and k not in whole and all((x, k) in generic for x in w)]
    kinds = settle_kinds({k: w for k, w in named.items() if k not in vague})
    # a generic word the rest of the post makes specific (中毒 → 一氧化碳中毒): the post's own kinds
    return kinds + [k for k in whole or () if k not in kinds] if vague else kinds
