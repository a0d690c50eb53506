"""主要观点 of a topic report: posts and comments grouped by what they say (pipeline.viewpoints), with counts and
masked quotes, each quote with the words that put it in its group."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.viewpoints import NAMES, ORDER, viewpoint_of
from yuqing.privacy import masked
from yuqing.reports.tables import Column, Section, Table
from yuqing.reports.topic_data import Post, Said
from yuqing.timeutil import format_local

EXAMPLES = 3  # quotes per group
QUOTE_CHARS = 60


@dataclass(frozen=True)
class Voice:
    """One post or comment with its viewpoint."""

    kind: str  # 帖文 | 评论
    text: str  # masked
    where: str
    at: datetime
    order: int
    group: str
    cues: int
    reason: str


def _quote(text: str) -> str:
    flat = " ".join(masked(text).split())
    return flat if len(flat) <= QUOTE_CHARS else flat[:QUOTE_CHARS] + "…"


def voices(posts: list[Post], comments: list[Said]) -> list[Voice]:
    """Every post and comment with the group it belongs to and why."""
    sources = {p.id: p.source for p in posts}
    found = []
    for post in posts:
        view = viewpoint_of(f"{post.title} {post.content}", official=post.official or post.source_type == "official")
        text = post.content if len(post.content) >= len(post.title) else post.title
        found.append(Voice("帖文", _quote(text), post.source, post.at, post.id, view.code, len(view.cues), view.reason))
    for said in comments:
        view = viewpoint_of(said.content)
        where = f"{sources.get(said.mention_id, '')}评论"
        found.append(
            Voice("评论", _quote(said.content), where, said.at, said.id, view.code, len(view.cues), view.reason)
        )
    return found


def examples(group: list[Voice]) -> list[Voice]:
    """The quotes shown for a group: the clearest (most cue words) first, then the earliest; no text twice."""
    chosen: list[Voice] = []
    for voice in sorted(group, key=lambda v: (-v.cues, v.at, v.kind, v.order)):
        if voice.text and all(voice.text != c.text for c in chosen):
            chosen.append(voice)
        if len(chosen) == EXAMPLES:
            break
    return chosen


def views_section(posts: list[Post], comments: list[Said], zone: ZoneInfo, heading: str) -> Section:
    """Counts per group (table) and, per group, its share and quoted examples."""
    everyone = voices(posts, comments)
    if not everyone:
        return Section(heading, ["截至统计时点无相关帖文和评论。"])
    groups: dict[str, list[Voice]] = defaultdict(list)
    for voice in everyone:
        groups[voice.group].append(voice)
    ranked = sorted(groups, key=lambda code: (-len(groups[code]), ORDER.index(code)))
    total = len(everyone)
    rows = [
        [
            NAMES[code],
            sum(v.kind == "帖文" for v in groups[code]),
            sum(v.kind == "评论" for v in groups[code]),
            len(groups[code]),
            len(groups[code]) / total,
        ]
        for code in ranked
    ]
    table = Table(
        "主要观点",
        "表3 主要观点分布",
        [
            Column("观点"),
            Column("帖文(条)", "int"),
            Column("评论(条)", "int"),
            Column("合计", "int"),
            Column("占比", "percent"),
        ],
        rows,
        note="按帖文和评论的用语归类,每条只归入一类;政务账号发布的归入“官方发布与回应”。",
    )
    paragraphs = [
        f"对截至统计时点的帖文{len(posts)}条、评论{len(comments)}条按所表达的观点归类,"
        + ",".join(f"{row[0]}{row[3]}条(占{row[4]:.0%})" for row in rows)
        + "。各类代表性言论如下(个人信息已脱敏):"
    ]
    for number, code in enumerate(ranked, start=1):
        quotes = ";".join(
            f"“{v.text}”({v.where},{format_local(v.at, '%m-%d %H:%M', zone)};{v.reason})"
            for v in examples(groups[code])
        )
        paragraphs.append(f"{number}. {NAMES[code]}({len(groups[code])}条):{quotes}。")
    return Section(heading, paragraphs, [table])
