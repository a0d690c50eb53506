"""Data types of the demo corpus: authored posts with their expected labels, and how specs declare them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

TOPICS = (
    "medical",
    "education",
    "housing",
    "work_safety",
    "food_drug",
    "disaster",
    "environment",
    "elderly",
    "social_security",
    "employment",
    "land",
    "urban",
    "transport",
    "commerce",
    "public_security",
    "governance",
    "other",
)
LEVELS = (1, 2, 3, 4)
CHANNELS = ("news", "weibo", "bbs", "board", "api")
# the source_type each channel is configured with (see sites.demo_sources)
SOURCE_TYPES = {"news": "news", "weibo": "official", "bbs": "forum", "board": "board", "api": "forum"}
BOXES = ("书记信箱", "镇长信箱")
ROLES = ("original", "repost", "followup", "official", "noise")

CST = timezone(timedelta(hours=8), "CST")  # Asia/Shanghai has had no DST since 1991

# How the expected urgency labels were chosen (documented for the pipeline engineer):
#   1 特别重大: deaths (≥3) or people trapped/missing in a disaster, major explosion, evacuation.
#   2 重大: 1–2 deaths, dozens hospitalised (children), a mass gathering blocking a road.
#   3 较大: many people affected or a serious risk, strong negativity, media attention; no casualties
#           beyond a single injury.
#   4 一般: an ordinary individual complaint, request, consultation or neutral/positive news.
LEVEL_RULES = {
    1: "有人死亡(≥3人)或群众被困/失联、重大爆炸、紧急疏散",
    2: "1–2人死亡、数十人住院(尤其学生)、群体性聚集堵路",
    3: "涉及人数较多或存在严重隐患、负面情绪强烈、媒体关注,至多1人受伤",
    4: "一般个人诉求、咨询、建议或中性/正面信息",
}

_PLACEHOLDER = re.compile(r"\{(ev_md|ev_h|ev_ymd|md|ymd|hm|h)\}")


@dataclass(frozen=True)
class Reply:
    """An official reply to a message-board post; ``text`` may hold date placeholders."""

    office: str
    text: str


@dataclass(frozen=True)
class Post:
    """One authored post. ``topic``/``urgency``/``relevant`` are expected labels, never served."""

    id: str
    matter: str
    channel: str
    title: str
    content: str
    author: str
    topic: str
    urgency: int
    relevant: bool = True
    role: str = "original"
    lag: float = 0.0  # seconds after the matter's first post, in live time at speed 1
    box: str | None = None  # message-board mailbox
    reply: Reply | None = None
    reposts: int = 0
    comments: int = 0
    traditional: bool = False
    emergency: bool = False

    def with_(self, **changes) -> Post:
        return replace(self, **changes)


def fill_times(text: str, pub: datetime, event: datetime | None = None) -> str:
    """Replace date placeholders ({md}, {ymd}, {h}, {hm}, {ev_md}, {ev_h}, {ev_ymd}) with Beijing times."""
    pub = pub.astimezone(CST)
    ev = (event or pub).astimezone(CST)
    values = {
        "md": f"{pub.month}月{pub.day}日",
        "ymd": f"{pub.year}年{pub.month}月{pub.day}日",
        "h": str(pub.hour),
        "hm": f"{pub.hour}时{pub.minute:02d}分",
        "ev_md": f"{ev.month}月{ev.day}日",
        "ev_ymd": f"{ev.year}年{ev.month}月{ev.day}日",
        "ev_h": str(ev.hour),
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


# ---- how specs declare drafts (channel, title, content, options) -----------------------------------


@dataclass(frozen=True)
class Draft:
    """A post as written in a spec, before slot filling; title/content are format strings."""

    channel: str
    title: str
    content: str
    role: str = "repost"
    lag: float = 10.0
    box: str | None = None
    level: int | None = None  # overrides the spec's level (e.g. a calmer follow-up)
    topic: str | None = None
    author: str | None = None
    traditional: bool = False
    reposts: int | None = None
    comments: int | None = None


@dataclass(frozen=True)
class ReplyDraft:
    """What an office answers to a board message: who, what was found, what was done."""

    office: str
    subject: str
    finding: str
    action: str


@dataclass(frozen=True)
class Spec:
    """An ordinary matter: drafts (the first is the original), an optional board reply, slot values."""

    key: str
    topic: str
    level: int
    drafts: tuple[Draft, ...]
    reply: ReplyDraft | None = None
    slots: dict = field(default_factory=dict)
    copies: int = 1  # how many instances (different villages/people) go into the authored corpus
    emergency: bool = False
    relevant: bool = True  # False: noise (another town, unrelated matter)


def draft(channel: str, title: str, content: str, **kw) -> Draft:
    return Draft(channel, title, content, **kw)


def board(box: str, title: str, content: str, **kw) -> Draft:
    kw.setdefault("role", "original")
    kw.setdefault("lag", 0.0)
    return Draft("board", title, content, box=box, **kw)


def bbs(title: str, content: str, **kw) -> Draft:
    return Draft("bbs", title, content, **kw)


def api(title: str, content: str, **kw) -> Draft:
    return Draft("api", title, content, **kw)


def news(title: str, content: str, **kw) -> Draft:
    return Draft("news", title, content, **kw)


def weibo(title: str, content: str, **kw) -> Draft:
    kw.setdefault("role", "official")
    kw.setdefault("author", "东园镇发布")
    return Draft("weibo", title, content, **kw)


def spec(
    key: str,
    topic: str,
    level: int,
    *drafts: Draft,
    reply: ReplyDraft | None = None,
    slots: dict | None = None,
    copies: int = 1,
    emergency: bool = False,
    relevant: bool = True,
) -> Spec:
    assert topic in TOPICS and level in LEVELS and drafts, key
    first = drafts[0]
    if first.role != "original":
        drafts = (replace(first, role="original", lag=0.0),) + drafts[1:]
    return Spec(key, topic, level, tuple(drafts), reply, dict(slots or {}), copies, emergency, relevant)
