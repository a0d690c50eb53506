"""Urgency (预警等级) 1 特别重大 … 4 一般, always with Chinese reasons; recomputable as an event grows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from pipeline.casualties import Casualties, read_casualties
from pipeline.hazards import hazard_lexicon, settle_kinds
from pipeline.incident_context import INCIDENT, NOT_INCIDENT, NOT_NOW, IncidentContext, Judgement
from pipeline.incident_cues import NOT_NOW_CUES, natural_death, onlookers, tally
from pipeline.keywords import KeywordIndex
from pipeline.lexicons import read_weighted_lexicon

LEVEL_NAMES = {1: "特别重大", 2: "重大", 3: "较大", 4: "一般"}
SOURCE_NAMES = {
    "news": "新闻媒体",
    "official": "官方发布",
    "forum": "论坛",
    "weibo": "微博",
    "board": "留言板",
    "other": "其他来源",
}


# Kinds of accident or disaster in which even one death makes a matter 重大 (a failure of safety that the public
# will ask about); a death on the road, in the water, from a fall or a fight is one person's misfortune.
ACCIDENT_KINDS = frozenset(
    {
        "爆炸",
        "爆炸案",
        "火灾",
        "森林火灾",
        "坍塌",
        "泄漏",
        "气体中毒",
        "食物中毒",
        "汛情",
        "气象灾害",
        "地质灾害",
        "地震",
        "空难",
        "沉船",
        "踩踏",
        "生产安全事故",
    }
)


# A death, a fall, a shock or a collapse at a workplace is a 生产安全事故.
WORKPLACE_HARMS = frozenset({"坠落", "触电", "坍塌", "气体中毒"})
_WORKPLACE = re.compile(
    r"工人|民工|工地|施工|作业|车间|厂房|厂区|厂里|矿井|井下|煤矿|工厂|砖厂|化工厂|塔吊|脚手架|项目部"
)
# A crowd doing one of these is a mass incident (群体性事件) in the making.
BLOCKADE_TERMS = frozenset(
    {"堵路", "拦路", "把路堵了", "路堵了", "堵了路", "围堵", "堵塞交通", "聚众", "冲击", "静坐", "拉横幅", "聚集"}
)


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
    sensitive_topics: frozenset[str] = frozenset(
        {"work_safety", "food_drug", "disaster", "public_security", "land", "environment", "medical"}
    )
    source_points: dict[str, float] = field(
        default_factory=lambda: {"news": 1.5, "weibo": 1.0, "forum": 1.0, "official": 0.5, "board": 0.0, "other": 0.5}
    )


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
    hazards: tuple[str, ...] = ()  # kinds of emergency named (爆炸, 食物中毒, 汛情 …), from hazards.txt
    discounted: tuple[str, ...] = ()  # words not counted as an incident, with why: "死亡（假设或担忧）"
    fatal_terms: tuple[str, ...] = ()  # someone died (死亡, 身亡, 杀害 …): level 2 for an accident, 3 for one person
    crowd_terms: tuple[str, ...] = ()  # many people (几百号人, 村民们): with a blockade or gathering, level 2

    def to_dict(self) -> dict:
        """A JSON-ready form for storage."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Signals:
        """Rebuild from `to_dict` output."""
        casualties = dict(data.get("casualties") or {})
        casualties["phrases"] = tuple(casualties.get("phrases", ()))
        return cls(
            tuple(data.get("critical_terms", ())),
            tuple(data.get("serious_terms", ())),
            tuple(data.get("sensitive_terms", ())),
            Casualties(**casualties),
            float(data.get("negativity", 0.0)),
            data.get("topic"),
            data.get("source_type", "other"),
            tuple(data.get("hazards", ())),
            tuple(data.get("discounted", ())),
            tuple(data.get("fatal_terms", ())),
            tuple(data.get("crowd_terms", ())),
        )


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


Cue = Callable[[str, int, int], Judgement | None]  # a further reading of an incident word (pipeline.incident_cues)


@lru_cache(maxsize=1)
def _severity_index() -> KeywordIndex:
    lexicon = read_weighted_lexicon("severity.txt")
    return KeywordIndex([(word, (tier, weight)) for tier, words in lexicon.items() for word, weight in words.items()])


def read_signals(
    text: str, *, topic: str | None = None, negativity: float = 0.0, source_type: str = "other"
) -> Signals:
    """Severity terms, hazard kinds and casualty counts of a normalised text, with the other signals passed in.

    Each occurrence is judged in its sentence (pipeline.incident_context): in a fear, a question, a policy text,
    a story or a simile it does not count; in a memory, a court report or news from abroad a critical word only
    counts as serious (the incident is named, but it is not one to handle here and now); casualty figures count
    only from incident reports. Deaths from illness, onlookers and sums over several incidents
    (pipeline.incident_cues) count like a memory: named, not an incident to handle here and now."""
    context = IncidentContext(text)
    found: dict[str, dict[str, None]] = {
        tier: {} for tier in ("critical", "fatal", "serious", "sensitive", "crowd", "hazard")
    }
    discounted: dict[str, None] = {}
    benign: list[tuple[int, int]] = []

    def judge(start: int, end: int, cues: tuple[Cue, ...] = (tally,)) -> Judgement:
        judgement = context.judge(start, end)
        if judgement.verdict != INCIDENT:
            return judgement
        return next((cued for cue in cues if (cued := cue(text, start, end))), judgement)

    def judged(start: int, end: int, word: str, cues: tuple[Cue, ...] = (tally,)) -> Judgement:
        judgement = judge(start, end, cues)
        if judgement.verdict != INCIDENT:
            discounted[f"{word}（{judgement.label}）"] = None
        return judgement

    for start, end, word, payloads in _severity_index().longest_matches(text):
        tiers = {tier for tier, _ in payloads}
        if "benign" in tiers:
            benign.append((start, end))
            continue
        if tiers & {"sensitive", "crowd"}:
            found["sensitive"][word] = None
            if "crowd" in tiers and judge(start, end, (onlookers,)).verdict == INCIDENT:
                found["crowd"][word] = None
            continue
        cues: tuple[Cue, ...] = (tally,)
        if "fatal" in tiers:
            cues = (natural_death, tally)
        elif word in BLOCKADE_TERMS:
            cues = (onlookers, tally)
        judgement = judged(start, end, word, cues)
        if judgement.verdict == NOT_INCIDENT:
            continue
        tier = next((tier for tier in ("critical", "fatal") if tier in tiers), "serious")
        found[tier if judgement.verdict == INCIDENT else "serious"][word] = None
    hazard_words: dict[str, set[str]] = {}  # kind → the words that named it, in text order
    for start, end, word, payloads in hazard_lexicon().index.longest_matches(text):
        if any(low < end and start < high for low, high in benign):
            continue
        gathering = word in BLOCKADE_TERMS or "群体聚集" in payloads
        judgement = judged(start, end, word, (onlookers, tally) if gathering else (tally,))
        if judgement.verdict == NOT_INCIDENT:
            continue
        if word not in found["critical"] and word not in found["fatal"]:
            found["serious"][word] = None
        if judgement.why not in NOT_NOW and judgement.why not in NOT_NOW_CUES:
            for kind in payloads:
                hazard_words.setdefault(kind, set()).add(word)
    found["hazard"] = dict.fromkeys(settle_kinds(hazard_words))
    if (found["hazard"].keys() & WORKPLACE_HARMS or found["fatal"]) and _WORKPLACE.search(text):
        found["hazard"]["生产安全事故"] = None  # a death, fall or shock at work is an accident at work, not a mishap
    casualties, ignored = read_casualties(
        text, lambda start, end: judge(start, end, (natural_death, tally)).verdict == INCIDENT
    )
    for phrase in ignored:
        discounted[f"{phrase}（非本地当前事件）"] = None
    return Signals(
        tuple(found["critical"]),
        tuple(found["serious"]),
        tuple(found["sensitive"]),
        casualties,
        negativity,
        topic,
        source_type if source_type in SOURCE_NAMES else "other",
        tuple(found["hazard"]),
        tuple(discounted),
        tuple(found["fatal"]),
        tuple(found["crowd"]),
    )


def merge_signals(signals: Iterable[Signals]) -> Signals:
    """The signals of an event: terms united, the largest casualty counts and negativity, the strongest source."""
    signals = list(signals)
    if not signals:
        return Signals()

    def union(attribute: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(term for s in signals for term in getattr(s, attribute)))

    counts = {
        kind: max(getattr(s.casualties, kind) for s in signals)
        for kind in ("dead", "injured", "trapped", "missing", "poisoned")
    }
    phrases = tuple(dict.fromkeys(p for s in signals for p in s.casualties.phrases))
    source = max((s.source_type for s in signals), key=lambda kind: UrgencyRules().source_points.get(kind, 0))
    topics = [s.topic for s in signals if s.topic]
    return Signals(
        union("critical_terms"),
        union("serious_terms"),
        union("sensitive_terms"),
        Casualties(**counts, phrases=phrases),
        max(s.negativity for s in signals),
        max(sorted(set(topics)), key=topics.count) if topics else None,
        source,
        union("hazards"),
        union("discounted"),
        union("fatal_terms"),
        union("crowd_terms"),
    )


def _casualty_level(
    c: Casualties, rules: UrgencyRules, accident: bool, kinds: tuple[str, ...] = ()
) -> tuple[int, str | None]:
    """Level from casualty figures: many casualties are level 1 whatever happened; a few are level 2 in an accident
    or disaster and level 3 for one person's misfortune (a fall, a fight, a crash on the road)."""
    if c.dead >= rules.dead_level1:
        return 1, f"伤亡：死亡{c.dead}人（≥{rules.dead_level1}人）"
    if c.injured >= rules.injured_level1:
        return 1, f"伤亡：受伤{c.injured}人（≥{rules.injured_level1}人）"
    if c.trapped + c.missing >= rules.trapped_level1:
        return 1, f"伤亡：被困/失联{c.trapped + c.missing}人（≥{rules.trapped_level1}人）"
    if c.poisoned >= rules.poisoned_level1:
        return 1, f"伤亡：中毒{c.poisoned}人（≥{rules.poisoned_level1}人）"
    several = (
        c.dead
        or c.injured >= rules.injured_level2
        or c.trapped + c.missing >= rules.trapped_level2
        or c.poisoned >= rules.poisoned_level2
    )
    if several and (accident or c.trapped + c.missing >= rules.trapped_level2 or c.poisoned >= rules.poisoned_level2):
        return 2, f"伤亡：{c.describe()}"
    if c.any():
        if not several:
            return 3, f"伤亡：{c.describe()}"
        if kinds:  # a road crash, a drowning, a fall: counted like the national grading, by the number of deaths
            return 3, f"伤亡：{c.describe()}（{'、'.join(kinds[:2])}，死亡未达{rules.dead_level1}人）"
        return 3, f"伤亡：{c.describe()}（个人伤亡，未涉及事故灾害）"
    return 4, None


def decide(signals: Signals, velocity: float | None = None, rules: UrgencyRules | None = None) -> Urgency:
    """The level for the signals (and the event's mentions per hour, if known), with every reason."""
    rules = rules or UrgencyRules()
    level, reasons = 4, []

    def raise_to(candidate: int, reason: str) -> None:
        nonlocal level
        level = min(level, candidate)
        reasons.append(reason)

    accident = sorted(set(signals.hazards) & ACCIDENT_KINDS)
    if not accident and not signals.hazards and any("事故" in term for term in signals.serious_terms):
        accident = ["事故"]  # "发生事故,造成2人死亡": an accident of no named kind is still an accident
    casualty_level, casualty_reason = _casualty_level(
        signals.casualties, rules, bool(accident), tuple(sorted(signals.hazards))
    )
    if casualty_reason:
        raise_to(casualty_level, casualty_reason)
    if signals.critical_terms:
        raise_to(2, "严重情形：" + "、".join(signals.critical_terms[:6]))
    if signals.fatal_terms and accident:
        raise_to(2, f"有人死亡的{'、'.join(accident[:2])}：" + "、".join(signals.fatal_terms[:4]))
    elif signals.fatal_terms:
        raise_to(3, "个人伤亡：" + "、".join(signals.fatal_terms[:4]))
    blockade = [term for term in signals.serious_terms if term in BLOCKADE_TERMS]
    if signals.crowd_terms and blockade:
        raise_to(2, "群体聚集：" + "、".join([*signals.crowd_terms[:2], *blockade[:2]]))
    if velocity is not None and velocity >= rules.velocity_level2:
        raise_to(2, f"传播速度：每小时{velocity:.0f}条（≥{rules.velocity_level2:.0f}）")
    elif velocity is not None and velocity >= rules.velocity_level3:
        raise_to(3, f"传播速度：每小时{velocity:.0f}条（≥{rules.velocity_level3:.0f}）")
    sensitive_topic = signals.topic in rules.sensitive_topics
    if signals.negativity >= rules.negativity_strong and sensitive_topic:
        raise_to(3, f"负面程度{signals.negativity:.2f}，属敏感领域")
    points = (
        2.0 * min(len(signals.serious_terms), 3)
        + 1.0 * min(len(signals.sensitive_terms), 2)
        + 3.0 * signals.negativity
        + (1.0 if sensitive_topic else 0.0)
        + rules.source_points.get(signals.source_type, 0.5)
    )
    if signals.serious_terms:
        raise_to(3, "较严重情形：" + "、".join(signals.serious_terms[:6]))
    # Points alone never make a matter 重大: many serious words are a complaint's vocabulary, or the many words of
    # an accident that hurt no one. Level 2 takes casualties, a critical situation or fast spread.
    if points >= rules.points_level3:
        raise_to(3, f"综合分值{points:.1f}（≥{rules.points_level3:g}）")
    if signals.sensitive_terms and level < 4:
        reasons.append("敏感因素：" + "、".join(signals.sensitive_terms[:6]))
    if signals.negativity >= rules.negativity_strong and not sensitive_topic:
        reasons.append(f"负面程度{signals.negativity:.2f}")
    if level < 4 and signals.source_type in ("news", "official", "weibo", "forum"):
        reasons.append(f"来源：{SOURCE_NAMES[signals.source_type]}")
    if signals.discounted:
        reasons.append("不按突发事件计：" + "、".join(signals.discounted[:4]))
    if level == 4:
        reasons.append(f"未见伤亡、严重情形或快速传播（综合分值{points:.1f}<{rules.points_level3:g}）")
    return Urgency(level, reasons, signals)


def assess_urgency(
    text: str,
    *,
    topic: str | None = None,
    negativity: float = 0.0,
    source_type: str = "other",
    velocity: float | None = None,
    rules: UrgencyRules | None = None,
) -> Urgency:
    """Urgency of one normalised text: `read_signals` then `decide`."""
    signals = read_signals(text, topic=topic, negativity=negativity, source_type=source_type)
    return decide(signals, velocity, rules)


def event_urgency(
    mention_signals: Iterable[Signals], velocity: float | None = None, rules: UrgencyRules | None = None
) -> Urgency:
    """Recompute an event's level from its mentions' stored signals and its current spread velocity."""
    return decide(merge_signals(mention_signals), velocity, rules)
