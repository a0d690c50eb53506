"""Officer actions on an event (from the dashboard): assess, respond, confirm or reject evidence, close, reassign,
merge into another event."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import EVENT_STATUSES, OPEN_STATUSES, STAGE_NAMES, Event, Office, Response
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, utcnow
from yuqing.workflow import audit, notify
from yuqing.workflow.deadlines import cancel_open, complete_stages, reassign_open, recompute_deadlines
from yuqing.workflow.effect import evaluate_event
from yuqing.workflow.labels import record_event_labels, record_label
from yuqing.workflow.merge import merge_events

RESPONSE_STAGES = ("publish", "press", "respond")
CLOSED_KINDS = ("false_alarm", "no_action")
CLOCK_SKEW = timedelta(minutes=5)  # a response "published" slightly in the future is a clock difference, not an error
# The statuses in which each action is possible; the dashboard shows an action's form only then.
ACTION_STATUSES = {
    "assess": OPEN_STATUSES,
    "respond": OPEN_STATUSES,
    "confirm": OPEN_STATUSES,
    "reject": OPEN_STATUSES,
    "close": ("responded",),
    "false_alarm": OPEN_STATUSES,
    "reassign": OPEN_STATUSES,
    "merge": OPEN_STATUSES,
    "split": OPEN_STATUSES,
    "unmerge": ("merged",),
    "correct": OPEN_STATUSES,  # correct one mention (another topic, not relevant): yuqing.workflow.corrections
}


class WorkflowError(Exception):
    """An action that is not allowed now or has bad input; the message (Chinese) says why."""


def _load(session: Session, event_id: int, actor: str, allowed: tuple[str, ...], doing: str) -> Event:
    if not (actor or "").strip():
        raise WorkflowError("缺少操作人")
    event = session.scalar(select(Event).where(Event.id == event_id).with_for_update())
    if event is None:
        raise WorkflowError(f"事件 #{event_id} 不存在")
    if event.status not in allowed:
        hint = "请先登记回应。" if event.status in ("detected", "assessed") else ""
        if event.status == "merged" and event.merged_into_id:
            hint = f"本事件已并入事件 #{event.merged_into_id},请在该事件上办理。"
        raise WorkflowError(
            f"事件 #{event_id} 当前状态为“{EVENT_STATUSES.get(event.status, event.status)}”,不能{doing}。{hint}"
        )
    return event


def _check_office(session: Session, code: str) -> Office:
    office = session.get(Office, code) if code else None
    if office is None or not office.active:
        raise WorkflowError(f"责任单位“{code}”不存在或已停用")
    return office


def assess_event(
    session: Session,
    settings: Settings,
    event_id: int,
    actor: str,
    topic: str,
    urgency: int,
    office_code: str,
    comment: str = "",
    now: datetime | None = None,
) -> Event:
    """研判: confirm topic and level and assign the office; a changed level recomputes the deadlines."""
    now = now or utcnow()
    event = _load(session, event_id, actor, ACTION_STATUSES["assess"], "研判")
    if topic not in settings.topic_names():
        raise WorkflowError(f"未知领域“{topic}”")
    if urgency not in (1, 2, 3, 4):
        raise WorkflowError(f"预警等级应为 1–4,收到 {urgency!r}")
    office = _check_office(session, office_code)
    old_level, old_office = event.urgency, event.office_code
    values = {"topic": topic, "urgency": urgency, "office_code": office_code}
    before = {name: getattr(event, name) for name in values}
    if event.status == "detected":
        # The office may already have responded while 研判 was pending: the event then goes straight to 已回应.
        values.update(status="responded" if event.responded_at is not None else "assessed", assessed_at=now)
    changed = audit.change_fields(session, event, values, actor=actor, action="assess", at=now, comment=comment)
    if not changed:
        audit.record(session, actor=actor, action="assess", event_id=event.id, comment=comment or "复核,无变化", at=now)
    # 研判 is a label: a changed value corrects the system, an unchanged one confirms it (training data, issue 15).
    record_event_labels(session, event, before, actor=actor, action="assess", at=now, comment=comment or None)
    if office_code != old_office:
        reassign_open(session, settings, event, office_code, now, actor, office.name)
    if urgency != old_level:
        recompute_deadlines(session, settings, event, old_level, now, actor=actor, comment=comment or None)
    complete_stages(session, event, "assess", now, now, actor, comment or None)
    if urgency < old_level and urgency in settings.alerts.immediate_levels:
        notify.event_alert(session, settings, event, now, why="level_up")
    elif old_office is not None and office_code != old_office:
        notify.event_alert(session, settings, event, now, why="assigned")
    return event


def _apply_response(
    session: Session, settings: Settings, event: Event, response: Response, actor: str, now: datetime, comment: str
) -> None:
    """A confirmed response fulfils its stage's deadlines and moves the event to 已回应."""
    complete_stages(session, event, response.stage, min(response.published_at, now), now, actor, comment or None)
    values: dict[str, Any] = (
        {"status": "responded"} if event.status == "assessed" else {}
    )  # before 研判 it stays 待研判
    if event.responded_at is None or response.published_at < event.responded_at:
        values["responded_at"] = response.published_at
    audit.change_fields(session, event, values, actor=actor, action="respond", at=now, comment=comment)


def record_response(
    session: Session,
    settings: Settings,
    event_id: int,
    actor: str,
    stage: str,
    channel: str,
    url: str | None,
    content: str,
    published_at: datetime,
    comment: str = "",
    now: datetime | None = None,
) -> Response:
    """处置/回应: record what was published, where and when (confirmed at once); possible before 研判 is done."""
    now = now or utcnow()
    event = _load(session, event_id, actor, ACTION_STATUSES["respond"], "登记回应")
    if stage not in RESPONSE_STAGES:
        raise WorkflowError(f"回应环节应为 {'、'.join(STAGE_NAMES[s] for s in RESPONSE_STAGES)} 之一,收到 {stage!r}")
    if not (channel or "").strip() or not (content or "").strip():
        raise WorkflowError("请填写发布渠道和回应内容")
    if url and not re.match(r"^https?://\S+$", url, re.IGNORECASE):
        raise WorkflowError(f"网址应以 http:// 或 https:// 开头:{url}")
    if not isinstance(published_at, datetime):
        raise WorkflowError("请填写发布时间")
    published_at = as_utc(published_at)
    if published_at > now + CLOCK_SKEW:
        raise WorkflowError("发布时间不能晚于当前时间")
    response = Response(
        event_id=event.id,
        stage=stage,
        status="confirmed",
        channel=channel.strip()[:200],
        url=url or None,
        content=content.strip(),
        published_at=published_at,
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(response)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="response_recorded",
        event_id=event.id,
        field="response",
        after=response.id,
        comment=comment or f"{STAGE_NAMES[stage]}:{channel}",
        at=now,
    )
    _apply_response(session, settings, event, response, actor, now, comment)
    return response


def _proposed(session: Session, event: Event, response_id: int) -> Response:
    response = session.get(Response, response_id)
    if response is None or response.event_id != event.id:
        raise WorkflowError(f"事件 #{event.id} 没有编号为 {response_id} 的回应")
    if response.status != "proposed":
        raise WorkflowError(f"回应 #{response_id} 已处理(当前为 {response.status}),不能重复操作")
    return response


def _set_response_status(
    session: Session, event: Event, response: Response, status: str, actor: str, now: datetime, comment: str
) -> None:
    audit.record(
        session,
        actor=actor,
        action=f"response_{status}",
        event_id=event.id,
        field="response.status",
        before=response.status,
        after=status,
        comment=comment,
        at=now,
        entity="response",
        entity_id=response.id,
    )
    response.status = status


def confirm_response(
    session: Session,
    settings: Settings,
    event_id: int,
    actor: str,
    response_id: int,
    comment: str = "",
    now: datetime | None = None,
) -> Response:
    """Accept a proposed response (board reply, official post) as the event's response; possible before 研判."""
    now = now or utcnow()
    event = _load(session, event_id, actor, ACTION_STATUSES["confirm"], "确认回应")
    response = _proposed(session, event, response_id)
    _set_response_status(session, event, response, "confirmed", actor, now, comment)
    _apply_response(session, settings, event, response, actor, now, comment)
    return response


def reject_response(
    session: Session,
    settings: Settings,
    event_id: int,
    actor: str,
    response_id: int,
    comment: str = "",
    now: datetime | None = None,
) -> Response:
    """Turn down a proposed response (it does not answer the event)."""
    now = now or utcnow()
    event = _load(session, event_id, actor, ACTION_STATUSES["reject"], "驳回回应")
    response = _proposed(session, event, response_id)
    _set_response_status(session, event, response, "rejected", actor, now, comment)
    return response


def close_event(
    session: Session, settings: Settings, event_id: int, actor: str, comment: str = "", now: datetime | None = None
) -> Event:
    """办结; the effect (评估) is computed now if the after-response window has passed, else by a later job."""
    now = now or utcnow()
    event = _load(session, event_id, actor, ACTION_STATUSES["close"], "办结")
    audit.change_fields(
        session, event, {"status": "closed", "closed_at": now}, actor=actor, action="close", at=now, comment=comment
    )
    cancel_open(session, event, now, actor, "事件已办结,未完成的环节不再计时")
    notify.drop_held_alerts(session, event.id)
    evaluate_event(session, settings, event, now)
    return event


def mark_false_alarm(
    session: Session,
    settings: Settings,
    event_id: int,
    actor: str,
    reason: str,
    kind: str = "false_alarm",
    now: datetime | None = None,
) -> Event:
    """误报 or 无需处置, with a reason; open deadlines stop."""
    now = now or utcnow()
    if kind not in CLOSED_KINDS:
        raise WorkflowError(f"类型应为 false_alarm(误报)或 no_action(无需处置),收到 {kind!r}")
    if not (reason or "").strip():
        raise WorkflowError("请填写理由")
    event = _load(session, event_id, actor, ACTION_STATUSES["false_alarm"], f"标记为{EVENT_STATUSES[kind]}")
    audit.change_fields(
        session,
        event,
        {"status": kind, "status_reason": reason.strip(), "closed_at": now},
        actor=actor,
        action=kind,
        at=now,
        comment=reason.strip(),
    )
    if kind == "false_alarm":  # 误报: the system took it for a relevant matter; 无需处置 keeps it relevant
        record_label(
            session,
            actor=actor,
            action=kind,
            field="relevant",
            before=True,
            after=False,
            event_id=event.id,
            comment=reason.strip(),
            at=now,
        )
    cancel_open(session, event, now, actor, f"{EVENT_STATUSES[kind]}:{reason.strip()}")
    notify.drop_held_alerts(session, event.id)
    return event


def reassign_office(
    session: Session,
    settings: Settings,
    event_id: int,
    actor: str,
    office_code: str,
    comment: str = "",
    now: datetime | None = None,
) -> Event:
    """Hand the event to another office; its open deadlines follow and the new office is told."""
    now = now or utcnow()
    event = _load(session, event_id, actor, ACTION_STATUSES["reassign"], "转交")
    office = _check_office(session, office_code)
    if office_code == event.office_code:
        raise WorkflowError(f"事件 #{event_id} 已由该单位办理")
    before = {"office_code": event.office_code}
    audit.change_fields(
        session, event, {"office_code": office_code}, actor=actor, action="reassign", at=now, comment=comment
    )
    record_event_labels(session, event, before, actor=actor, action="reassign", at=now, comment=comment or None)
    reassign_open(session, settings, event, office_code, now, actor, office.name)
    notify.event_alert(session, settings, event, now, why="assigned")
    return event


def merge_into(
    session: Session,
    settings: Settings,
    event_id: int,
    actor: str,
    target_id: int,
    comment: str = "",
    now: datetime | None = None,
) -> Event:
    """合并: the officer finds this event to be the same matter as another open one; it is folded into that one,
    which keeps its office, level (or the more severe of the two) and deadlines. Returns the event kept."""
    now = now or utcnow()
    event = _load(session, event_id, actor, ACTION_STATUSES["merge"], "合并")
    if target_id == event_id:
        raise WorkflowError("不能把事件合并到它自己")
    target = _load(session, target_id, actor, ACTION_STATUSES["merge"], "接收合并")
    reason = "值班员判定为同一事项" + (f":{comment.strip()}" if comment.strip() else "")
    return merge_events(session, settings, target, event, actor=actor, reason=reason, now=now)
