"""Queries behind 责任单位: open work and on-time rates per stage in a month, for the duty desk (研判) and each
office (核实、回应、处置), and the breaches behind them, each on the record of whoever held the stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dashboard.access import Viewer
from yuqing.db.models import OPEN_STATUSES, Breach, Deadline, Event, Office
from yuqing.labels import LEVELS, level_short, office_names, stage_text
from yuqing.settings_model import Settings
from yuqing.timeutil import LOCAL, as_utc, format_duration, format_local, to_local
from yuqing.workflow.holders import DUTY, DUTY_KEY, charge_key, holder_name

DEADLINE_STAGES = ("assess", "publish", "press", "respond")


def month_bounds(month: str | None, now: datetime) -> tuple[datetime, datetime, str]:
    """UTC start and end of a local calendar month “YYYY-MM” (default: the month of `now`), and its label."""
    local_now = to_local(now)
    try:
        year, number = (int(part) for part in (month or "").split("-"))
        start = datetime(year, number, 1, tzinfo=LOCAL)
    except ValueError:
        start = datetime(local_now.year, local_now.month, 1, tzinfo=LOCAL)
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=LOCAL)
    return as_utc(start), as_utc(end), start.strftime("%Y-%m")


def month_options(now: datetime, count: int = 12) -> list[dict]:
    """The last `count` local months as dropdown options, newest first."""
    local_now = to_local(now)
    year, month = local_now.year, local_now.month
    options = []
    for _ in range(count):
        options.append({"label": f"{year}年{month}月", "value": f"{year:04d}-{month:02d}"})
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return options


def _visible_offices(session: Session, viewer: Viewer) -> list[tuple[str, str]]:
    stmt = select(Office.code, Office.name).order_by(Office.lead.desc(), Office.code)
    if viewer.office_bound:
        stmt = stmt.where(Office.code == (viewer.office_code or ""))
    else:
        stmt = stmt.where(Office.active.is_(True))
    return list(session.execute(stmt))


def query_office_table(
    session: Session, settings: Settings, viewer: Viewer, month: str | None, now: datetime
) -> list[dict]:
    """One row per holder: the duty desk (events awaiting 研判, its on-time rate) unless the viewer is an office,
    then each office (its open events, its on-time rates); every row with its breaches in the month."""
    start, end, _ = month_bounds(month, now)
    offices = _visible_offices(session, viewer)
    holders = ([] if viewer.office_bound else [(DUTY_KEY, settings.duty.name)]) + offices
    keys = [key for key, _ in holders]
    open_counts = _open_by_level(session, [code for code, _ in offices])
    open_counts[DUTY_KEY] = dict(
        session.execute(
            select(Event.urgency, func.count()).where(Event.status == "detected").group_by(Event.urgency)
        ).all()
    )
    rates = query_on_time(session, keys, start, end, now)
    breaches: dict[str | None, int] = {}
    for holder, code, number in session.execute(
        select(Breach.holder, Breach.office_code, func.count())
        .where(Breach.due_at >= start, Breach.due_at < end)
        .group_by(Breach.holder, Breach.office_code)
    ):
        key = charge_key(holder, code)
        breaches[key] = breaches.get(key, 0) + number
    rows = []
    for key, name in holders:
        counts = open_counts.get(key, {})
        row = {"code": key, "office": name, "open": sum(counts.values()), "breaches": breaches.get(key, 0)}
        for level in LEVELS:
            row[f"open_{level}"] = counts.get(level, 0)
        for stage in DEADLINE_STAGES:
            row[f"rate_{stage}"] = _rate_text(rates.get((key, stage)))
        rows.append(row)
    return rows


def _open_by_level(session: Session, codes: list[str]) -> dict[str, dict[int, int]]:
    stmt = (
        select(Event.office_code, Event.urgency, func.count())
        .where(Event.status.in_(OPEN_STATUSES), Event.office_code.in_(codes))
        .group_by(Event.office_code, Event.urgency)
    )
    found: dict[str, dict[int, int]] = {}
    for code, level, number in session.execute(stmt):
        found.setdefault(code, {})[level] = number
    return found


def query_on_time(
    session: Session, keys: list[str], start: datetime, end: datetime, now: datetime
) -> dict[tuple[str, str], dict[str, int]]:
    """(holder key, stage) → counts of deadlines due in [start, end): on_time, late, pending (not yet due).

    As in the monthly report, a row counts if it was in force when due: one superseded later (missed, then
    handed over or dropped) stays a breach of whoever held it; one superseded before it fell due does not count."""
    stmt = select(Deadline.holder, Deadline.office_code, Deadline.stage, Deadline.due_at, Deadline.done_at).where(
        or_(Deadline.superseded_at.is_(None), Deadline.superseded_at > Deadline.due_at),
        Deadline.due_at >= start,
        Deadline.due_at < end,
        or_(Deadline.holder == DUTY, Deadline.office_code.in_(keys)),
    )
    found: dict[tuple[str, str], dict[str, int]] = {}
    for holder, code, stage, due, done in session.execute(stmt):
        key = charge_key(holder, code)
        if key not in keys:
            continue
        figures = found.setdefault((key, stage), {"on_time": 0, "late": 0, "pending": 0})
        due = as_utc(due)
        if done is not None:
            figures["on_time" if as_utc(done) <= due else "late"] += 1
        elif due < now:
            figures["late"] += 1
        else:
            figures["pending"] += 1
    return found


def _rate_text(figures: dict[str, int] | None) -> str:
    if not figures:
        return "—"
    decided = figures["on_time"] + figures["late"]
    if not decided:
        return f"—(进行中 {figures['pending']})"
    return f"{round(100 * figures['on_time'] / decided)}%({figures['on_time']}/{decided})"


def query_office_breaches(
    session: Session, settings: Settings, viewer: Viewer, month: str | None, now: datetime, limit: int = 300
) -> list[dict]:
    """Breaches due in the month, visible to the viewer (an office sees its own), newest first, each naming the
    holder it is charged to."""
    start, end, _ = month_bounds(month, now)
    names = office_names(session)
    stmt = (
        select(Breach, Event.title)
        .join(Event, Event.id == Breach.event_id)
        .where(Breach.due_at >= start, Breach.due_at < end)
    )
    if viewer.office_bound:
        stmt = stmt.where(Breach.holder != DUTY, Breach.office_code == (viewer.office_code or ""))
    stmt = stmt.order_by(Breach.due_at.desc()).limit(limit)
    return [
        {
            "id": f"{b.event_id}-{b.id}",
            "event_id": b.event_id,
            "title": title,
            "stage": stage_text(b.stage),
            "level": level_short(b.level),
            "office": holder_name(settings, charge_key(b.holder, b.office_code), names),
            "due": format_local(b.due_at),
            "done": format_local(b.done_at) if b.done_at else "未完成",
            "late": format_duration(as_utc(b.done_at or now) - as_utc(b.due_at)) + ("" if b.done_at else "(仍在超时)"),
        }
        for b, title in session.execute(stmt)
    ]
