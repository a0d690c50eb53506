"""处置过程 of a topic report: the stages reached, the audit trail in words, deadlines and responses at the cut-off."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from yuqing.db.models import EVENT_STATUSES, STAGE_NAMES, Deadline
from yuqing.labels import (
    RESPONSE_STATUS_NAMES,
    actor_text,
    audit_action_text,
    audit_change_text,
    audit_field_text,
    audit_value_text,
)
from yuqing.privacy import masked
from yuqing.reports.tables import Column, Section, Table
from yuqing.reports.topic_data import TopicData
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, format_duration, format_local
from yuqing.workflow.holders import charge_key, holder_name

# Audit rows left out of the trail: warnings and the deadline bookkeeping (the deadline table shows those).
QUIET_ACTIONS = frozenset({"deadline_set", "deadline_warned", "deadline_moved", "deadline_done", "deadline_dropped"})
STAGES_REACHED = (("assessed", "完成研判"), ("responded", "回应"), ("closed", "办结"), ("evaluated", "完成评估"))


def _stages_text(data: TopicData, zone: ZoneInfo) -> str:
    event = data.event
    reached = {
        "assessed": event.assessed,
        "responded": event.reached.get("responded"),
        "closed": event.closed,
        "evaluated": event.reached.get("evaluated"),
    }
    parts = [f"系统于{format_local(event.detected_at, zone=zone)}发现该事件"]
    for status, name in STAGES_REACHED:
        moment = reached[status]
        if moment is not None:
            parts.append(
                f"{format_local(moment, zone=zone)}{name}(发现后{format_duration(moment - event.detected_at)})"
            )
    text = ",".join(parts) + "。"
    if not event.needs_handling:
        return text + f"截至统计时点,事件状态为“{EVENT_STATUSES.get(event.status, event.status)}”。"
    not_yet = [name for status, name in STAGES_REACHED[:3] if reached[status] is None]
    return text + (f"截至统计时点尚未{'、'.join(not_yet)}。" if not_yet else "")


def _deadline_state(deadline: Deadline, done: datetime | None, cutoff: datetime, zone: ZoneInfo) -> str:
    due = as_utc(deadline.due_at)
    stopped = as_utc(deadline.superseded_at)
    if done is not None:
        late = done - due
        return f"已完成({format_local(done, zone=zone)})" + (f",超时{format_duration(late)}" if done > due else ",按时")
    if stopped is not None and stopped < cutoff:
        return f"超时{format_duration(stopped - due)}后停止计时" if stopped > due else "已作废(改级、移交或办结)"
    if due < cutoff:
        return f"已超时{format_duration(cutoff - due)}"
    return f"进行中,剩余{format_duration(due - cutoff)}"


def handling_section(
    data: TopicData, settings: Settings, names: dict[str, str], zone: ZoneInfo, heading: str
) -> Section:
    """Stages reached, the audit trail (who, when, what, before → after), deadlines and responses."""
    trail = Table(
        "处置记录",
        "表4 处置记录(摘自审计日志)",
        [Column("时间", "datetime"), Column("操作人"), Column("操作"), Column("内容"), Column("说明")],
    )
    for row in data.audit:
        if row.action in QUIET_ACTIONS:
            continue
        change = audit_change_text(
            row.action,
            audit_value_text(settings, names, row.field, row.before),
            audit_value_text(settings, names, row.field, row.after),
        )
        field = audit_field_text(row.field)
        trail.rows.append(
            [
                as_utc(row.at),
                actor_text(row.actor),
                audit_action_text(row.action),
                masked(f"{field}:{change}" if field and change else field or change),
                masked(row.comment or ""),
            ]
        )
    deadlines = Table(
        "时限",
        "表5 处置时限(截至统计时点)",
        [Column("环节"), Column("承担方"), Column("等级", "int"), Column("截止时间", "datetime"), Column("状态")],
        [
            [
                STAGE_NAMES.get(d.stage, d.stage),
                holder_name(settings, charge_key(d.holder, d.office_code), names),
                d.level,
                as_utc(d.due_at),
                _deadline_state(d, data.done.get(d.id), data.cutoff, zone),
            ]
            for d in data.deadlines
        ],
    )
    responses = Table(
        "回应",
        "表6 回应情况",
        [Column("发布时间", "datetime"), Column("环节"), Column("渠道"), Column("内容"), Column("状态")],
        [
            [
                r.published_at,
                STAGE_NAMES.get(r.stage, r.stage),
                masked(r.channel),
                masked(r.content)[:200],
                RESPONSE_STATUS_NAMES.get(r.status, r.status),
            ]
            for r in data.responses
        ],
    )
    return Section(heading, [_stages_text(data, zone)], [trail, deadlines, responses])
