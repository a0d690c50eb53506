"""评估: did heat and negativity fall after the response? Mentions per hour and negative share, before and after."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yuqing.db.models import Event, Mention, Response
from yuqing.settings_model import Settings
from yuqing.workflow import audit

WINDOW = timedelta(hours=24)  # compared on each side of the first confirmed response
NEGATIVE = 0.5  # a mention with negativity at or above this counts as negative
MIN_HOURS = 1.0  # rates over shorter spans are taken per hour of at least this length


def first_response_at(session: Session, event_id: int) -> datetime | None:
    """When the first confirmed response was published."""
    return session.scalar(
        select(func.min(Response.published_at)).where(Response.event_id == event_id, Response.status == "confirmed")
    )


def measure(session: Session, event_id: int, start: datetime, end: datetime) -> dict[str, Any]:
    """Mentions published in [start, end): how many, per hour, how many negative and their share."""
    published = func.coalesce(Mention.published_at, Mention.first_seen_at)
    count, negative = session.execute(
        select(
            func.count(Mention.id), func.coalesce(func.sum(case((Mention.negativity >= NEGATIVE, 1), else_=0)), 0)
        ).where(Mention.event_id == event_id, published >= start, published < end)
    ).one()
    return rates(start, end, int(count), int(negative))


def rates(start: datetime, end: datetime, count: int, negative: int) -> dict[str, Any]:
    """The figures of `count` mentions (`negative` of them negative) published in [start, end)."""
    hours = max((end - start).total_seconds() / 3600, MIN_HOURS) if end > start else 0.0
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "hours": round(hours, 2),
        "mentions": count,
        "per_hour": round(count / hours, 3) if hours else None,
        "negative": negative,
        "negative_share": round(negative / count, 3) if count else None,
    }


def verdict(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The change from before to after the response, in words (heat, negative share)."""
    parts = []
    if before["per_hour"]:
        change = (after["per_hour"] - before["per_hour"]) / before["per_hour"]
        parts.append(f"热度{'下降' if change < 0 else '上升'} {abs(change):.0%}")
    if before["negative_share"] is not None and after["negative_share"] is not None:
        points = (after["negative_share"] - before["negative_share"]) * 100
        parts.append(f"负面占比{'下降' if points < 0 else '上升'} {abs(points):.0f} 个百分点")
    if not after["mentions"]:
        parts.append("回应后无新增信息")
    return ",".join(parts) or "数据不足,无法判断"


def compute_effect(session: Session, event: Event, now: datetime, window: timedelta = WINDOW) -> dict[str, Any] | None:
    """The before/after figures, or None while there is no confirmed response or its after-window is still open."""
    response_at = first_response_at(session, event.id)
    if response_at is None or response_at + window > now:
        return None
    first = event.first_published_at or event.detected_at
    before = measure(session, event.id, max(response_at - window, min(first, response_at)), response_at)
    after = measure(session, event.id, response_at, response_at + window)
    return {
        "response_at": response_at.isoformat(),
        "window_hours": window.total_seconds() / 3600,
        "before": before,
        "after": after,
        "verdict": verdict(before, after),
        "evaluated_at": now.isoformat(),
    }


def evaluation_due(session: Session, event: Event, now: datetime, window: timedelta = WINDOW) -> bool:
    """Whether a closed event can be evaluated now."""
    response_at = first_response_at(session, event.id)
    return event.status == "closed" and response_at is not None and response_at + window <= now


def evaluate_event(
    session: Session, settings: Settings, event: Event, now: datetime, actor: str = audit.SYSTEM
) -> bool:
    """Store the effect on a closed event and mark it evaluated (评估); False if it cannot be measured yet."""
    effect = compute_effect(session, event, now)
    if effect is None or event.status != "closed":
        return False
    audit.change_fields(
        session,
        event,
        {"effect": effect, "status": "evaluated"},
        actor=actor,
        action="evaluate",
        at=now,
        comment=effect["verdict"],
    )
    return True
