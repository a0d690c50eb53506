"""The pipeline's one entry point: a mention's text in, masked text, relevance, topic, urgency and fingerprints out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.anchors import Anchors, read_anchors
from pipeline.deidentify import find_personal_data, mask
from pipeline.fingerprints import Fingerprint, fingerprint
from pipeline.gazetteer import place_stem
from pipeline.hazards import emergency_topic, leading_kinds
from pipeline.keywords import KeywordIndex
from pipeline.negativity import NegativityScorer, default_scorer
from pipeline.normalize import html_to_text, normalize
from pipeline.schemes import SchemeMatcher, compile_schemes
from pipeline.topics import LexiconClassifier, TopicResult
from pipeline.urgency import LEVEL_NAMES, Signals, UrgencyRules, decide, read_signals

SOURCE_TYPES = ("news", "forum", "board", "official", "weibo", "other")
LEXICON_MODEL = "内置词库"  # the name of the shipped lexicon classifier in reasons


class TopicClassifier(Protocol):
    """Anything that turns a normalised title and body into a TopicResult (lexicon or trained model)."""

    labels: list[str]

    def classify(self, title: str, content: str) -> TopicResult:
        """Topic of a normalised title and body."""


@dataclass(frozen=True)
class TextIn:
    """A mention's text as collected: content is plain text; html, if given and content is empty, is used."""

    title: str = ""
    content: str = ""
    source_type: str = "other"
    published_at: datetime | None = None
    html: str | None = None


@dataclass
class AnalysisContext:
    """Everything analyze() needs, built once from settings by build_context()."""

    schemes: SchemeMatcher
    classifier: TopicClassifier
    topic_names: dict[str, str]
    urgency_rules: UrgencyRules
    villages: KeywordIndex
    negativity: NegativityScorer
    places: tuple[tuple[str, str], ...] = ()  # (name, stem) of the town's own places: villages, aliases, home names
    home_places: frozenset[str] = frozenset()  # stems of the town itself: shared by every report, telling none apart
    model_version: str = LEXICON_MODEL  # the topic classifier's name in reasons: 内置词库, 模型 v3, 模型目录 …


@dataclass
class Analysis:
    """The result for one mention (plain data; the caller stores what it needs)."""

    title_masked: str
    content_masked: str
    normalized_title: str
    normalized_content: str
    relevant: bool
    schemes: list[str]
    matched_terms: list[str]
    topic: str
    topic_name: str
    topic_scores: dict[str, float]
    topic_terms: list[str]
    urgency: int
    urgency_name: str
    urgency_reasons: list[str]
    urgency_signals: Signals
    negativity: float
    village: str | None
    personal_data: dict[str, int]
    simhash: int
    minhash: np.ndarray = field(repr=False)
    lexicon_terms: list[str] = field(default_factory=list)  # topic-lexicon words of any topic
    anchors: Anchors = field(default_factory=Anchors)  # where and when (for telling one incident from another)
    emergency_kind: str | None = None  # the kind of emergency that decided the topic (火灾 → 安全生产), if any
    topic_model: str = LEXICON_MODEL  # the classifier that decided the topic (named in the reasons)

    @property
    def normalized(self) -> str:
        """Title and body, normalised, one per line."""
        return f"{self.normalized_title}\n{self.normalized_content}".strip()

    @property
    def fingerprint(self) -> Fingerprint:
        """The fingerprints, as the near-duplicate index takes them."""
        return Fingerprint(self.simhash, self.minhash)

    @property
    def terms(self) -> frozenset[str]:
        """Terms that characterise the mention, for event clustering."""
        signals = self.urgency_signals
        # An emergency is also known by where it is.
        anchors = self.anchors.words() if signals.hazards else []
        return frozenset(
            [
                *self.matched_terms,
                *self.topic_terms,
                *self.lexicon_terms,
                *signals.critical_terms,
                *signals.serious_terms,
                *signals.fatal_terms,
                *anchors,
            ]
        )

    def reasons(self) -> list[str]:
        """Reasons a duty officer reads: urgency first, then topic and relevance (Chinese)."""
        if self.emergency_kind:
            topic_basis = f"（{self.topic_model}；突发事件类别：{self.emergency_kind}）"
        elif self.topic_terms:
            topic_basis = f"（{self.topic_model}；依据：{'、'.join(self.topic_terms[:5])}）"
        else:
            topic_basis = f"（{self.topic_model}）"
        relevance = (
            f"命中监测方案：{'、'.join(self.schemes)}"
            if self.schemes
            else ("未配置监测方案" if self.relevant else "未命中任何监测方案")
        )
        return [*self.urgency_reasons, f"领域：{self.topic_name}{topic_basis}", relevance]


SchemeTuple = tuple[str, str, str, str, str]


def build_context(
    schemes: Iterable[SchemeTuple] = (),
    *,
    extra_keywords: Mapping[str, Sequence[str]] | None = None,
    topic_names: Mapping[str, str] | None = None,
    model_dir: str | Path | None = None,
    villages: Iterable[str] = (),
    village_aliases: Mapping[str, Sequence[str]] | None = None,
    urgency_rules: UrgencyRules | None = None,
    home_places: Iterable[str] = (),
) -> AnalysisContext:
    """Compile schemes (name, region, subject, event, exclude), the topic classifier (the shipped lexicon plus
    extra keywords, or a trained model directory) and the village names; raises SchemeSyntaxError or ModelError."""
    model_version = LEXICON_MODEL
    if model_dir:
        from pipeline.training import load_model

        classifier: TopicClassifier = load_model(model_dir)
        names = {label: label for label in classifier.labels}
        model_version = f"模型目录 {Path(model_dir).name}"
    else:
        lexicon = LexiconClassifier(extra_keywords=extra_keywords, names=topic_names)
        classifier, names = lexicon, dict(lexicon.names)
    names.update(topic_names or {})
    aliases = village_aliases or {}
    village_entries = [(name, name) for name in villages]
    village_entries += [(alias, name) for name, others in aliases.items() for alias in others]
    home = [normalize(name) for name in home_places if name.strip()]
    places = [(normalize(word), place_stem(normalize(name))) for word, name in village_entries]
    places += [(name, place_stem(name)) for name in home]
    return AnalysisContext(
        compile_schemes(schemes),
        classifier,
        names,
        urgency_rules or UrgencyRules(),
        KeywordIndex((normalize(word), name) for word, name in village_entries),
        default_scorer(),
        tuple(places),
        frozenset(place_stem(name) for name in home),
        model_version,
    )


def _village(index: KeywordIndex, title: str, content: str) -> str | None:
    for text in (title, content):
        counts = Counter(payload for _, payloads in index.found_payloads(text) for payload in payloads)
        if counts:
            return counts.most_common(1)[0][0]
    return None


def _emergency_topic_applies(topic: str, signals, velocity: float | None, ctx: AnalysisContext) -> bool:
    """Whether an emergency's kind may decide the topic: a topic the classifier was taught always; one a town's
    model was never taught (its officers filed such posts elsewhere) only for a serious incident (level 1–2)."""
    if topic in ctx.classifier.labels:
        return True
    untaught = getattr(ctx.classifier, "untaught_labels", ())
    return topic in untaught and decide(signals, velocity, ctx.urgency_rules).level <= 2


def analyze(text_in: TextIn, ctx: AnalysisContext, *, velocity: float | None = None) -> Analysis:
    """Analyse one mention: normalise, mask, match schemes, classify topic, score negativity and urgency,
    find the village and fingerprint the text. Pure: no database, no network."""
    title = normalize(text_in.title)
    content = normalize(text_in.content) if text_in.content else normalize(html_to_text(text_in.html))
    both = f"{title}\n{content}"
    hits = ctx.schemes.match(both)
    relevant = bool(hits) if len(ctx.schemes) else True
    matched = list(dict.fromkeys(term for hit in hits for term in hit.matched_terms))
    topic = ctx.classifier.classify(title, content)
    negative = ctx.negativity.score(both).score
    source_type = text_in.source_type if text_in.source_type in SOURCE_TYPES else "other"
    signals = read_signals(both, topic=topic.topic, negativity=negative, source_type=source_type)
    # An emergency's kind decides its topic when the text reports it up front; a citizen's letter that names a
    # hazard further on to make its point keeps the topic of its subject.
    # With a title, the emergency must be in it (or be 重大 at least): a letter asking for aid after a car crash is
    # about aid; without one (a short post), the first sentences say what the post is about.
    if not signals.hazards:
        emergency = None
    elif title:
        emergency = emergency_topic(
            leading_kinds(title, whole=signals.hazards)
            or (signals.hazards if decide(signals, velocity, ctx.urgency_rules).level <= 2 else ())
        )
    else:
        emergency = emergency_topic(leading_kinds(content))
    emergency_kind = None
    if emergency and emergency[0] != topic.topic and _emergency_topic_applies(emergency[0], signals, velocity, ctx):
        # An emergency belongs to the office that answers for its kind (a fire in a shop is 安全生产, a poisoning at
        # a school canteen is 食品药品安全), whatever the words around it.
        emergency_kind = emergency[1]
        topic = TopicResult(emergency[0], topic.scores, topic.terms, topic.all_terms)
        signals = replace(signals, topic=topic.topic)
    urgency = decide(signals, velocity, ctx.urgency_rules)
    # Only a report of something that happened needs its anchors (where, when): the rest are routine matters.
    emergency_like = bool(signals.hazards or signals.critical_terms or signals.fatal_terms or signals.casualties.any())
    prints = fingerprint(both)
    title_spans, content_spans = find_personal_data(title), find_personal_data(content)
    personal = Counter(kind for kind, _, _ in [*title_spans, *content_spans])
    return Analysis(
        title_masked=mask(title, title_spans),
        content_masked=mask(content, content_spans),
        normalized_title=title,
        normalized_content=content,
        relevant=relevant,
        schemes=[hit.name for hit in hits],
        matched_terms=matched,
        topic=topic.topic,
        topic_name=ctx.topic_names.get(topic.topic, topic.topic),
        topic_scores=topic.scores,
        topic_terms=list(topic.terms),
        urgency=urgency.level,
        urgency_name=LEVEL_NAMES[urgency.level],
        urgency_reasons=urgency.reasons,
        urgency_signals=urgency.signals,
        negativity=negative,
        village=_village(ctx.villages, title, content),
        personal_data=dict(personal),
        simhash=prints.simhash,
        minhash=prints.minhash,
        lexicon_terms=list(topic.all_terms),
        anchors=read_anchors(both[:1000], ctx.places) if emergency_like else Anchors(),
        emergency_kind=emergency_kind,
        topic_model=ctx.model_version,
    )
