"""Scheduled workflow jobs: the deadline check (warnings, breaches, escalation) and the later effect evaluation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from yuqing.app import App
from yuqing.db.models import Deadline, Event
from yuqing.mail.event_view import EventView, load_views
from yuqing.settings_model import Settings
from yuqing.timeutil import utcnow
from yuqing.workflow import audit, notify
from yuqing.workflow.deadlines import record_breach, warn_time
from yuqing.workflow.effect import evaluate_event, evaluation_due

log = logging.getLogger("yuqing.workflow")
BATCH = 500


class epoch_seconds(FunctionElement):
    """Seconds since 1970 of a stored UTC time, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


def due_condition(shares: list[float], now: datetime):
    """Open deadlines with something to do now: a warning point passed, the deadline passed, an escalation due."""
    at = now.timestamp()
    starts, due = epoch_seconds(Deadline.starts_at), epoch_seconds(Deadline.due_at)
    passed = sum((case((starts * (1 - s) + due * s <= at, 1), else_=0) for s in shares), literal(0))
    return and_(
        Deadline.done_at.is_(None),
        Deadline.superseded_at.is_(None),
        or_(
            and_(Deadline.breached_at.is_(None), Deadline.due_at <= now),
            Deadline.next_escalation_at <= now,
            and_(Deadline.breached_at.is_(None), passed > func.json_array_length(Deadline.warned_shares)),
        ),
    )


@dataclass
class CheckReport:
    """What one deadline check did."""

    warnings: int = 0
    breaches: int = 0
    escalations: int = 0


def _record_breach(session: Session, settings: Settings, view: EventView, row: Deadline, now: datetime) -> None:
    record_breach(session, row, now, audit.SYSTEM, f"超过办理时限,记在{notify.holder_title(settings, row)}名下")
    row.escalation_step = 0
    row.next_escalation_at = row.due_at + notify.escalation_offsets(settings)[0]
    notify.breach(session, settings, view, row, now)


def _warn(session: Session, settings: Settings, view: EventView, row: Deadline, now: datetime) -> bool:
    passed = [s for s in settings.deadlines.warn_shares if warn_time(row, s) <= now]
    fresh = [s for s in passed if s not in (row.warned_shares or [])]
    if not fresh:
        return False
    # Only the furthest point is announced: a check that was down for a while sends one warning, not two.
    share = max(fresh)
    row.warned_shares = sorted(set(row.warned_shares or []) | set(passed))
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="deadline_warned",
        event_id=row.event_id,
        field=f"deadline.{row.stage}",
        after=f"{round(share * 100)}%",
        at=now,
    )
    notify.deadline_warning(session, settings, view, row, share, now)
    return True


def _escalate(session: Session, settings: Settings, view: EventView, row: Deadline, now: datetime) -> int:
    offsets = notify.escalation_offsets(settings)
    steps = 0
    while row.next_escalation_at is not None and row.next_escalation_at <= now:
        step = row.escalation_step + 1
        target, _ = notify.escalation_target(settings, step, row)
        notify.escalation(session, settings, view, row, step, now)
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="escalated",
            event_id=row.event_id,
            field=f"deadline.{row.stage}",
            before=row.escalation_step,
            after=step,
            comment=f"告知{target}",
            at=now,
        )
        row.escalation_step = step
        row.next_escalation_at = row.due_at + offsets[step] if step < notify.ESCALATION_STEPS else None
        steps += 1
    return steps


def _process(
    session: Session, settings: Settings, view: EventView, row: Deadline, now: datetime, report: CheckReport
) -> None:
    if row.breached_at is None:
        if now >= row.due_at:
            _record_breach(session, settings, view, row, now)
            report.breaches += 1
        elif _warn(session, settings, view, row, now):
            report.warnings += 1
    if row.breached_at is not None:
        report.escalations += _escalate(session, settings, view, row, now)


def check_deadlines(app: App, now: datetime | None = None, *, batch: int = BATCH) -> CheckReport:
    """Warn, record breaches and escalate for every due deadline; running it twice sends nothing twice."""
    settings = app.settings
    now = now or utcnow()
    report = CheckReport()
    condition = due_condition(settings.deadlines.warn_shares, now)
    last_id = 0
    while True:
        with app.db.write() as session:
            rows = list(
                session.scalars(
                    select(Deadline)
                    .where(condition, Deadline.id > last_id)
                    .order_by(Deadline.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            )
            if not rows:
                break
            last_id = rows[-1].id
            views = load_views(session, settings, [row.event_id for row in rows])
            for row in rows:
                _process(session, settings, views[row.event_id], row, now, report)
        if len(rows) < batch:
            break
    if report.warnings or report.breaches or report.escalations:
        log.info("时限检查:预警 %d,超时 %d,升级 %d", report.warnings, report.breaches, report.escalations)
        app.wake_outbox()
    return report


def evaluate_effects(app: App, now: datetime | None = None) -> int:
    """评估 closed events whose after-response window has ended; returns how many were evaluated."""
    now = now or utcnow()
    done = 0
    with app.db.write() as session:
        for event in session.scalars(select(Event).where(Event.status == "closed").order_by(Event.id)):
            if evaluation_due(session, event, now):
                done += evaluate_event(session, app.settings, event, now)
    return done
