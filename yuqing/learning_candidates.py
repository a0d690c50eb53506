"""The models one retraining tries, and the one it keeps: a town's model that learns from the lexicon's scores
(strong with a few hundred corrections) and a model of the words alone (stronger with thousands, when the town's
own words say more than the lexicon). Both are judged on the held-back corrections; the better one is the candidate
that then has to beat the model in use (yuqing/learning.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from yuqing.workflow.labels import Example

KINDS = {"prior": "词库先验模型", "words": "词语模型"}


@dataclass
class Candidate:
    """One trained model, its kind and its accuracy on the held-back corrections (None: nothing held back)."""

    kind: str
    model: object
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
