"""What people say about a matter, in groups (主要观点): each post or comment goes to one viewpoint by the cue words
it uses, and the words are kept as the reason (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.comments import HOSTILE_WORDS
from pipeline.normalize import normalize

# code → (Chinese name, cue words). Order is the tie-break: a complaint that also asks for something is a complaint.
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "anger": (
        "不满与质疑",
        (
            *HOSTILE_WORDS,
            "不满",
            "凭什么",
            "为什么",
            "为何",
            "质疑",
            "投诉",
            "举报",
            "敷衍",
            "推诿",
            "踢皮球",
            "没人管",
            "无人管",
            "不管不问",
            "不闻不问",
            "失望",
            "太差",
            "太过分",
            "过分",
            "一拖再拖",
            "至今未",
            "至今没有",
            "还没解决",
        ),
    ),
    "demand": (
        "诉求与建议",
        (
            "希望",
            "建议",
            "要求",
            "请求",
            "恳请",
            "呼吁",
            "尽快",
            "赶紧",
            "早日",
            "请有关部门",
            "请相关部门",
            "请政府",
            "能否",
            "能不能",
            "盼",
            "恳求",
            "请领导",
            "给个说法",
            "给个答复",
            "落实",
        ),
    ),
    "worry": (
        "担忧与求证",
        (
            "担心",
            "担忧",
            "害怕",
            "不安",
            "隐患",
            "万一",
            "会不会",
            "是不是",
            "是否",
            "真的吗",
            "求证",
            "请问",
            "有人知道",
            "听说",
            "据说",
            "谣言",
            "到底",
            "怎么回事",
        ),
    ),
    "support": (
        "肯定与感谢",
        ("感谢", "谢谢", "点赞", "辛苦", "满意", "支持", "及时", "已解决", "解决了", "好评", "暖心", "为民"),
    ),
}
OFFICIAL = ("official", "官方发布与回应")
PLAIN = ("report", "事实陈述与转发")
NAMES: dict[str, str] = {code: name for code, (name, _) in GROUPS.items()} | dict([OFFICIAL, PLAIN])
ORDER = (OFFICIAL[0], *GROUPS, PLAIN[0])  # how the groups are listed when their counts tie
MAX_CUES = 4


@dataclass(frozen=True)
class Viewpoint:
    """The group a text belongs to, its Chinese name, and why (the cue words found, or the kind of source)."""

    code: str
    name: str
    cues: tuple[str, ...]
    reason: str


def viewpoint_of(text: str, official: bool = False) -> Viewpoint:
    """The viewpoint of one post or comment; a government account's post is the official side whatever it says."""
    if official:
        return Viewpoint(OFFICIAL[0], OFFICIAL[1], (), "依据:发布者为政务账号或政府网站")
    normalised = normalize(text or "")
    best: tuple[int, str, tuple[str, ...]] | None = None
    for code, (_name, words) in GROUPS.items():
        found = tuple(dict.fromkeys(word for word in words if word in normalised))
        if found and (best is None or len(found) > best[0]):
            best = (len(found), code, found)
    if best is None:
        return Viewpoint(PLAIN[0], PLAIN[1], (), "依据:未含表达诉求、不满、担忧或肯定的用语")
    cues = best[2][:MAX_CUES]
    return Viewpoint(best[1], NAMES[best[1]], cues, "依据:" + "、".join(f"“{cue}”" for cue in cues))
