"""回应效果 and 研判建议 of a topic report: heat and negative share before and after the first confirmed response
(the figures of yuqing.workflow.effect, from the posts as of the cut-off), and suggestions, each with its grounds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.viewpoints import NAMES
from yuqing.db.models import STAGE_NAMES
from yuqing.reports.tables import Column, Section, Table
from yuqing.reports.topic_data import Post, TopicData
from yuqing.reports.topic_views import Voice
from yuqing.timeutil import as_utc, format_duration, format_local
from yuqing.workflow.effect import NEGATIVE, WINDOW, rates, verdict

RECENT = timedelta(hours=6)  # spread still rising: the last 6 hours against the 6 before
MIN_RISING = 3
HIGH_NEGATIVE = 0.5
HOSTILE_COMMENTS = 5
DISMISSED = {"false_alarm": "误报", "no_action": "无需处置", "merged": "已合并到其他事件"}


@dataclass
class Effect:
    """Before/after figures around the first confirmed response, as far as the cut-off allows."""

    response_at: datetime
    before: dict[str, Any]
    after: dict[str, Any] | None  # None: the response was published after the cut-off
    complete: bool  # the whole after-window lies before the cut-off
    verdict: str


def _window(posts: list[Post], start: datetime, end: datetime) -> dict[str, Any]:
    inside = [p for p in posts if start <= p.at < end]
    return rates(start, end, len(inside), sum(p.negativity >= NEGATIVE for p in inside))


def response_effect(data: TopicData, window: timedelta = WINDOW) -> Effect | None:
    """The effect of the first response confirmed by the cut-off, or None without one."""
    confirmed = [r.published_at for r in data.responses if r.status == "confirmed"]
    if not confirmed:
        return None
    response_at = min(confirmed)
    first = data.posts[0].at if data.posts else as_utc(data.event.detected_at)
    before = _window(data.posts, max(response_at - window, min(first, response_at)), response_at)
    end = min(response_at + window, data.cutoff)
    if end <= response_at:
        return Effect(response_at, before, None, False, "回应发布于统计时点之后,尚无法评估")
    after = _window(data.posts, response_at, end)
    return Effect(response_at, before, after, end == response_at + window, verdict(before, after))


def effect_section(data: TopicData, effect: Effect | None, zone: ZoneInfo, heading: str) -> Section:
    """The before/after table and the verdict in words."""
    if effect is None:
        return Section(heading, ["截至统计时点尚无经确认的回应,无法评估回应效果。"])
    text = f"首次经确认的回应发布于{format_local(effect.response_at, zone=zone)}。"
    if effect.after is not None and not effect.complete:
        text += (
            f"回应后仅过去{format_duration(data.cutoff - effect.response_at)},"
            f"评估窗口({WINDOW.total_seconds() / 3600:.0f}小时)尚未结束,以下为截至统计时点的数字。"
        )
    text += f"对比回应前后:{effect.verdict}。"
    stored = data.event.effect or {}
    if stored.get("verdict"):
        text += f"系统评估结论:{stored['verdict']}。"
    columns = [
        Column("时段"),
        Column("起", "datetime"),
        Column("止", "datetime"),
        Column("信息数(条)", "int"),
        Column("每小时(条)", "float"),
        Column("负面信息(条)", "int"),
        Column("负面占比", "percent"),
    ]
    rows = [
        [name, datetime.fromisoformat(f["start"]), datetime.fromisoformat(f["end"]), f["mentions"], f["per_hour"],
         f["negative"], f["negative_share"]]
        for name, f in (("回应前", effect.before), ("回应后", effect.after))
        if f is not None
    ]  # fmt: skip
    table = Table("回应效果", "表7 回应前后对比", columns, rows, note=f"负面信息:负面程度不低于{NEGATIVE:.0%}的帖文。")
    return Section(heading, [text], [table])


def _open_deadline(data: TopicData) -> str | None:
    """The next open deadline at the cut-off, in words, with its grounds."""
    running = [
        d
        for d in data.deadlines
        if d.id not in data.done and (d.superseded_at is None or as_utc(d.superseded_at) >= data.cutoff)
    ]
    if not running:
        return None
    deadline = min(running, key=lambda d: (as_utc(d.due_at), d.id))
    due, stage = as_utc(deadline.due_at), STAGE_NAMES.get(deadline.stage, deadline.stage)
    if due < data.cutoff:
        return (
            f"“{stage}”环节已超时{format_duration(data.cutoff - due)},建议立即办理并说明延误原因。"
            f"依据:该环节截止时间为{format_local(due)}"
        )
    return f"建议在{format_local(due)}前完成“{stage}”。依据:该环节时限尚余{format_duration(due - data.cutoff)}"


def _rising(posts: list[Post], cutoff: datetime) -> str | None:
    recent = sum(cutoff - RECENT <= p.at < cutoff for p in posts)
    earlier = sum(cutoff - 2 * RECENT <= p.at < cutoff - RECENT for p in posts)
    if recent >= MIN_RISING and recent > earlier:
        return (
            f"传播仍在扩散,建议加强监测,及时发布权威信息。依据:统计时点前6小时新增信息{recent}条,此前6小时{earlier}条"
        )
    return None


VIEW_ADVICE = {
    "anger": "公众不满情绪较集中,建议说明处置进展和责任落实情况,避免简单否认或回避",
    "demand": "公众诉求明确,建议逐项回应诉求,明确办理时限和责任单位",
    "worry": "公众担忧和疑问较多,建议尽快发布权威信息澄清事实,回应关切",
}


def advice(data: TopicData, effect: Effect | None, voices: list[Voice]) -> list[str]:
    """研判建议: each suggestion followed by its grounds (依据), in the order a reader acts on them."""
    event = data.event
    if not event.needs_handling:
        return [
            f"该事件已研判为“{DISMISSED.get(event.status, event.status)}”,建议不再单独跟进。依据:截至统计时点的事件状态"
        ]
    found = [_open_deadline(data), _rising(data.posts, data.cutoff)]
    if effect is not None and effect.after is not None and not effect.complete:
        found.append(
            "回应发布不久,建议持续观察回应后的舆论变化,必要时补充回应。"
            f"依据:回应后仅过去{format_duration(data.cutoff - effect.response_at)},评估窗口尚未结束"
        )
    elif effect is not None and effect.after is not None:
        before, after = effect.before["per_hour"], effect.after["per_hour"]
        if before and after > before:
            found.append(f"回应后热度未降,建议补充回应或发布处置结果。依据:{effect.verdict}")
        elif before and after < before:
            found.append(f"回应后热度回落,建议持续关注,处置完成后及时发布结果并办结。依据:{effect.verdict}")
    elif event.closed is None:
        found.append("尚无经确认的回应,建议责任单位核实后尽快通过官方渠道回应。依据:截至统计时点无已确认的回应记录")
    counted = Counter(v.group for v in voices if v.group in VIEW_ADVICE)
    if counted:
        group, count = max(counted.items(), key=lambda item: (item[1], -list(VIEW_ADVICE).index(item[0])))
        found.append(f"{VIEW_ADVICE[group]}。依据:“{NAMES[group]}”类言论{count}条,为民众观点中最多的一类")
    negative = [p for p in data.posts if p.negativity >= NEGATIVE]
    if data.posts and len(negative) / len(data.posts) >= HIGH_NEGATIVE:
        found.append(
            f"负面信息占比较高,回应中应直面问题、说明措施。依据:{len(data.posts)}条信息中负面{len(negative)}条"
            f"(占{len(negative) / len(data.posts):.0%})"
        )
    hostile = [c for c in data.comments if c.negativity >= HIGH_NEGATIVE]
    if len(hostile) >= HOSTILE_COMMENTS and len(hostile) * 2 >= len(data.comments):
        found.append(
            f"评论区情绪激烈,建议关注线下聚集等风险,必要时请综治维稳部门介入。依据:{len(data.comments)}条评论中"
            f"{len(hostile)}条负面情绪明显"
        )
    listed = [text for text in found if text]
    return listed or ["舆情总体平稳,建议按常规程序跟踪办理。依据:无超时、扩散或负面情绪集中的迹象"]


def advice_section(data: TopicData, effect: Effect | None, voices: list[Voice], heading: str) -> Section:
    """The suggestions, numbered."""
    items = advice(data, effect, voices)
    closing = "以上建议由系统依据统计时点的数据自动生成,供研判参考。"
    return Section(heading, [f"{n}. {text}。" for n, text in enumerate(items, start=1)] + [closing])
