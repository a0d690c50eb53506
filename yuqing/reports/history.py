"""Records as they stood at a cut-off: event fields rolled back through the audit log, status times, deadlines.

The audit log is append-only. A row that changed a field of an event carries `event_id`, `field` (the Event
column name), `before` and `after` (the values as text) and `at`. The value a field had at a cut-off is the
`before` of its first change at or after the cut-off, or, if it has not changed since, its current value.
Status rows (`field = "status"`, codes as in EVENT_STATUSES) give the time each stage was reached."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yuqing.db.models import AuditLog, Deadline, Event
from yuqing.timeutil import as_utc

_CHUNK = 500


def _text(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _int(value: str | None) -> int | None:
    return int(float(value)) if _text(value) is not None else None


def _float(value: str | None) -> float | None:
    return float(value) if _text(value) is not None else None


# Event fields the reports read, and how their audit-log text turns back into a value.
TRACKED_FIELDS: dict[str, Callable[[str | None], object]] = {
    "urgency": _int,
    "topic": _text,
    "office_code": _text,
    "status": _text,
    "heat": _float,
}
HANDLED_STATUSES = ("closed", "evaluated")
DISMISSED_STATUSES = ("false_alarm", "no_action")


@dataclass
class EventAsOf:
    """An event's report-relevant fields as they stood at the cut-off."""

    id: int
    title: str
    detected_at: datetime
    urgency: int
    topic: str
    office_code: str | None
    status: str
    heat: float
    reached: dict[str, datetime] = field(default_factory=dict)  # status → first time reached before the cut-off
    assessed: datetime | None = None  # first time it left “detected” (研判), before the cut-off

    @property
    def needs_handling(self) -> bool:
        """False for events dismissed as 误报 or 无需处置 by the cut-off."""
        return self.status not in DISMISSED_STATUSES

    def hours_to(self, moment: datetime | None) -> float | None:
        """Hours from detection to a moment, or None."""
        if moment is None:
            return None
        return (as_utc(moment) - as_utc(self.detected_at)).total_seconds() / 3600

    @property
    def closed(self) -> datetime | None:
        """When it was closed (办结), before the cut-off."""
        return self.reached.get("closed") or self.reached.get("evaluated")


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for index in range(0, len(ids), _CHUNK):
        yield ids[index:index + _CHUNK]


def events_as_of(session: Session, ids: Iterable[int], cutoff: datetime) -> dict[int, EventAsOf]:
    """The events with these ids, each as it stood at the cut-off (events created later are left out)."""
    wanted = sorted(set(ids))
    result: dict[int, EventAsOf] = {}
    for chunk in _chunks(wanted):
        events = session.scalars(select(Event).where(Event.id.in_(chunk), Event.detected_at < cutoff))
        for event in events:
            result[event.id] = EventAsOf(
                id=event.id, title=event.title, detected_at=event.detected_at, urgency=event.urgency,
                topic=event.topic, office_code=event.office_code, status=event.status, heat=event.heat,
                reached={"detected": event.detected_at},
            )
        rows = session.scalars(
            select(AuditLog)
            .where(AuditLog.event_id.in_(chunk), AuditLog.field.in_(TRACKED_FIELDS))
            .order_by(AuditLog.at, AuditLog.id)
        )
        rolled_back: set[tuple[int, str]] = set()
        for row in rows:
            state = result.get(row.event_id)
            if state is None:
                continue
            if as_utc(row.at) >= cutoff:
                # Only the first change after the cut-off matters: its `before` is the value at the cut-off.
                if (row.event_id, row.field) not in rolled_back:
                    rolled_back.add((row.event_id, row.field))
                    setattr(state, row.field, TRACKED_FIELDS[row.field](row.before))
            elif row.field == "status" and row.after:
                state.reached.setdefault(row.after, row.at)
                if row.before == "detected" and state.assessed is None:
                    state.assessed = row.at
    for state in result.values():
        # An audit row whose `before` is empty (a creation logged as a change) falls back to the model defaults.
        state.urgency = state.urgency or 4
        state.topic = state.topic or "other"
        state.status = state.status or "detected"
        state.heat = state.heat or 0.0
    return result


def event_ids_detected(session: Session, start: datetime, end: datetime) -> list[int]:
    """Ids of events first detected in [start, end)."""
    return list(session.scalars(select(Event.id).where(Event.detected_at >= start, Event.detected_at < end)))


def event_ids_reaching(session: Session, status: str, start: datetime, end: datetime) -> list[int]:
    """Ids of events whose status became `status` (per the audit log) in [start, end)."""
    query = select(AuditLog.event_id).where(
        AuditLog.field == "status", AuditLog.after == status, AuditLog.at >= start, AuditLog.at < end,
        AuditLog.event_id.is_not(None),
    )
    return sorted(set(session.scalars(query)))


def _valid_at(cutoff: datetime):
    return or_(Deadline.superseded_at.is_(None), Deadline.superseded_at >= cutoff)


def deadlines_due(session: Session, start: datetime, end: datetime, cutoff: datetime) -> list[Deadline]:
    """Deadline rows due in [start, end) that had not been superseded by the cut-off."""
    query = (
        select(Deadline)
        .where(Deadline.due_at >= start, Deadline.due_at < end, _valid_at(cutoff))
        .order_by(Deadline.due_at, Deadline.id)
    )
    return list(session.scalars(query))


def deadlines_open(session: Session, cutoff: datetime) -> list[Deadline]:
    """Deadline rows running at the cut-off: started, not superseded and not done by then."""
    query = (
        select(Deadline)
        .where(Deadline.starts_at < cutoff, _valid_at(cutoff),
               or_(Deadline.done_at.is_(None), Deadline.done_at >= cutoff))
        .order_by(Deadline.due_at, Deadline.id)
    )
    return list(session.scalars(query))


def done_by(deadline: Deadline, cutoff: datetime) -> datetime | None:
    """When the stage was done, if that was before the cut-off."""
    done = as_utc(deadline.done_at)
    return done if done is not None and done < cutoff else None


def on_time(deadline: Deadline, cutoff: datetime) -> bool:
    """Done no later than due, as known at the cut-off."""
    done = done_by(deadline, cutoff)
    return done is not None and done <= as_utc(deadline.due_at)
