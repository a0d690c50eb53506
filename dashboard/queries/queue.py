"""Queries behind the duty desk's pages: the 待研判 work list by deadline, the deadline alerts for the banner, and
the shift view (我的值班)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dashboard.access import Viewer
from yuqing.db.models import OPEN_STATUSES, AuditLog, Deadline, Event, ShiftHandover
from yuqing.labels import actor_text, level_short, office_names, stage_text, topic_text
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, format_local, remaining_text
from yuqing.workflow.holders import DUTY, OFFICE
from yuqing.workflow.jobs import epoch_seconds
from yuqing.workflow.shifts import current_shift
from yuqing.workflow.triage import BULK_LEVELS

QUEUE_LIMIT = 1000


def _used(starts: datetime, due: datetime, now: datetime) -> float:
    span = (as_utc(due) - as_utc(starts)).total_seconds()
    return (now - as_utc(starts)).total_seconds() / span if span > 0 else 1.0


def _route_reasons(session: Session, event_ids: list[int]) -> dict[int, str]:
    """Why each event went to its office: the comment of its latest routing or assignment row."""
    rows = session.execute(
        select(AuditLog.event_id, AuditLog.comment)
        .where(AuditLog.event_id.in_(event_ids), AuditLog.action == "route")
        .order_by(AuditLog.at, AuditLog.id)
    ).all()
    return {event_id: comment or "" for event_id, comment in rows}


def query_assessment_queue(session: Session, settings: Settings, now: datetime, limit: int = QUEUE_LIMIT) -> list[dict]:
    """Events awaiting 研判, the nearest (or most overdue) 研判 deadline first, with the system's proposal."""
    due = (
        select(Deadline.event_id, func.min(Deadline.due_at).label("due"), func.min(Deadline.starts_at).label("starts"))
        .where(Deadline.stage == "assess", Deadline.done_at.is_(None), Deadline.superseded_at.is_(None))
        .group_by(Deadline.event_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Event.id,
            Event.title,
            Event.topic,
            Event.urgency,
            Event.office_code,
            Event.detected_at,
            Event.mention_count,
            Event.heat,
            due.c.due,
            due.c.starts,
        )
        .outerjoin(due, due.c.event_id == Event.id)
        .where(Event.status == "detected")
        .order_by(due.c.due.is_(None), due.c.due, Event.urgency, Event.detected_at)
        .limit(limit)
    ).all()
    names = office_names(session)
    reasons = _route_reasons(session, [row.id for row in rows])
    found = []
    for row in rows:
        used = _used(row.starts, row.due, now) if row.due is not None else None
        found.append(
            {
                "id": row.id,
                "title": row.title,
                "urgency": row.urgency,
                "level": level_short(row.urgency),
                "topic": topic_text(settings, row.topic),
                "office": names.get(row.office_code or "", "未分派"),
                "route_reason": reasons.get(row.id, ""),
                "detected": format_local(row.detected_at, "%m-%d %H:%M"),
                "mentions": row.mention_count,
                "heat": round(row.heat or 0.0, 1),
                "due": format_local(row.due, "%m-%d %H:%M") if row.due else "",
                "countdown": remaining_text(row.due, now) if row.due else "无研判时限",
                "used": round(100 * used) if used is not None else None,
                "overdue": row.due is not None and as_utc(row.due) < now,
                "bulk": row.urgency in BULK_LEVELS and row.office_code is not None,
            }
        )
    return found


def _held_by(viewer: Viewer):
    """The deadlines the viewer holds: the duty desk's for duty officers, the office's own for office users."""
    if viewer.role == "duty":
        return Deadline.holder == DUTY
    if viewer.office_bound:
        return and_(Deadline.holder == OFFICE, Deadline.office_code == (viewer.office_code or ""))
    return None


def query_deadline_alerts(
    session: Session, settings: Settings, viewer: Viewer, now: datetime, limit: int = 50
) -> list[dict]:
    """Open deadlines the viewer holds that have reached the last warning share (80 %) or are missed.

    Each carries a key that changes when it passes from one to the other, so the banner announces both moments."""
    held = _held_by(viewer)
    if held is None or not settings.deadlines.warn_shares:
        return []
    share = max(settings.deadlines.warn_shares)
    starts, due = epoch_seconds(Deadline.starts_at), epoch_seconds(Deadline.due_at)
    rows = session.execute(
        select(Deadline.id, Deadline.event_id, Deadline.stage, Deadline.due_at, Event.title, Event.urgency)
        .join(Event, Event.id == Deadline.event_id)
        .where(
            held,
            Deadline.done_at.is_(None),
            Deadline.superseded_at.is_(None),
            Event.status.in_(OPEN_STATUSES),
            starts * (1 - share) + due * share <= now.timestamp(),
        )
        .order_by(Deadline.due_at)
        .limit(limit)
    ).all()
    found = []
    for row in rows:
        missed = as_utc(row.due_at) <= now
        found.append(
            {
                "key": f"{row.id}:{'missed' if missed else 'warn'}",
                "event_id": row.event_id,
                "title": row.title,
                "urgency": row.urgency,
                "stage": stage_text(row.stage),
                "missed": missed,
                "text": remaining_text(row.due_at, now)
                if missed
                else f"已用去 {round(share * 100)}%,{remaining_text(row.due_at, now)}",
            }
        )
    return found


def query_my_shift(session: Session, settings: Settings, viewer: Viewer, now: datetime) -> dict:
    """我的值班: this shift's bounds, what the viewer did in it, the handover waiting for acknowledgement."""
    shift = current_shift(settings, now)
    events_done = dict(
        session.execute(
            select(AuditLog.action, func.count(func.distinct(AuditLog.event_id)))
            .where(AuditLog.actor == viewer.username, AuditLog.at >= shift.start, AuditLog.event_id.is_not(None))
            .group_by(AuditLog.action)
        ).all()
    )
    handovers = session.scalars(
        select(ShiftHandover).order_by(ShiftHandover.handed_at.desc(), ShiftHandover.id.desc()).limit(5)
    ).all()
    return {
        "start": format_local(shift.start, "%m-%d %H:%M"),
        "end": format_local(shift.end, "%m-%d %H:%M"),
        "assessed": events_done.get("assess", 0),
        "dismissed": events_done.get("false_alarm", 0) + events_done.get("no_action", 0),
        "handovers": [
            {
                "id": h.id,
                "by": actor_text(h.handed_by),
                "at": format_local(h.handed_at, "%m-%d %H:%M"),
                "note": h.note,
                "summary": h.summary or {},
                "acknowledged_by": h.acknowledged_by,
                "acknowledged_at": format_local(h.acknowledged_at, "%m-%d %H:%M") if h.acknowledged_at else "",
                "mine": h.handed_by == viewer.username,
            }
            for h in handovers
        ],
    }
