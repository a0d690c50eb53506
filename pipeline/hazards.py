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
    """The automaton over every hazard word (payload: its kind) and each kind's topic (None: no fixed topic)."""

    index: KeywordIndex
    topics: dict[str, str | None]


@lru_cache(maxsize=1)
def hazard_lexicon() -> HazardLexicon:
    """hazards.txt, compiled once."""
    sections = read_weighted_lexicon("hazards.txt")
    entries: list[tuple[str, str]] = []
    topics: dict[str, str | None] = {}
    for header, words in sections.items():
        kind, _, topic = header.partition(" ")
        topics[kind] = None if topic.strip() in ("", "-") else topic.strip()
        entries += [(word, kind) for word in words]
    return HazardLexicon(KeywordIndex(entries), topics)


def emergency_topic(kinds: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """(topic, kind) for an emergency naming these kinds: the first kind in PRIORITY that has a topic."""
    topics = hazard_lexicon().topics
    ranked = sorted(
        (kind for kind in kinds if topics.get(kind)),
        key=lambda kind: PRIORITY.index(kind) if kind in PRIORITY else len(PRIORITY),
    )
    topic = topics[ranked[0]] if ranked else None
    return (topic, ranked[0]) if topic else None


def leading_kinds(text: str, limit: int = 60) -> list[str]:
    """Kinds of emergency the text names in its first `limit` characters, in an incident report (an emergency is
    reported up front; a complaint that mentions one to make its point names it further on)."""
    from pipeline.incident_context import NOT_INCIDENT, NOT_NOW, IncidentContext

    head = text[:limit]
    context = IncidentContext(head)
    kinds: list[str] = []
    for start, end, _, payloads in hazard_lexicon().index.longest_matches(head):
        judgement = context.judge(start, end)
        if judgement.verdict != NOT_INCIDENT and judgement.why not in NOT_NOW:
            kinds += [kind for kind in payloads if kind not in kinds]
    return kinds
