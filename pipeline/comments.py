"""Comments under a post: how hostile each is, and whether a post's comments have turned hostile (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.negativity import default_scorer
from pipeline.normalize import normalize

# Hostility toward officials or the government, abuse, and calls to gather: short comments rarely use the
# vocabulary the negativity lexicon weighs, so these words decide on their own.
HOSTILE_WORDS = (
    "狗官", "贪官", "昏官", "官官相护", "不作为", "乱作为", "糊弄", "忽悠", "欺负老百姓", "草菅人命", "黑心", "无耻",
    "垃圾", "滚下台", "下台", "去死", "骗子", "畜生", "丧尽天良", "太黑了", "黑幕", "包庇", "捂盖子", "删帖",
    "必须严查", "严惩", "讨说法", "讨个说法", "要个说法", "曝光他们", "人肉", "维权", "上访", "去镇政府",
    "一起去", "集体去", "拉横幅", "堵路", "围堵", "聚集", "闹大", "寒心", "心寒", "愤怒", "气愤", "无语了",
)  # fmt: skip
MOBILISING_WORDS = ("一起去", "集体去", "拉横幅", "堵路", "围堵", "聚集", "闹大", "去镇政府", "上访")
HOSTILE_SCORE = 0.5
MOBILISING_LEVEL2 = 10


@dataclass(frozen=True)
class CommentTone:
    """A comment's negativity (0..1), whether it counts as hostile, and the words behind it."""

    negativity: float
    hostile: bool
    terms: tuple[str, ...]
    mobilising: bool


def comment_tone(text: str) -> CommentTone:
    """The tone of one comment."""
    normalised = normalize(text)
    scored = default_scorer().score(normalised)
    words = tuple(w for w in HOSTILE_WORDS if w in normalised)
    value = min(1.0, scored.score + 0.35 * len(words))
    mobilising = any(w in normalised for w in MOBILISING_WORDS)
    terms = tuple(dict.fromkeys(words + scored.negative_terms))[:6]
    return CommentTone(round(value, 3), value >= HOSTILE_SCORE or bool(words), terms, mobilising)


@dataclass(frozen=True)
class CommentVerdict:
    """Whether an event's comments raise its level: to `level` (3 or 2), with a Chinese reason; level 0: no."""

    level: int
    reason: str


def judge_comments(total: int, hostile: int, mobilising: int, examples: list[str]) -> CommentVerdict:
    """Comments that turned hostile: at least 5 comments and half of them hostile → level 3 (较大), the calls to
    gather (堵路, 拉横幅, 一起去…) named; 10 or more such calls → level 2 (重大: a crowd may form)."""
    if total < 5 or hostile * 2 < total:
        return CommentVerdict(0, "")
    said = "、".join(f"“{e}”" for e in list(dict.fromkeys(examples))[:3])
    base = f"评论区情绪转向激烈:{total} 条评论中 {hostile} 条带有敌对或激烈情绪" + (f"(如 {said})" if said else "")
    if mobilising >= MOBILISING_LEVEL2:
        return CommentVerdict(2, base + f",其中 {mobilising} 条号召聚集或线下行动,可能引发群体性事件")
    if mobilising:
        return CommentVerdict(3, base + f",其中 {mobilising} 条号召聚集或线下行动")
    return CommentVerdict(3, base)
