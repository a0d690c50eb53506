"""Deadlines (时限) per urgency level and stage: set on detection, recomputed on a level change, closed when done."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yuqing.db.models import Breach, Deadline, Event
from yuqing.settings_model import Settings
from yuqing.workflow import audit
from yuqing.workflow.holders import OFFICE, holder_of

STAGES = ("assess", "publish", "press", "respond")
# A confirmed response of one stage completes these deadline stages (publish and respond are the same duty
# at different levels: 发布权威信息 for 特别重大/重大, 回应 for the others).
COMPLETED_BY = {
    "assess": ("assess",),
    "publish": ("publish", "respond"),
    "respond": ("publish", "respond"),
    "press": ("press",),
}


def budgets(settings: Settings, level: int) -> dict[str, timedelta]:
    """Stage → budget for an urgency level; stages with a zero budget do not apply."""
    conf = settings.deadlines.for_level(level)
    hours = {stage: getattr(conf, f"{stage}_hours") for stage in STAGES}
    return {stage: timedelta(hours=h) for stage, h in hours.items() if h > 0}


def warn_time(deadline: Deadline, share: float) -> datetime:
    """When a share of the deadline's budget has been used."""
    return deadline.starts_at + (deadline.due_at - deadline.starts_at) * share


def record_breach(session: Session, row: Deadline, now: datetime, actor: str, comment: str) -> None:
    """Mark a missed deadline row breached and keep its breach record (charged to the row's holder and office),
    with the audit row that says so."""
    row.breached_at = now
    session.add(
        Breach(
            deadline_id=row.id,
            event_id=row.event_id,
            stage=row.stage,
            level=row.level,
            holder=row.holder,
            office_code=row.office_code,
            due_at=row.due_at,
            recorded_at=now,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="deadline_breached",
        event_id=row.event_id,
        field=f"deadline.{row.stage}",
        before=row.due_at,
        after=now,
        comment=comment,
        at=now,
    )


def missed_unrecorded(row: Deadline, now: datetime) -> bool:
    """Past due and not done, but the deadline check has not recorded its breach yet (it runs every minute)."""
    return row.done_at is None and row.breached_at is None and row.due_at <= now


def _record_missed(session: Session, row: Deadline, now: datetime, actor: str, why: str) -> None:
    """A row stopped (dropped or handed over) after its due time, before the check caught it: the breach is
    recorded now, so the breach records and the monthly report agree. No mail: the stage is no longer open."""
    record_breach(session, row, now, actor, f"超过办理时限({why}时记录)")


def open_deadlines(session: Session, event_id: int) -> list[Deadline]:
    """The event's deadlines that are neither done nor superseded, by due time."""
    return list(
        session.scalars(
            select(Deadline)
            .where(Deadline.event_id == event_id, Deadline.done_at.is_(None), Deadline.superseded_at.is_(None))
            .order_by(Deadline.due_at, Deadline.id)
        )
    )


def _done_stages(session: Session, event_id: int) -> set[str]:
    return set(
        session.scalars(select(Deadline.stage).where(Deadline.event_id == event_id, Deadline.done_at.is_not(None)))
    )


def _new(
    session: Session,
    event: Event,
    stage: str,
    starts: datetime,
    due: datetime,
    *,
    actor: str,
    now: datetime,
    before: datetime | None = None,
    comment: str | None = None,
    warned: list[float] | None = None,
) -> Deadline:
    holder = holder_of(stage)
    row = Deadline(
        event_id=event.id,
        stage=stage,
        level=event.urgency,
        holder=holder,
        office_code=event.office_code if holder == OFFICE else None,
        created_at=now,
        starts_at=starts,
        due_at=due,
        warned_shares=warned or [],
        escalation_step=0,
    )
    session.add(row)
    if before is None or before != due:  # a row that keeps its due time (only the level changed) is no news
        audit.record(
            session,
            actor=actor,
            action="deadline_set",
            event_id=event.id,
            field=f"deadline.{stage}",
            before=before,
            after=due,
            comment=comment,
            at=now,
        )
    return row


def compute_deadlines(
    session: Session,
    settings: Settings,
    event: Event,
    now: datetime,
    actor: str = audit.SYSTEM,
    start: datetime | None = None,
) -> list[Deadline]:
    """The deadlines of a newly detected event, counted from its detection (or from `start`: a matter that
    resumes after its merge is undone)."""
    done = _done_stages(session, event.id)
    start = start or event.detected_at
    rows = [
        _new(session, event, stage, start, start + budget, actor=actor, now=now, comment=f"{event.urgency} 级事件时限")
        for stage, budget in budgets(settings, event.urgency).items()
        if stage not in done
    ]
    session.flush()
    return rows


def recompute_deadlines(
    session: Session,
    settings: Settings,
    event: Event,
    old_level: int,
    now: datetime,
    actor: str = audit.SYSTEM,
    comment: str | None = None,
) -> list[Deadline]:
    """Supersede open deadlines after a level change and set new ones; returns the new rows.

    A stage that continues: a looser budget counts from detection; a tighter one counts from the change (the
    office could not know sooner) but never beyond the old due time. A stage that appears at the new level is
    counted from now. A stage whose deadline was already breached keeps its row (the breach and the escalation
    stand).
    """
    note = comment or f"等级由 {old_level} 级调整为 {event.urgency} 级"
    new_budgets = budgets(settings, event.urgency)
    current = {row.stage: row for row in open_deadlines(session, event.id)}
    done = _done_stages(session, event.id)
    created: list[Deadline] = []
    for stage, old in current.items():
        if stage not in new_budgets:
            if missed_unrecorded(old, now):
                _record_missed(session, old, now, actor, "等级调整、该环节取消")
            old.superseded_at, old.next_escalation_at = now, None
            audit.record(
                session,
                actor=actor,
                action="deadline_dropped",
                event_id=event.id,
                field=f"deadline.{stage}",
                before=old.due_at,
                after=None,
                comment=note,
                at=now,
            )
    for stage, budget in new_budgets.items():
        held = current.get(stage)
        if stage in done or (held is not None and (held.breached_at is not None or missed_unrecorded(held, now))):
            continue  # a missed stage keeps its row: the check records the breach and escalates as usual
        if held is None:
            created.append(_new(session, event, stage, now, now + budget, actor=actor, now=now, comment=note))
            continue
        due = max(event.detected_at + budget, min(held.due_at, now + budget))
        starts = max(event.detected_at, due - budget)
        held.superseded_at = now
        row = _new(session, event, stage, starts, due, actor=actor, now=now, before=held.due_at, comment=note)
        # Warnings already sent for a point that is still passed are not sent again.
        row.warned_shares = [s for s in held.warned_shares or [] if warn_time(row, s) <= now]
        created.append(row)
    session.flush()
    return created


def complete_stages(
    session: Session,
    event: Event,
    response_stage: str,
    done_at: datetime,
    now: datetime,
    actor: str,
    comment: str | None = None,
) -> list[Deadline]:
    """Mark the deadlines a response (or an assessment) fulfils as done, and note when on their breaches."""
    stages = COMPLETED_BY[response_stage]
    finished = [row for row in open_deadlines(session, event.id) if row.stage in stages]
    for row in finished:
        row.done_at, row.next_escalation_at = done_at, None
        late = "(已超时)" if done_at > row.due_at else ""
        audit.record(
            session,
            actor=actor,
            action="deadline_done",
            event_id=event.id,
            field=f"deadline.{row.stage}",
            before=row.due_at,
            after=done_at,
            comment=(comment or "") + late or None,
            at=now,
        )
    session.execute(
        update(Breach)
        .where(Breach.event_id == event.id, Breach.stage.in_(stages), Breach.done_at.is_(None))
        .values(done_at=done_at)
    )
    return finished


def cancel_open(session: Session, event: Event, now: datetime, actor: str, reason: str) -> list[Deadline]:
    """Supersede every open deadline of an event that no longer needs them (closed, false alarm, no action)."""
    rows = open_deadlines(session, event.id)
    for row in rows:
        if missed_unrecorded(row, now):
            _record_missed(session, row, now, actor, "事件办结或撤销")
        row.superseded_at, row.next_escalation_at = now, None
        audit.record(
            session,
            actor=actor,
            action="deadline_dropped",
            event_id=event.id,
            field=f"deadline.{row.stage}",
            before=row.due_at,
            after=None,
            comment=reason,
            at=now,
        )
    return rows


def reassign_open(
    session: Session,
    settings: Settings,
    event: Event,
    office_code: str | None,
    now: datetime,
    actor: str,
    office_name: str = "",
) -> list[Deadline]:
    """Hand the office's open deadlines to the event's new office; returns the new rows.

    The new office could not act before now, so each stage gets at least its whole budget from the handover (or
    keeps the old due time if that is later). The old row stops here: if it was already missed, its breach and
    the time late until now stay on the old office's record; if not, the old office is not charged at all."""
    moved = []
    for old in open_deadlines(session, event.id):
        if old.holder != OFFICE or old.office_code == office_code:
            continue
        budget = budgets(settings, old.level).get(old.stage, old.due_at - old.starts_at)
        due = max(old.due_at, now + budget)
        if missed_unrecorded(old, now):
            _record_missed(session, old, now, actor, "改派移交")
        old.superseded_at, old.next_escalation_at = now, None
        row = Deadline(
            event_id=event.id,
            stage=old.stage,
            level=old.level,
            holder=OFFICE,
            office_code=office_code,
            created_at=now,
            starts_at=due - budget,
            due_at=due,
            warned_shares=[],
            escalation_step=0,
        )
        session.add(row)
        audit.record(
            session,
            actor=actor,
            action="deadline_moved",
            event_id=event.id,
            field=f"deadline.{old.stage}",
            before=old.due_at,
            after=due,
            comment=f"移交{office_name or office_code or '未分派'},自移交时起计时"
            if due > old.due_at
            else f"移交{office_name or office_code or '未分派'},截止时间不变",
            at=now,
        )
        moved.append(row)
    session.flush()
    return moved
