"""Monitoring schemes (监测方案): region AND subject AND event NOT exclusion, one automaton for all words."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pipeline.keywords import KeywordIndex
from pipeline.normalize import normalize

_OR = set("|｜,，、;；")
_AND = set("+＋")
_OPEN = set("(（")
_CLOSE = set(")）")
_SPECIAL = _OR | _AND | _OPEN | _CLOSE


class SchemeSyntaxError(ValueError):
    """An expression that cannot be parsed; `position` is the 1-based character where it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Word:
    """One keyword."""

    text: str

    def support(self, found: set[str]) -> list[str] | None:
        """The words proving a match, or None when the node does not match."""
        return [self.text] if self.text in found else None

    def words(self) -> list[str]:
        """Every keyword in the node."""
        return [self.text]


@dataclass(frozen=True)
class Or:
    """Any child matches."""

    children: tuple[Node, ...]

    def support(self, found: set[str]) -> list[str] | None:
        """The words of every matching child, or None when none matches."""
        proof = [word for child in self.children for word in (child.support(found) or [])]
        return proof or None

    def words(self) -> list[str]:
        """Every keyword in the node."""
        return [word for child in self.children for word in child.words()]


@dataclass(frozen=True)
class And:
    """All children match."""

    children: tuple[Node, ...]

    def support(self, found: set[str]) -> list[str] | None:
        """The words of all children when all match, else None."""
        proof: list[str] = []
        for child in self.children:
            part = child.support(found)
            if part is None:
                return None
            proof += part
        return proof

    def words(self) -> list[str]:
        """Every keyword in the node."""
        return [word for child in self.children for word in child.words()]


@dataclass(frozen=True)
class Everything:
    """An empty expression: matches any text with no words as proof."""

    def support(self, found: set[str]) -> list[str] | None:
        """Always a match."""
        return []

    def words(self) -> list[str]:
        """No keywords."""
        return []


Node = Word | Or | And | Everything


def _describe(token: str | None) -> str:
    return "表达式结尾" if token is None else f"“{token}”"


class _Parser:
    """Recursive descent over: or := and ((OR | whitespace) and)*; and := atom (+ atom)*; atom := word | (or)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.index = 0

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str, int]]:
        tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            char = text[position]
            if char.isspace():
                tokens.append(("space", char, position))
                while position < len(text) and text[position].isspace():
                    position += 1
                continue
            if char in _SPECIAL:
                kind = "or" if char in _OR else "and" if char in _AND else "open" if char in _OPEN else "close"
                tokens.append((kind, char, position))
                position += 1
                continue
            start = position
            while position < len(text) and not text[position].isspace() and text[position] not in _SPECIAL:
                position += 1
            tokens.append(("word", text[start:position], start))
        # Whitespace is an OR only between two operands; next to an operator or a parenthesis it is layout.
        kept: list[tuple[str, str, int]] = []
        for index, token in enumerate(tokens):
            if token[0] != "space":
                kept.append(token)
                continue
            before = kept[-1][0] if kept else None
            after = tokens[index + 1][0] if index + 1 < len(tokens) else None
            if before in ("word", "close") and after in ("word", "open"):
                kept.append(("or", " ", token[2]))
        return kept

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _fail(self, expected: str) -> SchemeSyntaxError:
        token = self._peek()
        position = token[2] + 1 if token else len(self.text) + 1
        where = f"第 {position} 个字符处" if token else f"表达式在第 {position} 个字符处意外结束，"
        found = f"，实际为{_describe(token[1] if token else None)}" if token else ""
        return SchemeSyntaxError(f"{where}应为{expected}{found}", position)

    def parse(self) -> Node:
        if not self.tokens:
            return Everything()
        node = self._or()
        token = self._peek()
        if token is not None:
            if token[0] == "close":
                raise SchemeSyntaxError(f"第 {token[2] + 1} 个字符处的“{token[1]}”没有对应的“(”", token[2] + 1)
            raise self._fail("“|”、“+”或“)”")
        return node

    def _or(self) -> Node:
        children = [self._and()]
        while (token := self._peek()) is not None and token[0] == "or":
            self.index += 1
            children.append(self._and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def _and(self) -> Node:
        children = [self._atom()]
        while (token := self._peek()) is not None and token[0] == "and":
            self.index += 1
            children.append(self._atom())
        return children[0] if len(children) == 1 else And(tuple(children))

    def _atom(self) -> Node:
        token = self._peek()
        if token is not None and token[0] == "word":
            self.index += 1
            return Word(_normalize_word(token[1]))
        if token is not None and token[0] == "open":
            self.index += 1
            if (inner := self._peek()) is not None and inner[0] == "close":
                raise SchemeSyntaxError(f"第 {token[2] + 1} 个字符处的括号内为空，应为关键词", token[2] + 1)
            node = self._or()
            closing = self._peek()
            if closing is None:
                raise SchemeSyntaxError(f"第 {token[2] + 1} 个字符处的“{token[1]}”缺少对应的“)”", token[2] + 1)
            if closing[0] != "close":
                raise self._fail("“|”、“+”或“)”")
            self.index += 1
            return node
        raise self._fail("关键词或“(”")


def _normalize_word(word: str) -> str:
    return normalize(word).lower()


def parse(expr: str | None) -> Node:
    """Parse one group expression such as `东园镇|沙坡头区|(中卫+东园)`; empty text gives `Everything`.

    `|`, `｜`, commas, `、` and whitespace mean OR, `+` means AND (binding tighter), parentheses group.
    Raises SchemeSyntaxError with a Chinese message naming the position and what was expected.
    """
    return _Parser(expr or "").parse()


@dataclass(frozen=True)
class SchemeHit:
    """A scheme that matched a text and the words that made it match."""

    name: str
    matched_terms: tuple[str, ...]


Predicate = Callable[[set[str]], bool]
_EXCLUDE_BIT = 8  # groups are bits: region 1, subject 2, event 4, exclusion 8


def _predicate(node: Node) -> Predicate:
    """A fast yes/no test for a node; the words of an OR are checked as one set."""
    if isinstance(node, Everything):
        return lambda found: True
    if isinstance(node, Word):
        word = node.text
        return lambda found: word in found
    if isinstance(node, Or):
        words = frozenset(child.text for child in node.children if isinstance(child, Word))
        others = [_predicate(child) for child in node.children if not isinstance(child, Word)]
        if not others:
            return lambda found: not words.isdisjoint(found)
        return lambda found: not words.isdisjoint(found) or any(test(found) for test in others)
    parts = [_predicate(child) for child in node.children]
    return lambda found: all(test(found) for test in parts)


@dataclass(frozen=True)
class _Compiled:
    name: str
    positive: tuple[Node, ...]
    exclude: Node | None
    required: int  # bits of the non-empty positive groups: each needs one of its words in the text
    tests: tuple[Predicate, ...]
    exclude_test: Predicate | None


def _compile(name: str, region: str, subject: str, event: str, exclude: str) -> _Compiled:
    positive = (parse(region), parse(subject), parse(event))
    excluded = parse(exclude)
    exclude_node = None if isinstance(excluded, Everything) else excluded
    required = sum(1 << group for group, node in enumerate(positive) if not isinstance(node, Everything))
    return _Compiled(
        name,
        positive,
        exclude_node,
        required,
        tuple(_predicate(node) for node in positive),
        None if exclude_node is None else _predicate(exclude_node),
    )


class SchemeMatcher:
    """All schemes behind one Aho-Corasick automaton.

    Each word records which schemes and groups it belongs to, so a scheme is only evaluated when every
    non-empty group of it has at least one word in the text.
    """

    def __init__(self, schemes: Sequence[_Compiled]) -> None:
        self._schemes = list(schemes)
        memberships: dict[str, dict[int, int]] = {}
        for index, scheme in enumerate(self._schemes):
            groups = [*scheme.positive, scheme.exclude]
            for group, node in enumerate(groups):
                bit = _EXCLUDE_BIT if group == 3 else 1 << group
                for word in node.words() if node is not None else ():
                    owners = memberships.setdefault(word, {})
                    owners[index] = owners.get(index, 0) | bit
        self._index = KeywordIndex((word, tuple(owners.items())) for word, owners in memberships.items())
        self._always = [index for index, scheme in enumerate(self._schemes) if scheme.required == 0]

    def __len__(self) -> int:
        return len(self._schemes)

    @property
    def words(self) -> int:
        """How many distinct keywords the automaton holds."""
        return len(self._index)

    def match(self, text: str) -> list[SchemeHit]:
        """The schemes the (normalised) text matches, in configuration order."""
        found_payloads = self._index.distinct_payloads(text)
        found = set(found_payloads)
        bits: dict[int, int] = dict.fromkeys(self._always, 0)
        for payloads in found_payloads.values():
            for owners in payloads:
                for index, bit in owners:
                    bits[index] = bits.get(index, 0) | bit
        hits = []
        for index in sorted(bits):
            scheme = self._schemes[index]
            seen = bits[index]
            if seen & scheme.required != scheme.required:
                continue
            if seen & _EXCLUDE_BIT and scheme.exclude_test is not None and scheme.exclude_test(found):
                continue
            if all(test(found) for test in scheme.tests):
                proof = [word for node in scheme.positive for word in node.support(found) or ()]
                hits.append(SchemeHit(scheme.name, tuple(dict.fromkeys(proof))))
        return hits


def compile_schemes(schemes: Iterable[tuple[str, str, str, str, str]]) -> SchemeMatcher:
    """Compile (name, region, subject, event, exclude) expressions; raises SchemeSyntaxError on a bad one."""
    return SchemeMatcher([_compile(*scheme) for scheme in schemes])
