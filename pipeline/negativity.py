"""Negativity score 0..1 from a hand-written lexicon of negative and positive words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from pipeline.keywords import KeywordIndex
from pipeline.lexicons import read_weighted_lexicon

_MAX_REPEATS = 3  # a word repeated more often adds nothing: a long rant is not more negative per se
_EMPHASIS = ("!", "！", "??", "？？", "…")


@dataclass(frozen=True)
class Negativity:
    """The score (0 calm … 1 very negative) and the words behind it."""

    score: float
    negative_terms: tuple[str, ...]
    positive_terms: tuple[str, ...]


class NegativityScorer:
    """Lexicon scorer: weighted negative words minus positive ones, density-adjusted, squashed into 0..1."""

    def __init__(self, lexicon_name: str = "negativity.txt", scale: float = 6.0) -> None:
        lexicon = read_weighted_lexicon(lexicon_name)
        entries = [
            (word.lower(), (polarity, weight)) for polarity, words in lexicon.items() for word, weight in words.items()
        ]
        self._index = KeywordIndex(entries)
        self._payloads: dict[str, list[tuple[str, float]]] = {}
        for word, payload in entries:
            self._payloads.setdefault(word, []).append(payload)
        self._scale = scale

    def score(self, text: str) -> Negativity:
        """Negativity of a normalised text."""
        if not text:
            return Negativity(0.0, (), ())
        negative = positive = 0.0
        negative_terms: list[tuple[float, str]] = []
        positive_terms: list[tuple[float, str]] = []
        for word, count in self._index.count_longest(text).items():
            for polarity, weight in self._payloads[word]:
                value = weight * min(count, _MAX_REPEATS)
                if polarity == "negative":
                    negative += value
                    negative_terms.append((value, word))
                else:
                    positive += value
                    positive_terms.append((value, word))
        negative += min(sum(text.count(mark) for mark in _EMPHASIS), 6) * 0.5
        balance = negative - 0.8 * positive
        # Longer texts collect more words by chance; divide by the square root of their length in 400s.
        density = balance / math.sqrt(1 + len(text) / 400)
        value = 1 - math.exp(-density / self._scale) if density > 0 else 0.0
        return Negativity(round(value, 3), _top(negative_terms), _top(positive_terms))


def _top(weighted: list[tuple[float, str]], limit: int = 8) -> tuple[str, ...]:
    return tuple(word for _, word in sorted(weighted, reverse=True)[:limit])


@lru_cache(maxsize=1)
def default_scorer() -> NegativityScorer:
    """The shipped scorer, built once."""
    return NegativityScorer()


def negativity(text: str) -> float:
    """Negativity score 0..1 of a normalised text with the shipped lexicon."""
    return default_scorer().score(text).score
