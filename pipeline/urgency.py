"""Urgency (预警等级) 1 特别重大 … 4 一般, always with Chinese reasons; recomputable as an event grows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from pipeline.casualties import Casualties, parse_casualties
from pipeline.keywords import KeywordIndex
from pipeline.lexicons import read_weighted_lexicon

LEVEL_NAMES = {1: "特别重大", 2: "重大", 3: "较大", 4: "一般"}
SOURCE_NAMES = {"news": "新闻媒体", "official": "官方发布", "forum": "论坛", "weibo": "微博", "board": "留言板",
                "other": "其他来源"}
# An occurrence right after one of these, or right before one of the next, is not an incident report.
_NEGATED_BEFORE = re.compile(r"(?:防止|预防|防范|避免|杜绝|严防|谨防|无|未|没有|未发生|未造成|不会|防)(?:人员|任何|人)?$")
_NOT_INCIDENT_AFTER = re.compile(r"^(?:演练|演习|宣传|知识|培训|应急预案|预案|隐患排查|防范|安全教育)")
# A fear, not a report: “万一漏气着火”, “一旦发生火灾”, “以免造成伤亡” (a few characters may come between).
_HYPOTHETICAL_BEFORE = re.compile(r"(?:万一|一旦|如果|假如|要是|以免|以防|担心|害怕|恐怕|容易|可能会|迟早会?)[^，。！？,.!?；;\n]{0,4}$")


@dataclass(frozen=True)
class UrgencyRules:
    """Thresholds and weights; every default can be overridden from configuration."""

    dead_level1: int = 3
    injured_level1: int = 10
    trapped_level1: int = 10  # trapped or missing
    poisoned_level1: int = 30
    injured_level2: int = 3
    trapped_level2: int = 3
    poisoned_level2: int = 10
    velocity_level2: float = 30.0  # mentions per hour of the event
    velocity_level3: float = 10.0
    negativity_strong: float = 0.6
    points_level3: float = 4.0
    points_level2: float = 10.0
    sensitive_topics: frozenset[str] = frozenset(
        {"work_safety", "food_drug", "disaster", "public_security", "land", "environment", "medical"})
    source_points: dict[str, float] = field(default_factory=lambda: {
        "news": 1.5, "weibo": 1.0, "forum": 1.0, "official": 0.5, "board": 0.0, "other": 0.5})


@dataclass(frozen=True)
class Signals:
    """What one text (or an event's texts together) says about severity, kept so a level can be recomputed."""

    critical_terms: tuple[str, ...] = ()
    serious_terms: tuple[str, ...] = ()
    sensitive_terms: tuple[str, ...] = ()
    casualties: Casualties = Casualties()
    negativity: float = 0.0
    topic: str | None = None
    source_type: str = "other"
    hazards: tuple[str, ...] = ()  # kinds of emergency named (爆炸, 中毒, 汛情 …), from hazards.txt

    def to_dict(self) -> dict:
        """A JSON-ready form for storage."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Signals:
        """Rebuild from `to_dict` output."""
        casualties = dict(data.get("casualties") or {})
        casualties["phrases"] = tuple(casualties.get("phrases", ()))
        return cls(tuple(data.get("critical_terms", ())), tuple(data.get("serious_terms", ())),
                   tuple(data.get("sensitive_terms", ())), Casualties(**casualties),
                   float(data.get("negativity", 0.0)), data.get("topic"), data.get("source_type", "other"),
                   tuple(data.get("hazards", ())))


@dataclass(frozen=True)
class Urgency:
    """A level 1..4 with the reasons, and the signals it was decided from."""

    level: int
    reasons: list[str]
    signals: Signals

    @property
    def name(self) -> str:
        """特别重大 / 重大 / 较大 / 一般."""
        return LEVEL_NAMES[self.level]


@lru_cache(maxsize=1)
def _severity_index() -> KeywordIndex:
    lexicon = read_weighted_lexicon("severity.txt")
    return KeywordIndex([(word, (tier, weight)) for tier, words in lexicon.items() for word, weight in words.items()])


@lru_cache(maxsize=1)
def _hazard_index() -> KeywordIndex:
    """Hazard words with their kind; a separate automaton, so that its longer words (集体食物中毒) do not hide
    severity words (食物中毒) from the longest-match scan."""
    lexicon = read_weighted_lexicon("hazards.txt")
    return KeywordIndex([(word, ("hazard", kind)) for kind, words in lexicon.items() for word in words])


def read_signals(text: str, *, topic: str | None = None, negativity: float = 0.0,
                 source_type: str = "other") -> Signals:
    """Severity terms and casualty counts of a normalised text, with the other signals passed in."""
    # "colloquial" holds hyperbole (吓死人): matched only so that the 死人 inside it is not read as a death.
    found: dict[str, dict[str, None]] = {"critical": {}, "serious": {}, "sensitive": {}, "colloquial": {},
                                         "hazard": {}}
    for index in (_severity_index(), _hazard_index()):
        for start, end, word, payloads in index.longest_matches(text):
            before = text[max(0, start - 8):start]
            if _NEGATED_BEFORE.search(before[-6:]) or _HYPOTHETICAL_BEFORE.search(before):
                continue
            if _NOT_INCIDENT_AFTER.match(text[end:end + 6]):
                continue
            for tier, value in payloads:
                found[tier][value if tier == "hazard" else word] = None
    return Signals(tuple(found["critical"]), tuple(found["serious"]), tuple(found["sensitive"]),
                   parse_casualties(text), negativity, topic, source_type if source_type in SOURCE_NAMES else "other",
                   tuple(found["hazard"]))


def merge_signals(signals: Iterable[Signals]) -> Signals:
    """The signals of an event: terms united, the largest casualty counts and negativity, the strongest source."""
    signals = list(signals)
    if not signals:
        return Signals()
    def union(attribute: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(term for s in signals for term in getattr(s, attribute)))
    counts = {kind: max(getattr(s.casualties, kind) for s in signals)
              for kind in ("dead", "injured", "trapped", "missing", "poisoned")}
    phrases = tuple(dict.fromkeys(p for s in signals for p in s.casualties.phrases))
    source = max((s.source_type for s in signals), key=lambda kind: UrgencyRules().source_points.get(kind, 0))
    topics = [s.topic for s in signals if s.topic]
    return Signals(union("critical_terms"), union("serious_terms"), union("sensitive_terms"),
                   Casualties(**counts, phrases=phrases), max(s.negativity for s in signals),
                   max(sorted(set(topics)), key=topics.count) if topics else None, source, union("hazards"))


def _casualty_level(c: Casualties, rules: UrgencyRules) -> tuple[int, str | None]:
    if c.dead >= rules.dead_level1:
        return 1, f"伤亡：死亡{c.dead}人（≥{rules.dead_level1}人）"
    if c.injured >= rules.injured_level1:
        return 1, f"伤亡：受伤{c.injured}人（≥{rules.injured_level1}人）"
    if c.trapped + c.missing >= rules.trapped_level1:
        return 1, f"伤亡：被困/失联{c.trapped + c.missing}人（≥{rules.trapped_level1}人）"
    if c.poisoned >= rules.poisoned_level1:
        return 1, f"伤亡：中毒{c.poisoned}人（≥{rules.poisoned_level1}人）"
    if c.dead:
        return 2, f"伤亡：死亡{c.dead}人"
    if c.injured >= rules.injured_level2 or c.trapped + c.missing >= rules.trapped_level2 \
            or c.poisoned >= rules.poisoned_level2:
        return 2, f"伤亡：{c.describe()}"
    if c.any():
        return 3, f"伤亡：{c.describe()}"
    return 4, None


def decide(signals: Signals, velocity: float | None = None, rules: UrgencyRules | None = None) -> Urgency:
    """The level for the signals (and the event's mentions per hour, if known), with every reason."""
    rules = rules or UrgencyRules()
    level, reasons = 4, []

    def raise_to(candidate: int, reason: str) -> None:
        nonlocal level
        level = min(level, candidate)
        reasons.append(reason)

    casualty_level, casualty_reason = _casualty_level(signals.casualties, rules)
    if casualty_reason:
        raise_to(casualty_level, casualty_reason)
    if signals.critical_terms:
        raise_to(2, "严重情形：" + "、".join(signals.critical_terms[:6]))
    if velocity is not None and velocity >= rules.velocity_level2:
        raise_to(2, f"传播速度：每小时{velocity:.0f}条（≥{rules.velocity_level2:.0f}）")
    elif velocity is not None and velocity >= rules.velocity_level3:
        raise_to(3, f"传播速度：每小时{velocity:.0f}条（≥{rules.velocity_level3:.0f}）")
    sensitive_topic = signals.topic in rules.sensitive_topics
    if signals.negativity >= rules.negativity_strong and sensitive_topic:
        raise_to(3, f"负面程度{signals.negativity:.2f}，属敏感领域")
    points = (2.0 * min(len(signals.serious_terms), 3) + 1.0 * min(len(signals.sensitive_terms), 2)
              + 3.0 * signals.negativity + (1.0 if sensitive_topic else 0.0)
              + rules.source_points.get(signals.source_type, 0.5))
    if signals.serious_terms:
        raise_to(3, "较严重情形：" + "、".join(signals.serious_terms[:6]))
    if points >= rules.points_level2:
        raise_to(2, f"综合分值{points:.1f}（≥{rules.points_level2:g}）")
    elif points >= rules.points_level3:
        raise_to(3, f"综合分值{points:.1f}（≥{rules.points_level3:g}）")
    if signals.sensitive_terms and level < 4:
        reasons.append("敏感因素：" + "、".join(signals.sensitive_terms[:6]))
    if signals.negativity >= rules.negativity_strong and not sensitive_topic:
        reasons.append(f"负面程度{signals.negativity:.2f}")
    if level < 4 and signals.source_type in ("news", "official", "weibo", "forum"):
        reasons.append(f"来源：{SOURCE_NAMES[signals.source_type]}")
    if level == 4:
        reasons.append(f"未见伤亡、严重情形或快速传播（综合分值{points:.1f}<{rules.points_level3:g}）")
    return Urgency(level, reasons, signals)


def assess_urgency(text: str, *, topic: str | None = None, negativity: float = 0.0, source_type: str = "other",
                   velocity: float | None = None, rules: UrgencyRules | None = None) -> Urgency:
    """Urgency of one normalised text: `read_signals` then `decide`."""
    signals = read_signals(text, topic=topic, negativity=negativity, source_type=source_type)
    return decide(signals, velocity, rules)


def event_urgency(mention_signals: Iterable[Signals], velocity: float | None = None,
                  rules: UrgencyRules | None = None) -> Urgency:
    """Recompute an event's level from its mentions' stored signals and its current spread velocity."""
    return decide(merge_signals(mention_signals), velocity, rules)
