"""The topic report (专题报告) of one event laid out as a report: 事件概述, 溯源, 传播脉络, 主要观点, 处置过程,
回应效果, 研判建议, from the event as it stood at the cut-off (yuqing.reports.topic_data)."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from pipeline.urgency import SOURCE_NAMES
from yuqing.db.models import EVENT_STATUSES
from yuqing.privacy import masked
from yuqing.reports.tables import Column, ReportContent, Section, Table
from yuqing.reports.topic_advice import advice_section, effect_section, response_effect
from yuqing.reports.topic_data import Post, TopicData
from yuqing.reports.topic_handling import handling_section
from yuqing.reports.topic_timeline import timeline_section
from yuqing.reports.topic_views import views_section, voices
from yuqing.settings_model import LEVEL_COLOURS, LEVEL_NAMES, Settings
from yuqing.timeutil import format_duration, format_local

KEY_TERMS = 8
METHOD = (
    "说明:本报告仅依据系统在统计截止时点之前保存的数据生成,截止时点之后采集的信息、评论和对事件的处置、"
    "修改均不计入,同一截止时点重新生成的报告内容相同。事件的等级、领域、责任单位、状态和所含信息按截止时点的"
    "审计日志还原;信息时间取发布时间(无发布时间的取首次采集时间),以北京时间显示。个人信息已作脱敏处理。"
)


def _type_counts(posts: list[Post]) -> str:
    counts = Counter(p.source_type for p in posts)
    ordered = [t for t in SOURCE_NAMES if counts[t]] + sorted(set(counts) - set(SOURCE_NAMES))
    return "、".join(f"{SOURCE_NAMES.get(t, t)}{counts[t]}条" for t in ordered)


def _key_terms(posts: list[Post]) -> list[str]:
    counts = Counter(term for post in posts for term in dict.fromkeys(post.terms))
    return [term for term, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:KEY_TERMS]]


def _overview(data: TopicData, settings: Settings, names: dict[str, str], zone: ZoneInfo) -> Section:
    event, posts = data.event, data.posts
    level = f"{LEVEL_NAMES.get(event.urgency, '')}({LEVEL_COLOURS.get(event.urgency, '')})"
    paragraphs = [
        f"事件编号#{event.id},系统于{format_local(event.detected_at, zone=zone)}发现"
        + (f",涉及{data.village}" if data.village else "")
        + "。"
        + (f"事件概要:{masked(data.summary)}" if data.summary else ""),
        f"截至{format_local(data.cutoff, zone=zone)},该事件预警等级为{event.urgency}级{level},"
        f"领域为{settings.topic_names().get(event.topic, event.topic)},"
        f"责任单位为{names.get(event.office_code or '', '未分派')},"
        f"处置状态为“{EVENT_STATUSES.get(event.status, event.status)}”。",
    ]
    if posts:
        sources = len({p.source for p in posts})
        span = format_duration(posts[-1].at - posts[0].at)
        paragraphs.append(
            f"共监测到相关信息{len(posts)}条({_type_counts(posts)}),来自{sources}个来源,评论{len(data.comments)}条;"
            f"首条信息发布于{format_local(posts[0].at, zone=zone)},至最后一条历时{span}。"
        )
    else:
        paragraphs.append("截至统计时点无相关信息。")
    if data.reasons:
        paragraphs.append("定级依据:" + ";".join(masked(r) for r in data.reasons) + "。")
    terms = _key_terms(posts)
    if terms:
        paragraphs.append("关键词:" + "、".join(terms) + "。")
    return Section("一、事件概述", paragraphs)


def _origin(data: TopicData, zone: ZoneInfo) -> Section:
    posts = data.posts
    if not posts:
        return Section("二、溯源", ["截至统计时点无相关信息,无法溯源。"])
    first = posts[0]
    seen = format_duration(data.event.detected_at - first.at) if data.event.detected_at >= first.at else "0分"
    paragraphs = [
        f"最早的相关信息于{format_local(first.at, zone=zone)}发布在“{first.source}”"
        f"({SOURCE_NAMES.get(first.source_type, first.source_type)}),"
        f"标题为“{masked(first.title) or '(无标题)'}”,网址:{masked(first.url)}。系统在其发布后{seen}发现该事件。"
    ]
    spread: dict[str, list[Post]] = {}
    for post in posts:
        spread.setdefault(post.source, []).append(post)
    if len(spread) > 1:
        order = "→".join(spread)
        paragraphs.append(f"此后依次在以下来源出现:{order}。各来源的首条信息和信息量见下表。")
    table = Table(
        "溯源",
        "表1 传播路径(按首次出现先后)",
        [
            Column("来源"),
            Column("类型"),
            Column("首次出现", "datetime"),
            Column("首条标题"),
            Column("信息数(条)", "int"),
            Column("转发(次)", "int"),
        ],
        [
            [
                source,
                SOURCE_NAMES.get(items[0].source_type, items[0].source_type),
                items[0].at,
                masked(items[0].title)[:40],
                len(items),
                sum(p.reposts for p in items),
            ]
            for source, items in spread.items()
        ],
    )
    return Section("二、溯源", paragraphs, [table])


def topic_content(data: TopicData, settings: Settings, names: dict[str, str]) -> ReportContent:
    """The whole topic report (no files, no writes)."""
    zone = ZoneInfo(settings.general.timezone)
    heard = voices(data.posts, data.comments)
    effect = response_effect(data)
    sections = [
        _overview(data, settings, names, zone),
        _origin(data, zone),
        timeline_section(data.posts, zone, "三、传播脉络"),
        views_section(data.posts, data.comments, zone, "四、主要观点"),
        handling_section(data, settings, names, zone, "五、处置过程"),
        effect_section(data, effect, zone, "六、回应效果"),
        advice_section(data, effect, heard, "七、研判建议"),
    ]
    title = f"关于“{masked(data.title)}”的专题报告"
    key = f"event{data.event.id}-{format_local(data.cutoff, '%Y%m%d%H%M', zone)}"
    summary = {
        "title": title,
        "event": data.event.id,
        "cutoff": data.cutoff.isoformat(),
        "posts": len(data.posts),
        "comments": len(data.comments),
        "sources": len({p.source for p in data.posts}),
        "first_post": data.posts[0].id if data.posts else None,
        "status": data.event.status,
        "urgency": data.event.urgency,
    }
    period = f"统计截至:{format_local(data.cutoff, zone=zone)}(北京时间)"
    return ReportContent("topic", key, title, period, sections, summary, METHOD, zone)
