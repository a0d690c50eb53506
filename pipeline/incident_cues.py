"""Three readings of an incident word that the sentence judge (pipeline.incident_context) leaves as incidents.

- A death from illness ("因冠心病、急性心肌梗死死亡", "病逝") is one person's death, not an emergency to handle.
- A crowd of onlookers ("聚集数十名围观群众") watches an incident; it is not a gathering that blocks a road.
- A sum over several incidents ("近期以来连续发生的5起较大事故,共造成25人死亡") is a statistic, not one incident.

Each returns a `Judgement` of `MENTION` (named, not an incident to handle here and now: level 3 at most) with its
reason in Chinese, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.hazards import hazard_lexicon
from pipeline.incident_context import MENTION, Judgement

CUE_NAMES = {"natural_death": "因病死亡", "onlookers": "围观人群", "tally": "多起事件合计"}
# Cues that name no incident happening now: no hazard kind is read from them.
NOT_NOW_CUES = frozenset({"tally"})

_SENTENCE_END = re.compile(r"[。！？!?；;\n]|……")
_CLAUSE_END = re.compile(r"[。！？!?；;\n，,：:]|……")
# A death by illness or old age: an illness named as the cause ("因冠心病……死亡", "死于脑溢血", "突发疾病身亡"),
# or the words for such a death. A disease merely named ("一名患有高血压的老人在火灾中死亡") is no cause.
_DISEASE = (
    r"(?:疾病|心脏病|冠心病|心肌梗|心梗|心脏骤停|心衰|脑梗|脑溢血|脑出血|中风|癌|肿瘤|白血病|尿毒症|肺炎|器官衰竭|"
    r"重病|急病|旧病|慢性病|基础病)"
)
_ILLNESS = re.compile(
    rf"因(?:患)?[^，。；,;]{{0,8}}{_DISEASE}|死于[^，。；,;]{{0,8}}{_DISEASE}|{_DISEASE}[^，。；,;]{{0,4}}(?:去世|死亡|身亡|离世)|"
    r"因病|病逝|病故|病亡|突发疾病|突发病|自然死亡|正常死亡|寿终|无疾而终|享年"
)
_ONLOOKERS = re.compile(r"围观|看热闹|驻足观看|吃瓜")
# Several incidents (two or more, 多起, 连续) counted over a period, or before the sentence's own news.
_SEVERAL = re.compile(r"(?:[2-9]|\d{2,}|[两三四五六七八九十几数多])起|连续发生|接连发生|相继发生")
_ONE_MORE = re.compile(r"(?:发生|出现|又|再|另)了?一起")
_PERIOD = re.compile(
    r"以来|今年|年内|年初|上半年|下半年|近期|近年|\d+天内|\d+个?月内|[一二三四五六七八九十两几数]+(?:天|个月)内|期间|"
    r"在[^，。；]{0,40}(?:之)?后[,，]"
)


@dataclass(frozen=True)
class CueJudgement(Judgement):
    """A Judgement whose reason comes from CUE_NAMES."""

    @property
    def label(self) -> str:
        """The reason in Chinese."""
        return CUE_NAMES.get(self.why or "", "")


def _bounds(text: str, start: int, end: int, pattern: re.Pattern) -> tuple[int, int]:
    left = 0
    for match in pattern.finditer(text, max(0, start - 200), start):
        left = match.end()
    right_match = pattern.search(text, end)
    return left, right_match.end() if right_match else len(text)


def natural_death(text: str, start: int, end: int) -> Judgement | None:
    """MENTION when the clause of a death word or casualty figure text[start:end] names an illness as the cause
    and no hazard (a fire, a crash …)."""
    left, right = _bounds(text, start, end, _CLAUSE_END)
    if not _ILLNESS.search(text, left, right) or hazard_lexicon().index.longest_matches(text[left:right]):
        return None  # no illness named as the cause, or an accident or disaster in the same clause
    return CueJudgement(MENTION, "natural_death")


def onlookers(text: str, start: int, end: int) -> Judgement | None:
    """MENTION when the clause of a crowd or gathering word text[start:end] says the people are watching."""
    left, right = _bounds(text, start, end, _CLAUSE_END)
    return CueJudgement(MENTION, "onlookers") if _ONLOOKERS.search(text, left, right) else None


def tally(text: str, start: int, end: int) -> Judgement | None:
    """MENTION when the sentence of text[start:end] counts several incidents over a period up to the word, and
    no single incident is reported between the count and the word ("四天内接连发生三起……昨日又发生了一起")."""
    left, right = _bounds(text, start, end, _SENTENCE_END)
    counts = list(_SEVERAL.finditer(text, left, end))
    if not counts or not _PERIOD.search(text, left, right):
        return None
    return None if _ONE_MORE.search(text, counts[-1].end(), start) else CueJudgement(MENTION, "tally")
