"""Turn specs into concrete posts: fill slots, pick authors and counts, attach board replies."""

from __future__ import annotations

import functools
import random

from .model import Draft, Post, Spec
from .official import compose_reply, fmt
from .places import board_author, nick, slot_values

NEWS_AUTHORS = ("中卫日报记者 马丽", "本网记者 王磊", "沙坡头区融媒体中心", "中卫新闻网", "本网通讯员 杨帆")
_COUNTS = {1: ((300, 3000), (150, 900)), 2: ((80, 800), (40, 400)), 3: ((10, 150), (8, 120)), 4: ((0, 25), (0, 30))}


@functools.lru_cache(maxsize=1)
def _s2t():
    import opencc  # a declared dependency; converts to Taiwan-standard traditional characters

    return opencc.OpenCC("s2tw")


def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def _author(d: Draft, rng: random.Random) -> str:
    if d.author:
        return d.author
    if d.channel == "board":
        return board_author(rng)
    if d.channel == "news":
        return rng.choice(NEWS_AUTHORS)
    return nick(rng)


def _counts(d: Draft, level: int, rng: random.Random) -> tuple[int, int]:
    if d.channel == "board":
        return 0, 0
    (r_lo, r_hi), (c_lo, c_hi) = _COUNTS[level]
    reposts = d.reposts if d.reposts is not None else rng.randint(r_lo, r_hi)
    comments = d.comments if d.comments is not None else rng.randint(c_lo, c_hi)
    return reposts, comments


def make_post(
    s: Spec,
    d: Draft,
    slots: dict,
    rng: random.Random,
    post_id: str,
    matter: str,
    role: str | None = None,
    lag: float | None = None,
) -> Post:
    """One post from one draft of a spec, with slots already chosen."""
    level = d.level or s.level
    title, content = fmt(d.title, slots), fmt(d.content, slots)
    if d.traditional:
        title, content = to_traditional(title), to_traditional(content)
    reply = compose_reply(s.reply, slots, d.box, rng) if d.channel == "board" and s.reply else None
    reposts, comments = _counts(d, level, rng)
    return Post(
        id=post_id,
        matter=matter,
        channel=d.channel,
        title=title,
        content=content,
        author=fmt(_author(d, rng), slots),
        topic=d.topic or s.topic,
        urgency=level,
        relevant=s.relevant,
        role=role or d.role,
        lag=d.lag if lag is None else lag,
        box=d.box,
        reply=reply,
        reposts=reposts,
        comments=comments,
        traditional=d.traditional,
        emergency=s.emergency,
    )


def expand(s: Spec, rng: random.Random, copy: int = 0, village: str | None = None) -> list[Post]:
    """All posts of one instance of a spec (its original first); copies take list-valued slots in turn."""
    slots = slot_values(rng, village)
    for key, value in s.slots.items():
        slots[key] = value[copy % len(value)] if isinstance(value, (list, tuple)) else value
    matter = s.key if s.copies == 1 else f"{s.key}-{copy + 1}"
    posts = []
    for j, d in enumerate(s.drafts):
        lag = 0.0 if j == 0 else d.lag * rng.uniform(0.7, 1.3)
        posts.append(make_post(s, d, slots, rng, f"{matter}-{j + 1}", matter, lag=round(lag, 1)))
    return posts


FILLER_CHANNELS = {"bbs": 0.4, "api": 0.3, "board": 0.2, "news": 0.05, "weibo": 0.05}


def _slots(s: Spec, rng: random.Random) -> dict:
    slots = slot_values(rng)
    for key, value in s.slots.items():
        slots[key] = rng.choice(value) if isinstance(value, (list, tuple)) else value
    return slots


def filler_post(specs: list[Spec], rng: random.Random, n: int, channel: str | None = None) -> Post:
    """An endless supply of ordinary posts with fresh slots: a citizen's draft on the forum, app or board,
    a local-news 民生关注 item quoting one, or the official account publishing a board reply."""
    channel = channel or rng.choices(list(FILLER_CHANNELS), weights=list(FILLER_CHANNELS.values()))[0]
    if channel == "weibo":
        s = rng.choice([x for x in specs if x.reply])
        slots = _slots(s, rng)
        text = compose_reply(s.reply, slots, "镇长信箱", rng).text.split("\n")[0]
        d = Draft(
            "weibo",
            f"【回应关切】关于网民反映{fmt(s.reply.subject, slots)}问题的回复",
            text,
            role="official",
            author="东园镇发布",
            level=4,
        )
        return make_post(s, d, slots, rng, f"f{n}", f"filler-{n}", role="original", lag=0.0)
    pool = [
        (x, d)
        for x in specs
        for d in x.drafts
        if d.role != "followup"
        and d.channel == (channel if channel in ("bbs", "api", "board") else d.channel)
        and d.channel in ("bbs", "api", "board")
        and (d.channel != "board" or x.reply)
    ]
    s, d = rng.choice(pool)
    slots = _slots(s, rng)
    if channel == "news":
        quoted = fmt(d.content, slots)
        d = Draft(
            "news",
            "民生关注|" + d.title,
            f"近日,有网友反映:“{quoted}”\n记者已将网友反映的情况转交东园镇相关部门,本网将持续关注处理进展。",
            role="original",
            author="本网民生热线",
        )
    return make_post(s, d, slots, rng, f"f{n}", f"filler-{n}", role="original", lag=0.0)
