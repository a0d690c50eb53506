"""Near-copies between a training set and an evaluation set: which training rows share most of their words with
some evaluation text (bench/classify_eval.py and bench/learning.py keep them on one side of a split)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence


class WordOverlap:
    """Which training rows share words with a text, and how many (an inverted index over the rows' word sets).

    Used to evaluate honestly when an evaluation file may be contained in the training file.
    """

    def __init__(self, train_words: Sequence[Sequence[str]]) -> None:
        from collections import defaultdict

        self.sets = [set(words) for words in train_words]
        self._postings: dict[str, list[int]] = defaultdict(list)
        for index, words in enumerate(self.sets):
            for word in words:
                self._postings[word].append(index)

    def shared(self, words: Iterable[str]) -> Counter[int]:
        """Row index → how many of these (distinct) words the row has too."""
        counts: Counter[int] = Counter()
        for word in set(words):
            counts.update(self._postings.get(word, ()))
        return counts


def overlapping_rows(
    train_words: Sequence[Sequence[str]], eval_words: Sequence[Sequence[str]], threshold: float = 0.6
) -> set[int]:
    """Indices of training rows whose words lie mostly (≥ threshold) inside some evaluation text's words."""
    overlap = WordOverlap(train_words)
    overlapping: set[int] = set()
    for words in eval_words:
        overlapping.update(
            index
            for index, count in overlap.shared(words).items()
            if overlap.sets[index] and count / len(overlap.sets[index]) >= threshold
        )
    return overlapping
