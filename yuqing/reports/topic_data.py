"""One event as it stood at a cut-off, for its topic report (专题报告): its fields, posts, comments, responses,
audit trail and deadlines, read only from what was stored before the cut-off.

Rolled back through the append-only audit log: the event's level, topic, office, status, title and summary (the
`before` of the first change at or after the cut-off), which posts belonged to it (a post removed, split off or
merged away later counts; one merged in later does not) and each response's status. Posts and comments first seen
after the cut-off, audit rows and deadlines made after it are left out. A post's own text is read as stored now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import AuditLog, Comment, Deadline, Event, Mention, Response, Source
from yuqing.reports.history import EventAsOf, events_as_of
from yuqing.timeutil import as_utc
from yuqing.workflow.audit import as_text as audit_text


class TopicReportError(ValueError):
    """The report cannot be built (no such event, or the event was not yet detected at the cut-off)."""


@dataclass(frozen=True)
class Post:
    """A post (mention) of the event as the report uses it."""

    id: int
    source: str  # the source's display name
    source_type: str
    official: bool
    title: str
    content: str
    url: str
    at: datetime  # published, else first seen
    first_seen_at: datetime
    reposts: int
    comments: int
    negativity: float
    terms: tuple[str, ...]  # the monitoring words it matched


@dataclass(frozen=True)
class Said:
    """A comment under one of the event's posts."""

    id: int
    mention_id: int
    content: str
    at: datetime
    negativity: float


@dataclass(frozen=True)
class ResponseAsOf:
    """A response with its status at the cut-off."""

    id: int
    stage: str
    status: str
    channel: str
    content: str
    published_at: datetime
    recorded_by: str


@dataclass
class TopicData:
    """Everything the topic report is made of."""

    event: EventAsOf
    title: str
    summary: str
    village: str | None
    reasons: list[str]  # why the event has its level (as at the cut-off)
    cutoff: datetime
    posts: list[Post]  # earliest first
    comments: list[Said]
    responses: list[ResponseAsOf]
    audit: list[AuditLog]  # oldest first
    deadlines: list[Deadline]  # created before the cut-off, by start
    done: dict[int, datetime]  # deadline id → when its stage was done, as known at the cut-off


def _first_change_after(rows: list[AuditLog], cutoff: datetime) -> dict[tuple[Any, str], AuditLog]:
    """For each (entity id, field) the first audit row at or after the cut-off."""
    found: dict[tuple[Any, str], AuditLog] = {}
    for row in rows:
        if as_utc(row.at) >= cutoff and row.field:
            found.setdefault((row.entity_id, row.field), row)
    return found


def member_ids(session: Session, event: Event, later: list[AuditLog]) -> tuple[set[int], set[int]]:
    """Ids of the posts and of the responses that belonged to the event at the cut-off: changes by audit rows at or
    after it (`later`, this event's) undone — a post removed, posts split off, an event merged in or this one merged
    away."""
    posts = set(session.scalars(select(Mention.id).where(Mention.event_id == event.id)))
    responses = set(session.scalars(select(Response.id).where(Response.event_id == event.id)))
    for row in later:
        if row.field == "mention" and row.action == "mention_removed" and row.before:
            posts.add(int(row.before))
        elif row.field == "split_to" and row.after:
            posts |= set(session.scalars(select(Mention.id).where(Mention.event_id == int(row.after))))
            responses |= set(session.scalars(select(Response.id).where(Response.event_id == int(row.after))))
        elif row.field == "merged_from" and row.after:
            absorbed = session.get(Event, int(row.after))
            if absorbed is not None and absorbed.merged_into_id == event.id:
                posts -= {int(i) for i in (absorbed.merge_record or {}).get("mentions", [])}
                responses -= {int(i) for i in (absorbed.merge_record or {}).get("responses", [])}
        elif row.field == "merged_into_id" and row.action == "merge" and event.status == "merged":
            posts |= {int(i) for i in (event.merge_record or {}).get("mentions", [])}
            responses |= {int(i) for i in (event.merge_record or {}).get("responses", [])}
    return posts, responses


def _posts(session: Session, ids: set[int], cutoff: datetime) -> list[Post]:
    if not ids:
        return []
    rows = session.execute(
        select(Mention, Source.title, Source.name)
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.id.in_(sorted(ids)), Mention.first_seen_at < cutoff)
    ).all()
    posts = [
        Post(
            id=m.id,
            source=title or name,
            source_type=m.source_type or "other",
            official=bool(m.official),
            title=m.title or "",
            content=m.content or "",
            url=m.url or "",
            at=as_utc(m.published_at or m.first_seen_at),
            first_seen_at=as_utc(m.first_seen_at),
            reposts=m.reposts or 0,
            comments=m.comments or 0,
            negativity=float(m.negativity or 0.0),
            terms=tuple(str(t) for t in m.matched_terms or []),
        )
        for m, title, name in rows
    ]
    return sorted(posts, key=lambda p: (p.at, p.id))


def _comments(session: Session, post_ids: list[int], cutoff: datetime) -> list[Said]:
    if not post_ids:
        return []
    rows = session.scalars(
        select(Comment)
        .where(Comment.mention_id.in_(post_ids), Comment.first_seen_at < cutoff)
        .order_by(Comment.first_seen_at, Comment.id)
    )
    return [
        Said(c.id, c.mention_id, c.content or "", as_utc(c.published_at or c.first_seen_at), float(c.negativity or 0))
        for c in rows
    ]


def _responses(session: Session, ids: set[int], cutoff: datetime) -> list[ResponseAsOf]:
    if not ids:
        return []
    rows = session.scalars(
        select(Response)
        .where(Response.id.in_(sorted(ids)), Response.recorded_at < cutoff)
        .order_by(Response.published_at, Response.id)
    ).all()
    if not rows:
        return []
    changes = session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "response", AuditLog.field == "response.status")
        .where(AuditLog.entity_id.in_([str(r.id) for r in rows]), AuditLog.at >= cutoff)
        .order_by(AuditLog.at, AuditLog.id)
    ).all()
    before = {key[0]: row.before for key, row in _first_change_after(list(changes), cutoff).items()}
    return [
        ResponseAsOf(
            r.id,
            r.stage,
            before.get(str(r.id)) or r.status,
            r.channel or "",
            r.content or "",
            as_utc(r.published_at),
            r.recorded_by,
        )
        for r in rows
    ]


def _rolled_back_text(event: Event, later: list[AuditLog], field: str) -> str:
    row = next((r for r in later if r.field == field), None)
    return (row.before or "") if row is not None and row.before is not None else getattr(event, field) or ""


def _reasons(event: Event, earlier: list[AuditLog], later: list[AuditLog]) -> list[str]:
    """The level's reasons: the event's own unless its level changed after the cut-off, then those logged with the
    last level change before it (none logged: none given)."""
    if not any(row.field == "urgency" for row in later):
        return [str(r) for r in event.reasons or []]
    logged = [row for row in earlier if row.field == "urgency" and row.action == "level_changed"]
    return [part for part in (logged[-1].comment or "").split("；") if part] if logged else []


def known_done(deadlines: list[Deadline], later: list[AuditLog], cutoff: datetime) -> dict[int, datetime]:
    """When each deadline's stage was done, as known at the cut-off: a stage done before it but recorded after it
    (a response published earlier and confirmed later) was not yet done then."""
    recorded_later = {(row.field, row.before) for row in later if row.action == "deadline_done"}
    return {
        d.id: as_utc(d.done_at)
        for d in deadlines
        if d.done_at is not None
        and as_utc(d.done_at) < cutoff
        and (f"deadline.{d.stage}", audit_text(d.due_at)) not in recorded_later
    }


def topic_data(session: Session, event_id: int, cutoff: datetime) -> TopicData:
    """The event as it stood at the cut-off (database only read)."""
    cutoff = as_utc(cutoff)
    event = session.get(Event, event_id)
    if event is None:
        raise TopicReportError(f"事件 #{event_id} 不存在")
    state = events_as_of(session, [event.id], cutoff).get(event.id)
    if state is None:
        raise TopicReportError(f"事件 #{event_id} 在截止时间之前尚未发现,无法生成专题报告")
    trail = session.scalars(
        select(AuditLog).where(AuditLog.event_id == event.id).order_by(AuditLog.at, AuditLog.id)
    ).all()
    earlier = [row for row in trail if as_utc(row.at) < cutoff]
    later = [row for row in trail if as_utc(row.at) >= cutoff]
    post_ids, response_ids = member_ids(session, event, later)
    posts = _posts(session, post_ids, cutoff)
    deadlines = session.scalars(
        select(Deadline)
        .where(Deadline.event_id == event.id, Deadline.created_at < cutoff)
        .order_by(Deadline.starts_at, Deadline.id)
    ).all()
    return TopicData(
        event=state,
        title=_rolled_back_text(event, later, "title"),
        summary=_rolled_back_text(event, later, "summary"),
        village=event.village,
        reasons=_reasons(event, earlier, later),
        cutoff=cutoff,
        posts=posts,
        comments=_comments(session, [p.id for p in posts], cutoff),
        responses=_responses(session, response_ids, cutoff),
        audit=earlier,
        deadlines=list(deadlines),
        done=known_done(list(deadlines), later, cutoff),
    )
