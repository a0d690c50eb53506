"""The models one retraining tries, and how they are judged: a town's model that learns from the lexicon's scores
(strong with a few hundred corrections) and a model of the words alone (stronger with thousands, when the town's
own words say more than the lexicon).

Both are judged by grouped k-fold cross-validation on all of the town's corrections: each correction is decided by
a model trained on the other folds (near-copies, the mentions of one event, stay in one fold). Every correction
thus judges the candidates and none is kept out of training: with a few hundred corrections, holding a fifth back
both weakened the model and left the comparison to a few dozen rows. The final model is then fitted on all of them
(yuqing/learning.py compares it with the model in use)."""

from __future__ import annotations

import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select

from pipeline import model_extras
from pipeline.model_extras import PRIOR_WEIGHT, Prior, TownText
from pipeline.training import Model
from yuqing.app import App
from yuqing.learning_agreement import EXACT, Agreement
from yuqing.settings_model import Settings
from yuqing.workflow.labels import Example

KINDS = {"prior": "词库先验模型", "words": "词语模型"}
FOLDS = 5
CORPUS_ROWS = 20_000  # the town's latest messages that widen a new model's vocabulary and fit its projection
CORPUS_CHARS = 2_000  # of each message's body


@dataclass
class TrainingSet:
    """What one retraining learns from: the corrections, imported rows (always trained on, never judged), the prior
    classifier with its scores for every row (corrections first), and the town's text features."""

    examples: list[Example]
    imported_texts: list[str] = field(default_factory=list)
    imported_labels: list[str] = field(default_factory=list)
    prior: Prior | None = None
    priors: list[dict[str, float]] = field(default_factory=list)
    town: TownText | None = None
    prior_weight: float = PRIOR_WEIGHT  # of the prior's scores (model_extras.prior_weight of all rows)

    def fit(self, kind: str, rows: Sequence[int], manifest: dict, prior_weight: float | None = None) -> Model:
        """A model of `kind` fitted on the corrections at `rows` and every imported row; a prior model weighs the
        prior's scores with `prior_weight` (this set's own when None)."""
        from pipeline.training import fit

        chosen = [self.examples[i] for i in rows]
        texts = [e.content for e in chosen] + self.imported_texts
        imported = range(len(self.examples), len(self.examples) + len(self.imported_texts))
        extra: dict = {}
        if kind == "prior":
            extra = {
                "prior": self.prior,
                "town": self.town,
                "priors": [self.priors[i] for i in [*rows, *imported]],
                "prior_weight": self.prior_weight if prior_weight is None else prior_weight,
            }
        model = fit(
            texts,
            [e.label for e in chosen] + self.imported_labels,
            titles=[e.title for e in chosen] + [""] * len(self.imported_texts),
            manifest={**manifest, "town_kind": kind},
            **extra,
        )
        model.prior = self.prior  # either kind lets the prior's choice stand within its margin
        return model


def training_set(examples, imported_texts, imported_labels, *, prior, corpus: Sequence[tuple[str, str]]):
    """The training set with the prior's scores worked out once and the town's features fitted once on the corpus
    (the town's latest messages) and every text trained on; the prior's weight follows the number of rows. Its
    fold models (80 % of the rows) take the same weight as the final one, so that cross-validation judges it."""
    from pipeline.model_extras import prior_scores, prior_weight
    from pipeline.training import fit_town_text

    titles = [e.title for e in examples] + [""] * len(imported_texts)
    texts = [e.content for e in examples] + list(imported_texts)
    return TrainingSet(
        list(examples),
        list(imported_texts),
        list(imported_labels),
        prior,
        prior_scores(prior, titles, texts),
        fit_town_text([*corpus, *zip(titles, texts, strict=True)]),
        prior_weight(len(texts)),
    )


@dataclass
class Candidate:
    """One kind as cross-validation judged it: the topic each correction got from the models that did not learn
    it (None: that fold could not be trained, counted wrong) and its score (yuqing/learning_agreement.py)."""

    kind: str
    decided: list[str | None]
    accuracy: float
    margin: float = 0.0  # the margin (model_extras.keep_prior) chosen by the cross-validation

    def text(self) -> str:
        return f"{KINDS[self.kind]} {self.accuracy:.1%}"


def fold_of(examples: Sequence[Example], folds: int) -> list[int]:
    """Each example's fold: groups (an event's mentions, near-copies) in a stable hash order, dealt round."""
    groups = sorted({e.group for e in examples}, key=lambda group: (zlib.crc32(group.encode("utf-8")), group))
    place = {group: number % folds for number, group in enumerate(groups)}
    return [place[e.group] for e in examples]


def decided_topics(context, examples: Sequence[Example]) -> list[str]:
    """The topic the pipeline gives each example with this context (its classifier decides all rows in one
    batch first when it can)."""
    from pipeline.analyze import TextIn, analyze
    from pipeline.normalize import normalize

    classifier = context.classifier
    if examples and hasattr(classifier, "classify_many"):
        pairs = [(normalize(e.title), normalize(e.content)) for e in examples]
        context = replace(context, classifier=_Decided(classifier, pairs))
    return [analyze(TextIn(title=e.title, content=e.content), context).topic for e in examples]


class _Decided:
    """A model's decisions on known messages, worked out in one batch; analyze then asks one message at a time."""

    def __init__(self, model, pairs: list[tuple[str, str]]) -> None:
        self.model = model
        self.labels = model.labels
        self.untaught_labels = getattr(model, "untaught_labels", [])
        self._known = dict(zip(pairs, model.classify_many(pairs), strict=True))

    def classify(self, title: str, content: str):
        known = self._known.get((title, content))
        return known if known is not None else self.model.classify(title, content)


def cross_validate(
    context,
    data: TrainingSet,
    *,
    name: str,
    manifest: dict,
    folds: int = FOLDS,
    agreement: Agreement = EXACT,
    kinds: Sequence[str] = tuple(KINDS),
    learned: Collection[int] | None = None,
    prior_weight: float | None = None,
) -> list[Candidate]:
    """Every kind judged on every correction by grouped k-fold cross-validation (fewer folds when there are fewer
    groups; none below two), scored by `agreement`. Each kind also gets its margin here (`margin_hits`,
    `best_margin`). `learned`, when given, are the only corrections the fold models may learn from (the model in
    use's recipe, yuqing/learning_gate.py, with its `prior_weight`); every correction is judged all the same."""
    examples = data.examples
    folds = min(folds, len({e.group for e in examples}))
    fold = fold_of(examples, folds) if folds >= 2 else []
    judged = [[i for i, f in enumerate(fold) if f == number] for number in range(folds if folds >= 2 else 0)]
    models: dict[tuple[int, str], Model] = {}
    for number in range(len(judged)):
        trained = [i for i, f in enumerate(fold) if f != number and (learned is None or i in learned)]
        for kind in kinds:
            try:
                models[number, kind] = data.fit(kind, trained, manifest, prior_weight)
            except ValueError:  # one topic only outside this fold: its rows count as wrong
                continue
    candidates = []
    for kind in kinds:
        hits = [
            margin_hits(models.get((n, kind)), [examples[i] for i in rows], agreement) for n, rows in enumerate(judged)
        ]
        decided: list[str | None] = [None] * len(examples)
        for number, rows in enumerate(judged):
            model = models.get((number, kind))
            if model is None:
                continue
            # Chosen without this fold's rows, so that the figure judges the way the margin is chosen too.
            set_margin(model, best_margin(hits[:number] + hits[number + 1 :]))
            topics = decided_topics(with_model(context, model, name), [examples[i] for i in rows])
            for i, topic in zip(rows, topics, strict=True):
                decided[i] = topic
        right = agreement.share(decided, examples, range(len(examples))) or 0.0
        candidates.append(Candidate(kind, decided, right, best_margin(hits)))
    return candidates


CLEARLY = 2.0  # standard errors by which another kind must beat the lexicon-prior model to be kept


def preferred(tried: Sequence[Candidate], examples: Sequence[Example], agreement: Agreement = EXACT) -> Candidate:
    """The kind a retraining keeps: the first (the lexicon-prior model) unless another scores higher by more than
    CLEARLY standard errors of the per-correction differences (a post or two decided better is not enough). The
    two kinds' figures often differ by a handful of rows, and on a town's other messages the prior's model did as
    well or better in nearly every such case (real citizen messages); the words model is kept when clearly better."""
    first = tried[0]
    best = first
    for other in tried[1:]:
        error = agreement.paired_error(other.decided, first.decided, examples)
        if other.accuracy - first.accuracy > CLEARLY * error and other.accuracy > best.accuracy:
            best = other
    return best


def choice_notes(tried: Sequence[Candidate], best: Candidate, prior: str, weight: float = PRIOR_WEIGHT) -> str:
    """Why this kind and when the prior's topic stands, in one parenthesis of a decision (or nothing): a kind with
    a higher figure that was not kept (`preferred`), the margin (pipeline/model_extras.keep_prior) and the prior's
    `weight` when it is not the usual one (model_extras.prior_weight)."""
    notes = []
    higher = [KINDS[c.kind] for c in tried if c.accuracy > best.accuracy]
    if higher:
        notes.append(f"{'、'.join(higher)}高出不足 {CLEARLY:g} 个标准误,未取")
    if best.margin > 0:
        notes.append(f"与{prior}的判断相差不足 {best.margin:g} 时沿用{prior}")
    if best.kind == "prior" and weight != PRIOR_WEIGHT:
        notes.append(f"标注已达 {model_extras.LIGHT_FROM} 条,{prior}得分的权重取 {weight:g}")
    return f"({';'.join(notes)})" if notes else ""


MARGINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)


def margin_hits(model: Model | None, examples: Sequence[Example], agreement: Agreement = EXACT) -> dict[float, float]:
    """For each margin (pipeline/model_extras.keep_prior), the summed score of the model's decisions on `examples`
    (corrections it did not learn): how many it decides as the officers did, with `agreement`'s partial credit."""
    from pipeline.model_extras import keep_prior
    from pipeline.normalize import normalize

    hits = dict.fromkeys(MARGINS, 0.0)
    if model is None or not examples:
        return hits
    decision, priors = model.decision_values([(normalize(e.title), normalize(e.content)) for e in examples])
    for margin in MARGINS:
        chosen = keep_prior(decision, model.labels, priors, margin)
        hits[margin] = sum(
            agreement.score(model.labels[k], e.label, e.confirmed) for k, e in zip(chosen, examples, strict=True)
        )
    return hits


def best_margin(tables: Sequence[dict[float, float]]) -> float:
    """The margin that agrees with the officers most often over these folds' tables; the smallest of equals."""
    return max(MARGINS, key=lambda margin: (sum(table[margin] for table in tables), -margin))


def set_margin(model: Model, margin: float) -> None:
    """Give a model its margin (kept in its manifest, so a saved version keeps it)."""
    model.prior_margin = margin
    model.manifest["prior_margin"] = margin


def with_model(context, model, name: str):
    """The analysis context with this model as the topic classifier, named `name` in reasons."""
    return replace(
        context,
        classifier=model,
        topic_names={**context.topic_names, **{lab: context.topic_names.get(lab, lab) for lab in model.labels}},
        model_version=name,
    )


def prior_classifier(settings: Settings):
    """The classifier whose scores a town's model learns from: the configured one (the shipped lexicon with the
    config's extra keywords, or [classifier] model_dir)."""
    from yuqing.analysis_context import base_analysis_context

    return base_analysis_context(settings).classifier


def load_version(settings: Settings, path: str | Path):
    """A kept model version from its folder (relative to the data folder), with the prior it was trained with."""
    from pipeline.training import load_model

    return load_model(Path(settings.general.data_dir) / path, prior=prior_classifier(settings))


def town_corpus(app: App, leave_out: Collection[int] = ()) -> list[tuple[str, str]]:
    """The town's latest messages (title, start of body), labelled or not, for the vocabulary and projection;
    `leave_out`: mention ids the caller adds itself."""
    from yuqing.db.models import Mention

    with app.db.read() as session:
        rows = session.execute(
            select(Mention.id, Mention.title, Mention.content).order_by(Mention.id.desc()).limit(CORPUS_ROWS)
        ).all()
    return [(title or "", (content or "")[:CORPUS_CHARS]) for key, title, content in rows if key not in leave_out]
