"""Aho-Corasick keyword search shared by schemes, topics, urgency, negativity and villages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import ahocorasick


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass(frozen=True, slots=True)
class Match:
    """One keyword occurrence: [start, end) in the searched text and the payloads of the word."""

    start: int
    end: int
    word: str
    payloads: tuple[Any, ...]


class KeywordIndex:
    """One automaton over many words; each word carries the payloads it was added with.

    Words are matched case-insensitively. A word that begins or ends with an ASCII letter or digit only
    matches on a word boundary on that side, so "ai" is not found inside "said" while Chinese words match
    anywhere, as Chinese has no spaces.
    """

    def __init__(self, entries: Iterable[tuple[str, Any]] = ()) -> None:
        payloads: dict[str, list[Any]] = {}
        for word, payload in entries:
            key = word.strip().lower()
            if key:
                payloads.setdefault(key, []).append(payload)
        self._automaton = ahocorasick.Automaton()
        for key, values in payloads.items():
            self._automaton.add_word(key, (key, tuple(values)))
        if payloads:
            self._automaton.make_automaton()
        self._size = len(payloads)

    def __len__(self) -> int:
        return self._size

    def iter_matches(self, text: str) -> Iterator[Match]:
        """Every occurrence of every word, overlapping ones included, in order of their end."""
        if not self._size or not text:
            return
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters change length when lowered; keep offsets exact
            lowered = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
        for last, (word, payloads) in self._automaton.iter(lowered):
            start = last - len(word) + 1
            if _is_ascii_alnum(word[0]) and start > 0 and _is_ascii_alnum(lowered[start - 1]):
                continue
            if _is_ascii_alnum(word[-1]) and last + 1 < len(lowered) and _is_ascii_alnum(lowered[last + 1]):
                continue
            yield Match(start, last + 1, word, payloads)

    def longest_matches(self, text: str) -> list[Match]:
        """Occurrences with those lying inside a longer occurrence removed (养老保险 hides 养老)."""
        matches = sorted(self.iter_matches(text), key=lambda m: (m.start, -m.end))
        kept: list[Match] = []
        reach = -1
        for match in matches:
            if match.end <= reach:
                continue
            kept.append(match)
            reach = max(reach, match.end)
        return kept

    def found_words(self, text: str) -> set[str]:
        """The distinct words that occur in the text."""
        return {match.word for match in self.iter_matches(text)}
