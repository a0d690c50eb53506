"""Queries behind one event's page: the event, its deadlines, responses, audit trail, mentions, sources, heat."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.access import Viewer
from yuqing.db.models import AuditLog, Comment, Deadline, Event, Mention, Response, Snapshot, Source
from yuqing.labels import (
    RESPONSE_STATUS_NAMES,
    actor_text,
    audit_action_text,
    audit_field_text,
    audit_value_text,
    level_text,
    office_names,
    stage_text,
    status_text,
    topic_text,
)
from yuqing.privacy import masked
from yuqing.settings_model import Settings
from yuqing.timeutil import LOCAL, as_utc, format_duration, format_local, remaining_text
from yuqing.workflow.holders import charge_key, holder_name

TIMELINE_LIMIT = 200
NEGATIVE_THRESHOLD = 0.5  # a mention at or above this negativity counts as negative


MERGE_HOPS = 10  # an event merged into one that was merged in turn: follow the chain this far


def visible_event(session: Session, viewer: Viewer, event_id: int | str | None) -> Event | None:
    """The event if it exists and the viewer may see it; None otherwise (the caller cannot tell which).

    An office also sees an event into which one of its own events was merged: it was alerted about the matter
    and must be able to follow where it went (it may look, not act, unless the event is also its own)."""
    try:
        event = session.get(Event, int(event_id))
    except (TypeError, ValueError):
        return None
    if event is None:
        return None
    if viewer.can_see_event(event.office_code) or merged_from_own(session, viewer, event.id):
        return event
    return None


def merged_from_own(session: Session, viewer: Viewer, event_id: int) -> bool:
    """Whether an event of the viewer's office was merged, directly or along a chain, into this event."""
    if not viewer.office_bound or not viewer.office_code:
        return False
    frontier = {event_id}
    for _ in range(MERGE_HOPS):
        rows = session.execute(select(Event.id, Event.office_code).where(Event.merged_into_id.in_(frontier))).all()
        if any(code == viewer.office_code for _, code in rows):
            return True
        frontier = {event for event, _ in rows}
        if not frontier:
            return False
    return False


def query_event_detail(
    session: Session, settings: Settings, event_id: int | str, viewer: Viewer, now: datetime
) -> dict | None:
    """Everything the event page shows, or None when the event is missing or not visible to the viewer."""
    event = visible_event(session, viewer, event_id)
    if event is None:
        return None
    names = office_names(session)
    return {
        "id": event.id,
        "title": event.title,
        "summary": event.summary,
        "urgency": event.urgency,
        "level": level_text(event.urgency),
        "status_code": event.status,
        "status": status_text(event.status),
        "status_reason": event.status_reason or "",
        "merged_into": event.merged_into_id,
        "merged_from": list(
            session.scalars(select(Event.id).where(Event.merged_into_id == event.id).order_by(Event.id))
        ),
        "topic_code": event.topic,
        "topic": topic_text(settings, event.topic),
        "office_code": event.office_code,
        "office": names.get(event.office_code or "", "未分派"),
        "village": event.village or "—",
        "reasons": [str(r) for r in event.reasons or []],
        "key_terms": [str(t) for t in event.key_terms or []],
        "detected": format_local(event.detected_at),
        "first_published": format_local(event.first_published_at),
        "last_mention": format_local(event.last_mention_at),
        "mention_count": event.mention_count,
        "source_count": event.source_count,
        "heat": round(event.heat or 0.0, 1),
        "velocity": round(event.velocity or 0.0, 1),
        "negativity": round((event.negativity or 0.0) * 100),
        "emerging": bool(event.emerging),
        "deadlines": query_deadlines(session, settings, event.id, names, now),
        "responses": query_responses(session, event.id),
        "audit": query_audit(session, settings, event.id, names),
    }


def query_deadlines(
    session: Session, settings: Settings, event_id: int, names: dict[str, str], now: datetime
) -> list[dict]:
    """Every deadline of the event (superseded ones too) with who holds it and its state in words."""
    rows = session.scalars(
        select(Deadline).where(Deadline.event_id == event_id).order_by(Deadline.starts_at, Deadline.id)
    ).all()
    return [
        {
            "id": d.id,
            "stage": stage_text(d.stage),
            "level": d.level,
            "office": holder_name(settings, charge_key(d.holder, d.office_code), names),
            "starts": format_local(d.starts_at),
            "due": format_local(d.due_at),
            "state": _deadline_state(d, now),
            "late": _is_late(d, now),
        }
        for d in rows
    ]


def _is_late(deadline: Deadline, now: datetime) -> bool:
    if deadline.superseded_at is not None:
        return as_utc(deadline.superseded_at) > as_utc(deadline.due_at)  # missed before it was replaced
    finished = as_utc(deadline.done_at) if deadline.done_at else now
    return finished > as_utc(deadline.due_at)


def _deadline_state(deadline: Deadline, now: datetime) -> str:
    due = as_utc(deadline.due_at)
    if deadline.superseded_at is not None:
        stopped = as_utc(deadline.superseded_at)
        if stopped > due:  # the breach stays on the record of whoever held it then
            return f"超时 {format_duration(stopped - due)} 后于 {format_local(stopped)} 停止计时(移交、改级或办结)"
        return f"已作废({format_local(stopped)} 等级调整、移交或办结)"
    if deadline.done_at is not None:
        done = as_utc(deadline.done_at)
        if done <= due:
            return f"按时完成({format_local(done)})"
        return f"超时完成,晚 {format_duration(done - due)}"
    return remaining_text(due, now)


def query_responses(session: Session, event_id: int) -> list[dict]:
    """Responses recorded for or proposed on the event, newest first."""
    rows = session.scalars(
        select(Response).where(Response.event_id == event_id).order_by(Response.published_at.desc(), Response.id)
    ).all()
    return [
        {
            "id": r.id,
            "stage": stage_text(r.stage),
            "status_code": r.status,
            "status": RESPONSE_STATUS_NAMES.get(r.status, r.status),
            "channel": r.channel,
            "url": r.url or "",
            "content": masked(r.content),
            "published": format_local(r.published_at),
            "recorded_by": r.recorded_by,
            "from_evidence": r.evidence_mention_id is not None,
        }
        for r in rows
    ]


def query_audit(
    session: Session, settings: Settings, event_id: int, names: dict[str, str], limit: int = 300
) -> list[dict]:
    """The event's audit trail, newest first, with actions, fields and values in words."""
    rows = session.scalars(
        select(AuditLog)
        .where(AuditLog.event_id == event_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": a.id,
            "at": format_local(a.at, "%Y-%m-%d %H:%M:%S"),
            "actor": actor_text(a.actor),
            "action_code": a.action,
            "action": audit_action_text(a.action),
            "field": audit_field_text(a.field),
            "before": audit_value_text(settings, names, a.field, a.before),
            "after": audit_value_text(settings, names, a.field, a.after),
            "comment": a.comment or "",
        }
        for a in rows
    ]


def query_event_mentions(
    session: Session, settings: Settings, event_id: int, limit: int = TIMELINE_LIMIT
) -> list[dict]:
    """The event's mentions as a timeline (earliest first, the latest `limit`), noting which have evidence."""
    stmt = (
        select(Mention, Source.title)
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.event_id == event_id)
        .order_by(Mention.first_seen_at.desc(), Mention.id.desc())
        .limit(limit)
    )
    rows = session.execute(stmt).all()
    with_snapshot = set(
        session.scalars(select(Snapshot.mention_id).where(Snapshot.mention_id.in_([m.id for m, _ in rows])).distinct())
    )
    comments = _comments_of(session, [m.id for m, _ in rows])
    return [
        {
            "id": m.id,
            "title": m.title or "(无标题)",
            "content": m.content[:300],
            "url": m.url,
            "source": source,
            "author": m.author or "",
            "published": format_local(m.published_at),
            "seen": format_local(m.first_seen_at),
            "topic": topic_text(settings, m.topic),
            "topic_model": m.topic_model or "",
            "urgency": m.urgency,
            "official": bool(m.official),
            "board_status": m.board_status or "",
            "reply_text": masked(m.reply_text or ""),
            "evidence": m.id in with_snapshot,
            "platform": m.platform or "",
            "search_keyword": m.search_keyword or "",
            "join_reason": masked(m.join_reason or ""),
            "comments": comments.get(m.id, {}).get("shown", []),
            "comment_total": comments.get(m.id, {}).get("total", 0),
            "comment_hostile": comments.get(m.id, {}).get("hostile", 0),
        }
        for m, source in reversed(rows)
    ]


COMMENTS_SHOWN = 30  # per mention on the event page


def _comments_of(session: Session, mention_ids: list[int]) -> dict[int, dict]:
    """Per mention: {total, hostile, shown: the first COMMENTS_SHOWN comments in page order, masked for display}."""
    found: dict[int, dict] = {}
    if not mention_ids:
        return found
    stmt = select(Comment).where(Comment.mention_id.in_(mention_ids)).order_by(Comment.mention_id, Comment.position)
    for comment in session.scalars(stmt):
        entry = found.setdefault(comment.mention_id, {"total": 0, "hostile": 0, "shown": []})
        entry["total"] += 1
        entry["hostile"] += int(bool(comment.hostile))
        shown = entry["shown"]
        if len(shown) < COMMENTS_SHOWN:
            shown.append(
                {
                    "author": masked(comment.author or "网友"),
                    "content": masked(comment.content),
                    "time": format_local(comment.published_at or comment.first_seen_at),
                    "hostile": bool(comment.hostile),
                }
            )
    return found


def query_event_sources(session: Session, event_id: int) -> list[dict]:
    """Per source: how many of the event's mentions it carried, and when the first and last were seen."""
    stmt = (
        select(
            Source.title,
            Source.source_type,
            func.count(),
            func.min(Mention.first_seen_at),
            func.max(Mention.first_seen_at),
        )
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.event_id == event_id)
        .group_by(Source.title, Source.source_type)
        .order_by(func.count().desc())
    )
    return [
        {"source": title, "type": kind, "mentions": number, "first": format_local(first), "last": format_local(last)}
        for title, kind, number, first, last in session.execute(stmt)
    ]


# Bin width by how long the event has run, so that a burst of minutes and a matter of weeks both read clearly:
# (longest span, bin in minutes, how the chart names the bin).
HEAT_BINS = [
    (timedelta(hours=3), 5, "每5分钟"),
    (timedelta(hours=12), 15, "每15分钟"),
    (timedelta(days=3), 60, "每小时"),
    (timedelta(days=14), 360, "每6小时"),
    (timedelta.max, 1440, "每天"),
]
HEAT_COLUMNS = ["hour", "mentions", "sources", "reposts", "negative"]


def heat_bin(span: timedelta) -> tuple[int, str]:
    """(bin in minutes, its name) for an event whose mentions span this long."""
    return next((minutes, label) for longest, minutes, label in HEAT_BINS if span <= longest)


def query_event_heat(session: Session, event_id: int) -> pd.DataFrame:
    """The event's heat over time from its mentions, in bins that suit its span (columns: hour, the bin's start in
    local time; mentions, sources, reposts, negative); frame.attrs holds bin_minutes and bin_label."""
    rows = session.execute(
        select(Mention.first_seen_at, Mention.source_id, Mention.reposts, Mention.negativity).where(
            Mention.event_id == event_id
        )
    ).all()
    if not rows:
        frame = pd.DataFrame(columns=HEAT_COLUMNS)
        frame.attrs.update(bin_minutes=60, bin_label="每小时")
        return frame
    raw = pd.DataFrame(rows, columns=["seen", "source_id", "reposts", "negativity"])
    raw["seen"] = pd.to_datetime(raw["seen"], utc=True).dt.tz_convert(LOCAL.key).dt.tz_localize(None)
    minutes, label = heat_bin((raw["seen"].max() - raw["seen"].min()).to_pytimedelta())
    raw["hour"] = raw["seen"].dt.floor(f"{minutes}min")
    raw["negative"] = (raw["negativity"] >= NEGATIVE_THRESHOLD).astype(int)
    raw["reposts"] = raw["reposts"].fillna(0)
    grouped = raw.groupby("hour").agg(
        mentions=("seen", "size"),
        sources=("source_id", "nunique"),
        reposts=("reposts", "sum"),
        negative=("negative", "sum"),
    )
    frame = grouped.reset_index()[HEAT_COLUMNS]
    frame.attrs.update(bin_minutes=minutes, bin_label=label)
    return frame
