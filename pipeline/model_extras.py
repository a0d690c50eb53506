"""What a town's model adds to the words of a message (pipeline/training.py):

- the prior: the topic scores the configured classifier (the shipped lexicon) gives the message, as features. With a
  few hundred corrections a model cannot relearn the lexicon's thousands of words; with the prior it keeps what the
  lexicon knows and learns where the town files things otherwise (物业 complaints under 城乡建设 …).
- a latent semantic projection (LSA) fitted on the town's own messages, labelled or not: words that occur together
  in the town's messages land near each other, so a correction teaches the model about words it was never shown.

Chosen with the learning curve on real citizen messages (TipDM, bench/learning.py): on the training half, 300
corrections and the prior gave 0.890 against the lexicon's 0.842 and words alone 0.829. The projection (about +0.6
more at 300) was picked looking at the validation half too, so that half's figures are not fully independent of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

LSA_DIMENSIONS = 100
MIN_LSA_ROWS = 200  # fewer messages than this: no projection (it would only echo the rows)
PRIOR_WEIGHT = 1.0  # the prior's scores sum to 1; at this scale a linear model trusts them about as much as words
# With this many corrections the town's words say more than the lexicon: the prior's scores weigh LIGHT_WEIGHT. On the
# training half of the real citizen messages (random corrections, accuracy on the town's rest, three draws each)
# weight 0.5 gave +0.26 points at 1,000 and +0.43 at 3,000, but -0.45 at 300 (0.7: +0.19 / +0.12; 0.3: -0.31 at 1,000).
# Checked with the 分类复核 queue (bench/learning.py --other --order queue): the training half's candidate at 1,000
# +1.0 (0.9038 against 0.8934); the validation half -0.2 at 1,000 and +0.0 at 3,000, the training half +0.4 at 3,000 (0.9196), within the runs' noise.
LIGHT_FROM = 1000
LIGHT_WEIGHT = 0.5


def prior_weight(corrections: int) -> float:
    """The weight of the prior's scores in a model trained on this many labelled rows."""
    return LIGHT_WEIGHT if corrections >= LIGHT_FROM else PRIOR_WEIGHT


class Prior(Protocol):
    """A classifier whose scores serve as the prior: the shipped lexicon, or a configured model."""

    labels: list[str]

    def classify(self, title: str, content: str): ...


@dataclass
class TownText:
    """A town's text features, fitted once on its messages (labelled or not): the vectorizers (the word one
    first) and the projection. Unsupervised, so it may be fitted on messages whose labels are kept apart to judge a
    model: it learns their words, never their labels. Every model of one retraining shares it."""

    vectorizers: tuple
    projection: np.ndarray | None


@dataclass
class Extras:
    """The fitted extra blocks of a model: the prior's topic order and the projection (either may be absent)."""

    prior_labels: list[str] | None = None
    projection: np.ndarray | None = None  # word features → LSA dimensions (C-ordered float32: one product a row)
    prior_weight: float = PRIOR_WEIGHT  # what the prior's scores are multiplied by (`prior_weight`)

    @property
    def uses_prior(self) -> bool:
        return bool(self.prior_labels)

    def blocks(self, word_block, priors: Sequence[Mapping[str, float]] | None) -> list:
        """The extra feature blocks for rows whose word features (the word vectorizer's) are `word_block` and prior
        scores `priors`."""
        from sklearn.preprocessing import normalize

        blocks: list = []
        if self.projection is not None:
            projected = word_block.astype(np.float32) @ self.projection  # one dtype: no copy of the projection
            blocks.append(normalize(np.asarray(projected, dtype=np.float64)))
        if self.prior_labels:
            if priors is None or len(priors) != word_block.shape[0]:
                raise ValueError("this model needs the prior classifier's scores for every row")
            column = {label: i for i, label in enumerate(self.prior_labels)}
            matrix = np.zeros((len(priors), len(self.prior_labels)))
            for row, scores in enumerate(priors):
                for label, value in scores.items():
                    if label in column:
                        matrix[row, column[label]] = value * self.prior_weight
            blocks.append(matrix)
        return blocks


def keep_prior(
    decision: np.ndarray, classes: Sequence[str], priors: Sequence[Mapping[str, float]] | None, margin: float
) -> np.ndarray:
    """Each row's chosen class (index): the model's best, except that the prior's own choice stands when the model
    prefers another topic by less than `margin` (decision-function units). A town's model re-files what its
    officers confirmed only when its corrections say so clearly; the margin is chosen per town by cross-validation
    on its corrections (yuqing/learning_candidates.py)."""
    best = decision.argmax(axis=1)
    if margin <= 0 or priors is None:
        return best
    column = {label: i for i, label in enumerate(classes)}
    for row, scores in enumerate(priors):
        own = column.get(next(iter(scores))) if scores else None  # the topic it decided comes first (prior_row)
        if own is not None and own != best[row] and decision[row, best[row]] - decision[row, own] < margin:
            best[row] = own
    return best


def fit_projection(words_matrix) -> np.ndarray | None:
    """An LSA projection fitted on the town's messages (the word block of their features: the first columns), or
    None when there are too few. Kept as a plain matrix: sklearn's transform copies its transposed components on
    every call, 40 ms a message."""
    from sklearn.decomposition import TruncatedSVD

    rows, columns = words_matrix.shape
    dimensions = min(LSA_DIMENSIONS, rows - 1, columns - 1)
    if rows < MIN_LSA_ROWS or dimensions < 2:
        return None
    svd = TruncatedSVD(dimensions, random_state=0).fit(words_matrix)
    return np.ascontiguousarray(svd.components_.T, dtype=np.float32)


def prior_scores(prior: Prior, titles: Sequence[str], contents: Sequence[str]) -> list[dict[str, float]]:
    """The prior classifier's topic scores for each (normalised) title and content."""
    from pipeline.normalize import normalize

    return [
        prior_row(prior.classify(normalize(title), normalize(content)))
        for title, content in zip(titles, contents, strict=True)
    ]


def prior_row(result) -> dict[str, float]:
    """A prior's topic scores with the topic it decided first (`keep_prior` reads its choice there: on a tie of
    scores the scores' own order can differ from one process to the next)."""
    return {result.topic: result.scores.get(result.topic, 0.0), **result.scores}
