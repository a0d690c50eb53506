"""Duty shifts (值班): the current shift's bounds, the handover note with what is open and what falls due next shift,
and its acknowledgement by the officer taking over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.db.models import OPEN_STATUSES, STAGE_NAMES, Deadline, Event, ShiftHandover
from yuqing.settings_model import Settings
from yuqing.timeutil import UTC, as_utc
from yuqing.workflow import audit
from yuqing.workflow.holders import DUTY

MAX_NOTE = 2000
DUE_LISTED = 50  # deadlines listed in a handover; the counts cover all


class ShiftError(Exception):
    """A handover or acknowledgement that cannot be made (message in Chinese)."""


@dataclass(frozen=True)
class Shift:
    """One duty shift, in UTC."""

    start: datetime
    end: datetime


def _changes(settings: Settings, day, zone: ZoneInfo) -> list[datetime]:
    return [
        datetime.combine(day, time.fromisoformat(text.zfill(5)), tzinfo=zone).astimezone(UTC)
        for text in settings.duty.shift_changes
    ]


def current_shift(settings: Settings, now: datetime) -> Shift:
    """The shift running at `now`: from the latest shift change at or before it to the next one."""
    zone = ZoneInfo(settings.general.timezone)
    today = as_utc(now).astimezone(zone).date()
    changes = sorted(
        moment for offset in (-1, 0, 1) for moment in _changes(settings, today + timedelta(days=offset), zone)
    )
    start = max(moment for moment in changes if moment <= now)
    return Shift(start, min(moment for moment in changes if moment > start))


def next_shift(settings: Settings, now: datetime) -> Shift:
    """The shift after the one running at `now`."""
    return current_shift(settings, current_shift(settings, now).end)


def _due_rows(session: Session, start: datetime | None, end: datetime) -> list[tuple]:
    query = (
        select(Deadline.event_id, Event.title, Event.urgency, Deadline.stage, Deadline.holder, Deadline.due_at)
        .join(Event, Event.id == Deadline.event_id)
        .where(
            Deadline.done_at.is_(None),
            Deadline.superseded_at.is_(None),
            Deadline.due_at < end,
            Event.status.in_(OPEN_STATUSES),
        )
        .order_by(Deadline.due_at, Deadline.id)
    )
    if start is not None:
        query = query.where(Deadline.due_at >= start)
    return list(session.execute(query).all())


def _listed(rows: list[tuple]) -> list[dict]:
    return [
        {
            "event_id": event_id,
            "title": title[:80],
            "level": level,
            "stage": STAGE_NAMES.get(stage, stage),
            "duty": holder == DUTY,
            "due_at": as_utc(due).isoformat(),
        }
        for event_id, title, level, stage, holder, due in rows[:DUE_LISTED]
    ]


def handover_summary(session: Session, settings: Settings, now: datetime) -> dict:
    """What the next officer takes over: open events by status, what is overdue, what falls due next shift."""
    following = next_shift(settings, now)
    by_status = dict(
        session.execute(
            select(Event.status, func.count()).where(Event.status.in_(OPEN_STATUSES)).group_by(Event.status)
        ).all()
    )
    overdue = _due_rows(session, None, now)
    coming = _due_rows(session, now, following.end)
    return {
        "awaiting_assessment": by_status.get("detected", 0),
        "awaiting_response": by_status.get("assessed", 0),
        "responded": by_status.get("responded", 0),
        "overdue_count": len(overdue),
        "overdue": _listed(overdue),
        "due_next_count": len(coming),
        "due_next": _listed(coming),
        "next_shift": [following.start.isoformat(), following.end.isoformat()],
    }


def hand_over(session: Session, settings: Settings, actor: str, note: str, now: datetime) -> ShiftHandover:
    """交班: record the note and the open work at this moment; audited."""
    note = (note or "").strip()
    if not actor:
        raise ShiftError("缺少交班人")
    if len(note) > MAX_NOTE:
        raise ShiftError(f"交班说明不能超过 {MAX_NOTE} 字")
    shift = current_shift(settings, now)
    row = ShiftHandover(
        shift_start=shift.start,
        shift_end=shift.end,
        handed_by=actor,
        handed_at=now,
        note=note,
        summary=handover_summary(session, settings, now),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="shift_handover",
        entity="shift",
        entity_id=row.id,
        comment=note or "(无交班说明)",
        at=now,
    )
    return row


def pending_handover(session: Session) -> ShiftHandover | None:
    """The latest handover, if nobody has acknowledged it yet."""
    latest = session.scalar(
        select(ShiftHandover).order_by(ShiftHandover.handed_at.desc(), ShiftHandover.id.desc()).limit(1)
    )
    return latest if latest is not None and latest.acknowledged_at is None else None


def acknowledge(session: Session, handover_id: int, actor: str, now: datetime) -> ShiftHandover:
    """接班: the officer taking over confirms having read the handover; audited."""
    row = session.get(ShiftHandover, handover_id, with_for_update=True)
    if row is None:
        raise ShiftError(f"交班记录 #{handover_id} 不存在")
    if row.acknowledged_at is not None:
        raise ShiftError(f"交班记录 #{handover_id} 已由 {row.acknowledged_by} 确认")
    if row.handed_by == actor:
        raise ShiftError("不能确认自己的交班,请由接班的值班员确认")
    row.acknowledged_by, row.acknowledged_at = actor, now
    audit.record(
        session,
        actor=actor,
        action="shift_ack",
        entity="shift",
        entity_id=row.id,
        comment=f"确认 {row.handed_by} 的交班",
        at=now,
    )
    return row
