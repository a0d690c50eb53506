"""Queries behind 责任单位: open events per office, on-time rates per stage in a month, breaches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.access import Viewer
from dashboard.labels import LEVELS, level_short, office_names, stage_text
from yuqing.db.models import OPEN_STATUSES, Breach, Deadline, Event, Office
from yuqing.timeutil import LOCAL, as_utc, format_local, to_local

UNASSIGNED = "—"
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


def query_office_table(session: Session, viewer: Viewer, month: str | None, now: datetime) -> list[dict]:
    """One row per office: open events by level, on-time rate per stage in the month, breaches in the month."""
    start, end, _ = month_bounds(month, now)
    offices = _visible_offices(session, viewer)
    codes = [code for code, _ in offices]
    open_counts = _open_by_level(session, codes)
    rates = query_on_time(session, codes, start, end, now)
    breaches = dict(session.execute(
        select(Breach.office_code, func.count())
        .where(Breach.office_code.in_(codes), Breach.due_at >= start, Breach.due_at < end)
        .group_by(Breach.office_code)
    ).all())
    rows = []
    for code, name in offices:
        row = {"code": code, "office": name, "open": sum(open_counts.get(code, {}).values()),
               "breaches": breaches.get(code, 0)}
        for level in LEVELS:
            row[f"open_{level}"] = open_counts.get(code, {}).get(level, 0)
        for stage in DEADLINE_STAGES:
            figures = rates.get((code, stage))
            row[f"rate_{stage}"] = _rate_text(figures)
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


def query_on_time(session: Session, codes: list[str], start: datetime, end: datetime,
                  now: datetime) -> dict[tuple[str, str], dict[str, int]]:
    """(office, stage) → counts of deadlines due in [start, end): on_time, late, pending (not yet due)."""
    stmt = (
        select(Deadline.office_code, Deadline.stage, Deadline.due_at, Deadline.done_at)
        .where(Deadline.superseded_at.is_(None), Deadline.due_at >= start, Deadline.due_at < end,
               Deadline.office_code.in_(codes))
    )
    found: dict[tuple[str, str], dict[str, int]] = {}
    for code, stage, due, done in session.execute(stmt):
        figures = found.setdefault((code, stage), {"on_time": 0, "late": 0, "pending": 0})
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


def query_office_breaches(session: Session, viewer: Viewer, month: str | None, now: datetime,
                          limit: int = 300) -> list[dict]:
    """Breaches due in the month, visible to the viewer, newest first."""
    start, end, _ = month_bounds(month, now)
    codes = [code for code, _ in _visible_offices(session, viewer)]
    names = office_names(session)
    stmt = (
        select(Breach, Event.title)
        .join(Event, Event.id == Breach.event_id)
        .where(Breach.due_at >= start, Breach.due_at < end)
    )
    if viewer.office_bound:
        stmt = stmt.where(Breach.office_code.in_(codes))
    stmt = stmt.order_by(Breach.due_at.desc()).limit(limit)
    return [
        {"id": f"{b.event_id}-{b.id}", "event_id": b.event_id, "title": title, "stage": stage_text(b.stage), "level": level_short(b.level),
         "office": names.get(b.office_code or "", UNASSIGNED), "due": format_local(b.due_at),
         "done": format_local(b.done_at) if b.done_at else "未完成"}
        for b, title in session.execute(stmt)
    ]
