"""Topic (领域) taxonomy and the shipped lexicon classifier: weighted keywords, title counted more."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.keywords import KeywordIndex
from pipeline.lexicons import LEXICON_DIR, read_weighted_lexicon
from pipeline.normalize import normalize

TOPIC_NAMES: dict[str, str] = {
    "medical": "就医",
    "education": "就学",
    "housing": "住房保障",
    "work_safety": "安全生产",
    "food_drug": "食品药品安全",
    "disaster": "防灾减灾救灾",
    "environment": "生态环境保护",
    "elderly": "养老服务",
    "social_security": "社会保障与救助",
    "employment": "劳动就业",
    "land": "征地拆迁",
    "urban": "城乡建设与市政",
    "transport": "交通出行",
    "commerce": "市场监管与消费",
    "public_security": "社会治安",
    "governance": "政务服务与干部作风",
    "other": "其他",
}
OTHER = "other"


@dataclass(frozen=True)
class TopicResult:
    """A topic decision: the topic code, normalised scores per topic and the terms behind the decision."""

    topic: str
    scores: dict[str, float]
    terms: list[str] = field(default_factory=list)
    all_terms: list[str] = field(default_factory=list)  # every lexicon word found, any topic (for clustering)


class LexiconClassifier:
    """Weighted keyword lexicon over one automaton; a term in the title counts `title_weight` times.

    Repeated terms add with diminishing weight (1 + ln n), so one long post does not outvote a clear title, and
    a topic's k-th strongest word counts `word_decay`^k of its weight. With less than `min_score` evidence in
    total the topic is `other`.
    """

    def __init__(
        self,
        extra_keywords: Mapping[str, Iterable[str]] | None = None,
        names: Mapping[str, str] | None = None,
        *,
        lexicon_path: Path | None = None,
        title_weight: float = 3.0,
        min_score: float = 2.0,
        extra_weight: float = 3.0,
        word_decay: float = 0.8,
    ) -> None:
        lexicon = read_weighted_lexicon(lexicon_path or LEXICON_DIR / "topics.txt")
        for topic, words in (extra_keywords or {}).items():
            section = lexicon.setdefault(topic, {})
            for word in words:
                section[normalize(word)] = extra_weight
        self.names = {**TOPIC_NAMES, **{code: TOPIC_NAMES.get(code, code) for code in lexicon}, **(names or {})}
        self.labels = list(self.names)
        entries = [
            (word.strip().lower(), (topic, weight))
            for topic, words in lexicon.items()
            for word, weight in words.items()
            if word.strip()
        ]
        self._index = KeywordIndex(entries)
        self._payloads: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for word, payload in entries:
            self._payloads[word].append(payload)
        self.title_weight = title_weight
        self.min_score = min_score
        self.word_decay = word_decay

    def classify(self, title: str, content: str) -> TopicResult:
        """Topic of a normalised title and body."""
        in_title, in_body = self._index.count_longest(title), self._index.count_longest(content)
        by_topic: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for word in in_title.keys() | in_body.keys():
            body_count = in_body[word]
            evidence = self.title_weight * (word in in_title) + ((1 + math.log(body_count)) if body_count else 0.0)
            for topic, weight in self._payloads[word]:
                by_topic[topic].append((weight * evidence, word))
        found = sorted(in_title.keys() | in_body.keys())
        if sum(value for contributions in by_topic.values() for value, _ in contributions) < self.min_score:
            return TopicResult(OTHER, {OTHER: 1.0}, [], found)
        raw: dict[str, float] = {}
        for topic, contributions in by_topic.items():
            # Each further word of a topic adds less: a topic is decided by its strongest few words, not by a
            # long body listing many weak ones (学生, 学校 around a complaint about a rubbish bin by a school).
            ranked = sorted((value for value, _ in contributions), reverse=True)
            raw[topic] = sum(value * self.word_decay**rank for rank, value in enumerate(ranked))
        total = sum(raw.values())
        topic = max(raw, key=lambda code: (raw[code], code))
        scores = {code: round(value / total, 4) for code, value in sorted(raw.items(), key=lambda kv: -kv[1])}
        terms = [word for _, word in sorted(by_topic[topic], reverse=True)[:8]]
        return TopicResult(topic, scores, terms, found)
