"""Records as they stood at a cut-off: event fields rolled back through the audit log, heat, status times, deadlines.

The audit log (yuqing.workflow.audit) is append-only: a change of an event field is a row with `event_id`,
`field` (the Event column), `before`/`after` as text and `at`. A field's value at a cut-off is the `before`
of its first change at or after the cut-off, or its current value if it has not changed since. Status rows
give the time each stage was first reached. Heat is not logged; it is recomputed from the mentions first
seen before the cut-off with the formula ingest uses (yuqing.event_figures.heat_score)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yuqing.db.models import AuditLog, Deadline, Event, Mention
from yuqing.event_figures import heat_score
from yuqing.timeutil import as_utc
from yuqing.workflow.holders import DUTY, DUTY_KEY

_CHUNK = 500


def _text(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _int(value: str | None) -> int | None:
    return int(float(value)) if _text(value) is not None else None


def _json(value: str | None) -> Any:
    return json.loads(value) if _text(value) is not None else {}


# Event fields the reports read, and how their audit-log text turns back into a value.
TRACKED_FIELDS: dict[str, Callable[[str | None], Any]] = {
    "urgency": _int,
    "topic": _text,
    "office_code": _text,
    "status": _text,
    "effect": _json,
}
DISMISSED_STATUSES = ("false_alarm", "no_action", "merged")


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
    effect: dict[str, Any]
    heat: float = 0.0
    reached: dict[str, datetime] = field(default_factory=dict)  # status → first time reached before the cut-off
    assessed: datetime | None = None  # first time it left “detected” (研判), before the cut-off

    @property
    def needs_handling(self) -> bool:
        """False for events dismissed as 误报 or 无需处置, or merged into another, by the cut-off."""
        return self.status not in DISMISSED_STATUSES

    @property
    def closed(self) -> datetime | None:
        """When it was closed (办结), before the cut-off."""
        return self.reached.get("closed") or self.reached.get("evaluated")

    def hours_to(self, moment: datetime | None) -> float | None:
        """Hours from detection to a moment, or None."""
        if moment is None:
            return None
        return (as_utc(moment) - as_utc(self.detected_at)).total_seconds() / 3600


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    wanted = sorted(set(ids))
    for index in range(0, len(wanted), _CHUNK):
        yield wanted[index : index + _CHUNK]


def events_as_of(session: Session, ids: Iterable[int], cutoff: datetime) -> dict[int, EventAsOf]:
    """The events with these ids, each as it stood at the cut-off (events detected later are left out)."""
    result: dict[int, EventAsOf] = {}
    for chunk in _chunks(ids):
        for event in session.scalars(select(Event).where(Event.id.in_(chunk), Event.detected_at < cutoff)):
            result[event.id] = EventAsOf(
                id=event.id,
                title=event.title,
                detected_at=event.detected_at,
                urgency=event.urgency,
                topic=event.topic,
                office_code=event.office_code,
                status=event.status,
                effect=event.effect or {},
                reached={"detected": event.detected_at},
            )
        _roll_back(session, chunk, cutoff, result)
        for event_id, heat in heat_as_of(session, chunk, cutoff).items():
            if event_id in result:
                result[event_id].heat = heat
    return result


def _roll_back(session: Session, chunk: list[int], cutoff: datetime, result: dict[int, EventAsOf]) -> None:
    rows = session.scalars(
        select(AuditLog)
        .where(AuditLog.event_id.in_(chunk), AuditLog.field.in_([*TRACKED_FIELDS, "responded_at"]))
        .order_by(AuditLog.at, AuditLog.id)
    )
    rolled_back: set[tuple[int, str]] = set()
    for row in rows:
        state = result.get(row.event_id)
        if state is None:
            continue
        if row.field == "responded_at":
            # A response recorded before 研判 is done counts from when it was recorded, not from the 研判 that later
            # moved the event to 已回应: the office's response time is its own.
            if as_utc(row.at) < cutoff:
                state.reached.setdefault("responded", as_utc(row.at))
            continue
        if as_utc(row.at) >= cutoff:
            # Only the first change after the cut-off matters: its `before` is the value at the cut-off.
            if (row.event_id, row.field) not in rolled_back:
                rolled_back.add((row.event_id, row.field))
                before = TRACKED_FIELDS[row.field](row.before)
                if before is not None:
                    setattr(state, row.field, before)
        elif row.field == "status" and row.after:
            state.reached.setdefault(row.after, as_utc(row.at))
            if row.before == "detected" and state.assessed is None:
                state.assessed = as_utc(row.at)


def heat_as_of(session: Session, ids: list[int], cutoff: datetime) -> dict[int, float]:
    """Heat of each event from its mentions first seen before the cut-off (velocity: the hour before the last)."""
    stats = session.execute(
        select(
            Mention.event_id,
            func.count(Mention.id),
            func.count(func.distinct(Mention.source_id)),
            func.coalesce(func.sum(Mention.reposts), 0),
            func.coalesce(func.sum(Mention.comments), 0),
            func.max(Mention.first_seen_at),
        )
        .where(Mention.event_id.in_(ids), Mention.first_seen_at < cutoff)
        .group_by(Mention.event_id)
    ).all()
    heat = {}
    for event_id, mentions, sources, reposts, comments, last in stats:
        recent = session.scalar(
            select(func.count(Mention.id)).where(
                Mention.event_id == event_id,
                Mention.first_seen_at >= as_utc(last) - timedelta(hours=1),
                Mention.first_seen_at < cutoff,
            )
        )
        heat[event_id] = heat_score(mentions, sources, int(reposts), int(comments), float(recent))
    return heat


def event_ids_detected(session: Session, start: datetime, end: datetime) -> list[int]:
    """Ids of events first detected in [start, end)."""
    return list(session.scalars(select(Event.id).where(Event.detected_at >= start, Event.detected_at < end)))


def event_ids_reaching(session: Session, status: str, start: datetime, end: datetime) -> list[int]:
    """Ids of events whose status became `status` (per the audit log) in [start, end)."""
    query = select(AuditLog.event_id).where(
        AuditLog.field == "status",
        AuditLog.after == status,
        AuditLog.at >= start,
        AuditLog.at < end,
        AuditLog.event_id.is_not(None),
    )
    return sorted(set(session.scalars(query)))


def deadlines_due(session: Session, start: datetime, end: datetime) -> list[Deadline]:
    """Deadline rows due in [start, end) that were in force when due.

    A row superseded before it fell due (a level change recomputed it, or the event was closed or dismissed
    first) does not count; one superseded after it fell due was missed, and stays a breach."""
    query = (
        select(Deadline)
        .where(
            Deadline.due_at >= start,
            Deadline.due_at < end,
            or_(Deadline.superseded_at.is_(None), Deadline.superseded_at > Deadline.due_at),
        )
        .order_by(Deadline.due_at, Deadline.id)
    )
    return list(session.scalars(query))


def deadlines_open(session: Session, cutoff: datetime) -> list[Deadline]:
    """Deadline rows running at the cut-off: started, in force and not done by then.

    Rows created after the cut-off (a later recomputation) are not yet in force; of several rows in force
    per event and stage, the lowest id is kept."""
    in_force = (
        Deadline.starts_at < cutoff,
        Deadline.created_at < cutoff,
        or_(Deadline.superseded_at.is_(None), Deadline.superseded_at >= cutoff),
    )
    running = select(Deadline.event_id).where(*in_force, or_(Deadline.done_at.is_(None), Deadline.done_at >= cutoff))
    seen: set[tuple[int, str]] = set()
    kept = []
    for row in session.scalars(select(Deadline).where(Deadline.event_id.in_(running), *in_force).order_by(Deadline.id)):
        if (row.event_id, row.stage) in seen:
            continue
        seen.add((row.event_id, row.stage))
        if done_by(row, cutoff) is None:
            kept.append(row)
    return sorted(kept, key=lambda row: (as_utc(row.due_at), row.id))


def done_by(deadline: Deadline, cutoff: datetime) -> datetime | None:
    """When the stage was done, if that was before the cut-off."""
    done = as_utc(deadline.done_at)
    return done if done is not None and done < cutoff else None


def on_time(deadline: Deadline, cutoff: datetime) -> bool:
    """Done no later than due, as known at the cut-off."""
    done = done_by(deadline, cutoff)
    return done is not None and done <= as_utc(deadline.due_at)


def stopped_at(deadline: Deadline, cutoff: datetime) -> datetime:
    """When a missed deadline stopped running: done, dropped (superseded) or, failing both, the cut-off."""
    ends = [as_utc(t) for t in (deadline.done_at, deadline.superseded_at) if t is not None]
    return min([*ends, cutoff])


def charged_to(
    deadline: Deadline, state: EventAsOf, breach_offices: dict[int, str | None], cutoff: datetime
) -> str | None:
    """Who a deadline counts for at the cut-off: the duty desk (DUTY_KEY) for a stage it holds, else an office.

    A recorded breach keeps the office it was recorded against (breach_offices: deadline id → office).
    Otherwise a row finished (done or dropped) before the cut-off keeps its own office; a row still open then
    belonged to the event's office at the cut-off, since open rows follow the event when it is reassigned."""
    if deadline.holder == DUTY:
        return DUTY_KEY
    if deadline.id in breach_offices:
        return breach_offices[deadline.id]
    finished = [t for t in (deadline.done_at, deadline.superseded_at) if t is not None and as_utc(t) < cutoff]
    return deadline.office_code if finished else state.office_code
