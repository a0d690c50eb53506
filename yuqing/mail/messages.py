"""Alert texts in Chinese: subject, plain text, HTML (escaped) and Markdown (webhooks), from EventViews."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.db.models import STAGE_NAMES
from yuqing.mail.event_view import EventView
from yuqing.privacy import masked
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, format_local, remaining_text

log = logging.getLogger("yuqing.mail")
SUBJECT_TITLE_CHARS = 40
SUMMARY_CHARS = 300


_INERT: dict[int, str] = str.maketrans({"[": "【", "]": "】", "<": "‹", ">": "›", "(": "(", ")": ")", "`": "'"})


def _clean(text: str, limit: int | None = None) -> str:
    text = " ".join(masked(text).split())
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


@dataclass
class Item:
    text: str
    url: str | None = None


@dataclass
class Section:
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    lists: list[tuple[str, list[Item]]] = field(default_factory=list)
    link: str | None = None


@dataclass
class Message:
    """One alert, ready for the outbox: e-mail parts, a Markdown text for robots and structured data."""

    subject: str
    text: str
    html: str
    markdown: str
    data: dict[str, Any]


def _zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.general.timezone)


def _when(value: datetime | None, settings: Settings) -> str:
    return format_local(value, zone=_zone(settings))


def deadline_text(due_at: datetime, settings: Settings, now: datetime) -> str:
    """“2026-11-25 18:00(还剩 2小时15分)” in local time."""
    return f"{_when(due_at, settings)}({remaining_text(due_at, now)})"


def event_section(view: EventView, settings: Settings, now: datetime) -> Section:
    """Everything an officer needs about one event."""
    section = Section(title=_clean(view.title, 120), link=view.url)
    section.fields = [
        ("预警等级", view.level_label),
        ("研判依据", "；".join(_clean(r) for r in view.reasons) or "—"),
        ("领域", view.topic_name),
        ("属地", view.village or "—"),
        ("责任单位", view.office_name),
        ("当前状态", view.status_name),
        ("发现时间", _when(view.detected_at, settings)),
        ("信息量", f"{view.mention_count} 条,来自 {view.source_count} 个来源"),
        ("内容摘要", _clean(view.summary, SUMMARY_CHARS) or "—"),
    ]
    deadlines = [
        Item(
            f"{d.stage_name}({settings.duty.name if d.holder == 'duty' else view.office_name}):"
            f"{deadline_text(d.due_at, settings, now)}"
        )
        for d in view.deadlines
    ]
    links = [Item(f"{_clean(link.source, 40)}:{_clean(link.title, 80) or link.url}", link.url) for link in view.links]
    section.lists = [("办理时限", deadlines or [Item("无未完成的时限")]), ("信息来源", links or [Item("—")])]
    return section


def _safe_url(url: str | None) -> str | None:
    return url if url and re.match(r"^https?://", url, re.IGNORECASE) else None


def _render_text(heading: str, intro: list[str], sections: list[Section]) -> str:
    lines = [heading, "", *intro]
    for section in sections:
        lines += ["", f"■ {section.title}"]
        lines += [f"  {label}:{value}" for label, value in section.fields]
        for label, items in section.lists:
            lines.append(f"  {label}:")
            lines += [f"    · {item.text}" + (f"\n      {item.url}" if item.url else "") for item in items]
        if section.link:
            lines.append(f"  查看事件:{section.link}")
    lines += ["", "—— 本邮件由政务舆情监测系统自动发送,请勿直接回复。"]
    return "\n".join(lines) + "\n"


def _a(text: str, url: str | None) -> str:
    safe = _safe_url(url)
    label = html.escape(text)
    return f'<a href="{html.escape(safe, quote=True)}">{label}</a>' if safe else label


def _render_html(heading: str, intro: list[str], sections: list[Section]) -> str:
    out = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>',
        '<body style="font-family:sans-serif;font-size:14px;color:#222">',
        f"<h2>{html.escape(heading)}</h2>",
    ]
    out += [f"<p>{html.escape(line)}</p>" for line in intro]
    for section in sections:
        out.append('<div style="border:1px solid #ddd;padding:8px 12px;margin:12px 0">')
        out.append(f"<h3>{_a(section.title, section.link)}</h3><table>")
        out += [
            f'<tr><th style="text-align:left;padding-right:12px;white-space:nowrap">{html.escape(label)}</th>'
            f"<td>{html.escape(value)}</td></tr>"
            for label, value in section.fields
        ]
        out.append("</table>")
        for label, items in section.lists:
            out.append(f"<p><b>{html.escape(label)}</b></p><ul>")
            out += [f"<li>{_a(item.text, item.url)}</li>" for item in items]
            out.append("</ul>")
        if section.link:
            out.append(f"<p>{_a('在看板中查看并处置', section.link)}</p>")
        out.append("</div>")
    out.append('<p style="color:#888">本邮件由政务舆情监测系统自动发送,请勿直接回复。</p></body></html>')
    return "\n".join(out)


def md_safe(text: str) -> str:
    """Text that cannot open links or tags in a robot's Markdown."""
    return text.translate(_INERT)


def _render_markdown(heading: str, intro: list[str], sections: list[Section]) -> str:
    lines = [f"### {md_safe(heading)}", *[md_safe(line) for line in intro]]
    for section in sections:
        lines.append(f"**{md_safe(section.title)}**")
        lines += [f"> {md_safe(label)}:{md_safe(value)}" for label, value in section.fields[:5]]
        for label, items in section.lists[:1]:
            lines += [f"- {md_safe(label)} {md_safe(item.text)}" for item in items]
        if section.link and _safe_url(section.link):
            lines.append(f"[查看事件]({section.link})")
    return "\n".join(lines)


def _data(view: EventView, settings: Settings, now: datetime) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": _clean(view.title, 120),
        "level": view.level,
        "level_name": view.level_label,
        "topic": view.topic_name,
        "office": view.office_name,
        "office_code": view.office_code,
        "status": view.status,
        "url": view.url,
        "deadlines": [
            {
                "stage": d.stage,
                "stage_name": d.stage_name,
                "due_at": as_utc(d.due_at).isoformat(),
                "due_local": _when(d.due_at, settings),
                "remaining": remaining_text(d.due_at, now),
            }
            for d in view.deadlines
        ],
        "links": [{"source": link.source, "title": _clean(link.title, 120), "url": link.url} for link in view.links],
    }


def compose(
    subject: str, heading: str, intro: list[str], views: list[EventView], settings: Settings, now: datetime, **data: Any
) -> Message:
    """A message about one or more events."""
    sections = [event_section(view, settings, now) for view in views]
    payload = {"subject": subject, **data, "events": [_data(view, settings, now) for view in views]}
    return Message(
        subject=subject,
        text=_render_text(heading, intro, sections),
        html=_render_html(heading, intro, sections),
        markdown=_render_markdown(heading, intro, sections),
        data=payload,
    )


def _subject(tag: str, view: EventView) -> str:
    return f"【{tag}】{_clean(view.title, SUBJECT_TITLE_CHARS)}"


def event_alert(view: EventView, settings: Settings, now: datetime, *, why: str = "new") -> Message:
    """A new event, a raised level or a (re)assignment."""
    heading = {"new": "发现舆情事件", "level_up": "舆情事件等级上调", "assigned": "舆情事件转交贵单位办理"}[why]
    intro = [
        f"{settings.general.town}{heading}:{view.level_label}级,责任单位 {view.office_name}。请立即核实情况,"
        f"按时限回应、处置(研判完成前即可在看板登记回应)。定级和分派由{settings.duty.name}研判,"
        f"如分派有误请与值班室联系。"
    ]
    return compose(_subject(f"舆情提醒·{view.level_label}", view), heading, intro, [view], settings, now, why=why)


def deadline_warning(
    view: EventView, stage: str, due_at: datetime, share: float, holder: str, settings: Settings, now: datetime
) -> Message:
    """A deadline has used a share (50 %, 80 %) of its budget; addressed to its holder."""
    stage_name = STAGE_NAMES.get(stage, stage)
    used = f"{round(share * 100)}%"
    intro = [
        f"{holder}:“{stage_name}”时限已用去 {used},截止 {deadline_text(due_at, settings, now)}。"
        f"请在时限内完成并在看板中登记。"
    ]
    return compose(
        _subject(f"时限预警·{stage_name}已用去{used}", view),
        "办理时限预警",
        intro,
        [view],
        settings,
        now,
        stage=stage,
        share=share,
    )


def breach_notice(
    view: EventView, stage: str, due_at: datetime, holder: str, settings: Settings, now: datetime
) -> Message:
    """A deadline has passed with its stage not done; the delay is on its holder's record."""
    stage_name = STAGE_NAMES.get(stage, stage)
    intro = [
        f"“{stage_name}”未在时限内完成:截止 {deadline_text(due_at, settings, now)}。超时已记录在{holder}名下,"
        f"请立即办理并在看板中登记。"
    ]
    return compose(_subject(f"超时·{stage_name}", view), "办理超时", intro, [view], settings, now, stage=stage)


def escalation_notice(
    view: EventView,
    stage: str,
    due_at: datetime,
    step: int,
    target: str,
    holder: str,
    settings: Settings,
    now: datetime,
) -> Message:
    """A breach escalated one step along its holder's chain (see workflow.notify.escalation_target)."""
    stage_name = STAGE_NAMES.get(stage, stage)
    intro = [
        f"{holder}未在时限内完成“{stage_name}”(截止 {deadline_text(due_at, settings, now)}),"
        f"按规定第 {step} 级升级告知{target}。请督促办理。"
    ]
    return compose(
        _subject(f"超时升级·第{step}级·{stage_name}", view),
        "超时升级",
        intro,
        [view],
        settings,
        now,
        stage=stage,
        step=step,
    )


def merged_notice(
    kept: EventView, absorbed_id: int, absorbed_title: str, reason: str, settings: Settings, now: datetime
) -> Message:
    """An event someone was alerted about has been merged: where the matter went, and who handles it now."""
    intro = [
        f"此前提醒的事件 #{absorbed_id}“{_clean(absorbed_title, 60)}”已并入事件 #{kept.id}({_clean(reason, 100)})。",
        f"事件 #{absorbed_id} 的时限已停止计时、未发出的提醒已取消;该事项今后按事件 #{kept.id} 办理,"
        f"责任单位为 {kept.office_name},当前 {kept.level_label}级、{kept.status_name}。"
        f"贵单位收到过原事件提醒的,可在看板中查看事件 #{kept.id}。",
    ]
    return compose(
        f"【事件合并】#{absorbed_id} 已并入 #{kept.id} {_clean(kept.title, SUBJECT_TITLE_CHARS)}",
        "舆情事件已合并",
        intro,
        [kept],
        settings,
        now,
        absorbed_id=absorbed_id,
    )


def digest(views: list[EventView], settings: Settings, now: datetime, slot: datetime) -> Message:
    """Level 3–4 events since the last digest, grouped in one message."""
    when = format_local(slot, "%m月%d日 %H:%M", zone=_zone(settings))
    intro = [
        f"自上次摘要以来新发现 {len(views)} 件较大/一般舆情事件,请核实情况并在时限内回应"
        f"(研判由{settings.duty.name}负责,研判完成前即可在看板登记回应)。"
    ]
    return compose(
        f"【舆情摘要】{when} 共 {len(views)} 件",
        f"舆情摘要({when})",
        intro,
        views,
        settings,
        now,
        slot=as_utc(slot).isoformat(),
    )
