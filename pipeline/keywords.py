"""Aho-Corasick keyword search shared by schemes, topics, urgency, negativity and villages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from typing import Any

import ahocorasick

# One occurrence: (start, end, word, payloads) with [start, end) in the searched text. A plain tuple because
# texts yield hundreds of matches and the pipeline's speed budget is a fraction of jieba's.
Match = tuple[int, int, str, tuple[Any, ...]]


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


@lru_cache(maxsize=16)  # analyze() scans the same title, body and joined text with several indexes
def _encoded(text: str) -> str:
    """The lower-cased text's UTF-8 bytes as a latin-1 string.

    pyahocorasick walks a node's children one by one; over raw Chinese the root has a thousand children,
    over UTF-8 bytes a handful, which makes scanning about three times faster. UTF-8 is self-synchronising,
    so a word's bytes only ever match at a character boundary.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lowered; keep offsets exact
        lowered = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
    return lowered.encode("utf-8", "surrogatepass").decode("latin-1")


def _on_boundary(encoded: str, start: int, end: int) -> bool:
    """No ASCII letter or digit touches an ASCII edge of encoded[start:end] from outside (bytes of other
    characters are never ASCII, so this reads the bytes directly)."""
    if _is_ascii_alnum(encoded[start]) and start > 0 and _is_ascii_alnum(encoded[start - 1]):
        return False
    return not (_is_ascii_alnum(encoded[end - 1]) and end < len(encoded) and _is_ascii_alnum(encoded[end]))


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
        # The automaton's value is the word itself, so that scans hand back (end, word) pairs built in C; what a
        # word carries is looked up afterwards, and only the words with an ASCII edge need a boundary check.
        self._automaton = ahocorasick.Automaton()
        self._payloads: dict[str, tuple[Any, ...]] = {}
        self._sizes: dict[str, int] = {}
        self._flagged: dict[str, int] = {}  # word with an ASCII letter or digit at an edge → its encoded size
        for key, values in payloads.items():
            encoded = key.encode("utf-8", "surrogatepass").decode("latin-1")
            self._automaton.add_word(encoded, key)
            self._payloads[key] = tuple(values)
            self._sizes[key] = len(encoded)
            if _is_ascii_alnum(key[0]) or _is_ascii_alnum(key[-1]):
                self._flagged[key] = len(encoded)
        if payloads:
            self._automaton.make_automaton()
        self._size = len(payloads)

    def __len__(self) -> int:
        return self._size

    def _scan(self, text: str, longest: bool) -> tuple[str, list[tuple[int, str]]]:
        """(encoded text, (last byte offset, word) of each match), before the boundary check."""
        if not self._size or not text:
            return "", []
        encoded = _encoded(text)
        return encoded, list(self._automaton.iter_long(encoded) if longest else self._automaton.iter(encoded))

    def _on_boundaries(self, encoded: str, found: list[tuple[int, str]], words: Iterable[str]) -> Counter[str]:
        """How many occurrences of each of `words` (words with an ASCII edge) stand on a word boundary."""
        flagged = self._flagged
        checked = set(words)
        return Counter(
            word
            for last, word in found
            if word in checked and _on_boundary(encoded, last - flagged[word] + 1, last + 1)
        )

    def _valid(self, text: str, longest: bool) -> tuple[str, list[tuple[int, str]]]:
        """(encoded text, matches) without the occurrences of ASCII-edged words inside a longer ASCII word."""
        encoded, found = self._scan(text, longest)
        if not self._flagged or not found:
            return encoded, found
        flagged = self._flagged
        return encoded, [
            (last, word)
            for last, word in found
            if word not in flagged or _on_boundary(encoded, last - flagged[word] + 1, last + 1)
        ]

    def _counted(self, text: str, longest: bool) -> Counter[str]:
        """Occurrences per word. Counted in C; only the ASCII-edged words found (rare in Chinese) are checked."""
        encoded, found = self._scan(text, longest)
        counts = Counter(map(itemgetter(1), found))
        suspects = self._flagged.keys() & counts.keys() if self._flagged else ()
        if suspects:
            kept = self._on_boundaries(encoded, found, suspects)
            for word in suspects:
                if kept[word]:
                    counts[word] = kept[word]
                else:
                    del counts[word]
        return counts

    def _with_characters(self, text: str, longest: bool) -> list[Match]:
        encoded, found = self._valid(text, longest)
        sizes, payloads = self._sizes, self._payloads
        matches = sorted((last - sizes[word] + 1, last + 1, word, payloads[word]) for last, word in found)
        if not matches or text.isascii():
            return matches
        raw = encoded.encode("latin-1")
        positioned = []
        byte_cursor = character_cursor = 0
        for start, _end, word, values in matches:  # by start: count characters incrementally
            character_cursor += len(raw[byte_cursor:start].decode("utf-8", "surrogatepass"))
            byte_cursor = start
            positioned.append((character_cursor, character_cursor + len(word), word, values))
        return positioned

    def iter_matches(self, text: str) -> list[Match]:
        """Every occurrence of every word, overlapping ones included, ordered by position."""
        return self._with_characters(text, longest=False)

    def longest_matches(self, text: str) -> list[Match]:
        """Leftmost-longest occurrences that do not overlap (养老保险 hides 养老 and 保险), ordered by position."""
        return self._with_characters(text, longest=True)

    def found_payloads(self, text: str) -> list[tuple[str, tuple[Any, ...]]]:
        """(word, payloads) of every occurrence, overlapping ones included; no positions, so faster."""
        payloads = self._payloads
        return [(word, payloads[word]) for _, word in self._valid(text, longest=False)[1]]

    def distinct_payloads(self, text: str) -> dict[str, tuple[Any, ...]]:
        """{word: payloads} of the distinct words that occur, overlapping ones included (fastest)."""
        payloads = self._payloads
        return {word: payloads[word] for word in self._counted(text, longest=False)}

    def count_longest(self, text: str) -> Counter[str]:
        """How often each word occurs as a leftmost-longest match; no positions, so faster."""
        return self._counted(text, longest=True)

    def found_words(self, text: str) -> set[str]:
        """The distinct words that occur in the text."""
        return set(self._counted(text, longest=False))
