"""The models one retraining tries, and the one it keeps: a town's model that learns from the lexicon's scores
(strong with a few hundred corrections) and a model of the words alone (stronger with thousands, when the town's
own words say more than the lexicon). Both are judged on the held-back corrections; the better one is the candidate
that then has to beat the model in use (yuqing/learning.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select

from pipeline.training import Model
from yuqing.app import App
from yuqing.settings_model import Settings
from yuqing.workflow.labels import Example

KINDS = {"prior": "词库先验模型", "words": "词语模型"}
CORPUS_ROWS = 20_000  # the town's latest messages that widen a new model's vocabulary and fit its projection
CORPUS_CHARS = 2_000  # of each message's body


@dataclass
class Candidate:
    """One trained model, its kind and its accuracy on the held-back corrections (None: nothing held back)."""

    kind: str
    model: Model
    accuracy: float | None

    def text(self) -> str:
        figure = f" {self.accuracy:.1%}" if self.accuracy is not None else ""
        return f"{KINDS[self.kind]}{figure}"


def accuracy(context, examples: Sequence[Example]) -> float:
    """Share of held-back examples whose topic, as the pipeline decides it with this context, is the label."""
    from pipeline.analyze import TextIn, analyze

    hits = sum(analyze(TextIn(title=e.title, content=e.content), context).topic == e.label for e in examples)
    return hits / len(examples) if examples else 0.0


def with_model(context, model, name: str):
    """The analysis context with this model as the topic classifier, named `name` in reasons."""
    return replace(
        context,
        classifier=model,
        topic_names={**context.topic_names, **{lab: context.topic_names.get(lab, lab) for lab in model.labels}},
        model_version=name,
    )


def train_candidates(
    context,
    texts: Sequence[str],
    labels: Sequence[str],
    titles: Sequence[str],
    test: Sequence[Example],
    *,
    prior,
    corpus: Sequence[tuple[str, str]],
    manifest: dict,
    name: str,
) -> tuple[Candidate, list[Candidate]]:
    """Fit both kinds, judge each on `test`; returns the better (the prior's on a tie: it keeps the lexicon's
    knowledge of topics few corrections touch) and all of them."""
    from pipeline.training import fit

    tried = []
    for kind in KINDS:
        model = fit(
            texts,
            labels,
            titles=titles,
            manifest={**manifest, "town_kind": kind},
            **({"prior": prior, "corpus": corpus} if kind == "prior" else {}),
        )
        tried.append(Candidate(kind, model, accuracy(with_model(context, model, name), test) if test else None))
    best = max(tried, key=lambda c: c.accuracy or 0.0)  # max keeps the first of equals: the prior's
    return best, tried


def prior_classifier(settings: Settings):
    """The classifier whose scores a town's model learns from: the configured one (the shipped lexicon with the
    config's extra keywords, or [classifier] model_dir)."""
    from yuqing.analysis_context import base_analysis_context

    return base_analysis_context(settings).classifier


def load_version(settings: Settings, path: str | Path):
    """A kept model version from its folder (relative to the data folder), with the prior it was trained with."""
    from pipeline.training import load_model

    return load_model(Path(settings.general.data_dir) / path, prior=prior_classifier(settings))


def town_corpus(app: App) -> list[tuple[str, str]]:
    """The town's latest messages (title, start of body), labelled or not, for the vocabulary and projection."""
    from yuqing.db.models import Mention

    with app.db.read() as session:
        rows = session.execute(
            select(Mention.title, Mention.content).order_by(Mention.id.desc()).limit(CORPUS_ROWS)
        ).all()
    return [(title or "", (content or "")[:CORPUS_CHARS]) for title, content in rows]
