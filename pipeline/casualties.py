"""Casualty counts read from text: "3人死亡", "致两人受伤", "十余人被困", "死亡人数升至5人", "2死3伤"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.keywords import KeywordIndex

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10000}
# Vague amounts, read as their lower bound.
_VAGUE = {
    "数十": 20,
    "几十": 20,
    "十几": 10,
    "十多": 10,
    "十余": 10,
    "数百": 200,
    "几百": 200,
    "上百": 100,
    "近百": 90,
    "百余": 100,
    "数名": 2,
    "几名": 2,
    "多名": 2,
    "数人": 2,
    "几人": 2,
    "多人": 2,
    "若干": 2,
}

KINDS = {"dead": "死亡", "injured": "受伤", "trapped": "被困", "missing": "失联", "poisoned": "中毒"}
_KIND_WORDS = {
    "dead": "死亡|遇难|身亡|丧生|罹难|殒命|遇害|溺亡|亡故|不幸去世|抢救无效|烧死|砸死|撞死|淹死|炸死|压死|电死|毒死|打死",
    "injured": "受伤|伤亡|重伤|轻伤|烧伤|烫伤|砸伤|撞伤|摔伤|伤|送医|住院",
    "trapped": "被困|被埋|受困",
    "missing": "失联|失踪|下落不明",
    "poisoned": "中毒|食物中毒|出现不适|不适",
}
_NUMBER = r"(?:\d+|[零〇一壹二两俩贰三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万]+)(?:余|多)?"
_VAGUE_RE = "|".join(sorted(_VAGUE, key=len, reverse=True))
_COUNT = rf"(?P<count>{_VAGUE_RE}|{_NUMBER})"
_WHO = r"(?:名|个|位|人|例)?(?:人员|群众|村民|工人|学生|儿童|游客|乘客|矿工|师生|居民|小孩|老人|妇女|男子|女子|司机|村民|员工|人)?"
# A count before its kind word needs a person word or a measure word: "3人死亡", not "经120抢救无效死亡".
_PERSON = r"(?:名|个|位|人|例|余名|多名|余人|多人)"
_FILLER = r"(?:不幸|当场|已|先后|经抢救无效|送医后|相继|被)?(?:就)?"
_KIND_ALTERNATION = "|".join(f"(?P<{kind}>{words})" for kind, words in _KIND_WORDS.items())
# "3人死亡", "致两名工人受伤", "十余人被困", "三个人当场就没了" (a colloquial death needs a count of people)
_COUNT_THEN_KIND = re.compile(
    rf"{_COUNT}(?={_PERSON}){_WHO}{_FILLER}(?:{_KIND_ALTERNATION}|(?<=人)(?:当场)?(?:就)?(?P<colloquial_dead>没了|不在了))"
)
# "死亡3人", "遇难人数升至5人", "受伤的有12人"
_KIND_THEN_COUNT = re.compile(
    rf"(?:{_KIND_ALTERNATION})(?:了)?(?:人数|者)?(?:已|的有|的)?(?:上升|增加|增至|升至|达到|达|为|共|超过|近)?(?:至|到)?"
    rf"{_COUNT}(?:名|个|位|人|例)(?!小时|多小时|月|多月|星期|礼拜|钟头|工作日|半小时)"
)
# "2死3伤", "3死1伤" (both halves required: "九死一生" is not a casualty report)
_SHORT = re.compile(rf"(?P<dead_count>{_NUMBER})死(?P<injured_count>{_NUMBER})伤")
# Every pattern needs a kind word, or 死…伤; the patterns only run in windows around those.
_ANCHORS = KeywordIndex([(word, None) for words in _KIND_WORDS.values() for word in words.split("|")] + [("死", None)])
_WINDOW = 24  # characters either side of an anchor: counts stand right next to their kind word
_NEGATED = re.compile(r"(?:无|没有|未|未造成|暂无|并无|不存在)(?:人员)?(?:伤亡|死亡|受伤)")


def chinese_number(text: str) -> int | None:
    """An integer from Arabic or Chinese numerals ("12", "十二", "两百零五", "十余"); None if unreadable."""
    text = text.strip().rstrip("余多")
    if not text:
        return None
    if text in _VAGUE:
        return _VAGUE[text]
    if text.isdigit():
        return int(text)
    total, section, digit = 0, 0, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            return None
    return total + section + (digit or 0)


@dataclass(frozen=True)
class Casualties:
    """The largest count of each kind found in a text, and the phrases it came from."""

    dead: int = 0
    injured: int = 0
    trapped: int = 0
    missing: int = 0
    poisoned: int = 0
    phrases: tuple[str, ...] = field(default=())

    def any(self) -> bool:
        """True when any count is above zero."""
        return any((self.dead, self.injured, self.trapped, self.missing, self.poisoned))

    def describe(self) -> str:
        """A Chinese summary such as “死亡3人、受伤12人”."""
        parts = [f"{KINDS[kind]}{getattr(self, kind)}人" for kind in KINDS if getattr(self, kind)]
        return "、".join(parts)


def _kind_of(match: re.Match) -> str | None:
    if "colloquial_dead" in match.re.groupindex and match.group("colloquial_dead"):
        return "dead"
    return next((kind for kind in _KIND_WORDS if match.group(kind)), None)


def _windows(text: str) -> list[tuple[int, str]]:
    spans: list[list[int]] = []
    for start, end, _, _ in _ANCHORS.longest_matches(text):
        low, high = max(0, start - _WINDOW), end + _WINDOW
        if spans and low <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], high)
        else:
            spans.append([low, high])
    return [(low, text[low:high]) for low, high in spans]


def parse_casualties(text: str) -> Casualties:
    """Casualty counts in the text, wherever they stand (see read_casualties)."""
    return read_casualties(text)[0]


def read_casualties(text: str, accept: Callable[[int, int], bool] | None = None) -> tuple[Casualties, list[str]]:
    """Casualty counts in the text, and the phrases left out because `accept(start, end)` refused their place in
    the text (not an incident report); negated mentions ("无人员伤亡") and unreadable numbers are ignored."""
    counts = dict.fromkeys(KINDS, 0)
    phrases: list[str] = []
    refused: list[str] = []

    def record(kind: str | None, raw: str | None, match: re.Match, offset: int) -> None:
        number = chinese_number(raw) if raw else None
        if kind is None or number is None or number <= 0 or number > 100000:
            return
        if accept is not None and not accept(offset + match.start(), offset + match.end()):
            refused.append(match.group())
            return
        if number > counts[kind]:
            counts[kind] = number
        phrases.append(match.group())

    for offset, window in _windows(text) if text else ():
        # A count read before its kind word ("3人死亡5人受伤": 3 dead, 5 injured) is not read again after the
        # previous kind word ("死亡5人" would make it 5 dead).
        claimed: list[tuple[int, int]] = []
        for pattern in (_COUNT_THEN_KIND, _KIND_THEN_COUNT):
            for match in pattern.finditer(window):
                start, end = match.span("count")
                if pattern is _KIND_THEN_COUNT and any(start < high and low < end for low, high in claimed):
                    continue
                if pattern is _COUNT_THEN_KIND:
                    claimed.append((start, end))
                if not _NEGATED.search(window, max(0, match.start() - 4), match.end() + 1):
                    record(_kind_of(match), match.group("count"), match, offset)
        for match in _SHORT.finditer(window):
            record("dead", match.group("dead_count"), match, offset)
            record("injured", match.group("injured_count"), match, offset)
    refused = list(dict.fromkeys(refused))
    if not phrases:
        return Casualties(), refused
    return Casualties(**counts, phrases=tuple(dict.fromkeys(phrases))), refused
