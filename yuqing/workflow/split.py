"""Correcting the clustering by hand: split chosen mentions out of an event into a new one, or undo a merge.

Both are a duty officer's decision, on the record: each side gets audit rows naming the other, the event that
(re)appears gets its office, its deadlines counted from now (no one could act on it apart before) and its alert,
and both events' figures (terms, severity, anchors, heat, level) are rebuilt from the mentions they now hold.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yuqing.db.models import OPEN_STATUSES, Event, Mention, Response
from yuqing.event_figures import rebuild_from_mentions
from yuqing.settings_model import Settings
from yuqing.timeutil import utcnow
from yuqing.workflow import audit
from yuqing.workflow.actions import WorkflowError
from yuqing.workflow.deadlines import compute_deadlines
from yuqing.workflow.hooks import on_event_detected


class SplitError(WorkflowError):
    """A split or an undo that cannot be done; the message (Chinese) says why."""


def _open_event(session: Session, event_id: int, doing: str) -> Event:
    event = session.scalar(select(Event).where(Event.id == event_id).with_for_update())
    if event is None:
        raise SplitError(f"事件 #{event_id} 不存在")
    if event.status not in OPEN_STATUSES:
        raise SplitError(f"事件 #{event_id} 已不在处理中,不能{doing}")
    return event


def split_event(
    session: Session,
    settings: Settings,
    event_id: int,
    actor: str,
    mention_ids: list[int],
    comment: str = "",
    now: datetime | None = None,
) -> Event:
    """拆分: the chosen mentions are another matter; they become a new event (routed, with deadlines and an alert).
    Returns the new event."""
    now = now or utcnow()
    if not (actor or "").strip():
        raise SplitError("缺少操作人")
    event = _open_event(session, event_id, "拆分")
    chosen = set(mention_ids)
    held = set(session.scalars(select(Mention.id).where(Mention.event_id == event.id)))
    if not chosen:
        raise SplitError("请至少选择一条信息")
    if not chosen <= held:
        raise SplitError(f"所选信息不都属于事件 #{event.id}:{'、'.join(map(str, sorted(chosen - held)))}")
    if chosen == held:
        raise SplitError("不能把全部信息拆出:至少要留一条在原事件中")
    moved = session.scalars(
        select(Mention).where(Mention.id.in_(chosen)).order_by(Mention.first_seen_at, Mention.id)
    ).all()
    first = moved[0]
    topics = Counter(m.topic for m in moved if m.topic)
    new = Event(
        title=first.title or first.content[:60],
        summary=first.content[:300],
        topic=max(sorted(topics), key=lambda name: topics[name]) if topics else event.topic,
        urgency=4,
        reasons=[],
        village=next((m.village for m in moved if m.village), None),
        simhash=first.simhash,
        detected_at=now,
        first_published_at=min((m.published_at for m in moved if m.published_at), default=None),
        status="detected",
        term_counts={},
        signals={},
        anchors={},
        facts={},
    )
    session.add(new)
    session.flush()
    session.execute(update(Mention).where(Mention.id.in_(chosen)).values(event_id=new.id))
    session.execute(
        update(Response)
        .where(Response.event_id == event.id, Response.evidence_mention_id.in_(chosen))
        .values(event_id=new.id)
    )
    reason = f"值班员从事件 #{event.id} 拆出 {len(chosen)} 条信息" + (f":{comment.strip()}" if comment.strip() else "")
    rebuild_from_mentions(session, settings, new, now, relevel=True)
    rebuild_from_mentions(session, settings, event, now, relevel=event.assessed_at is None)
    audit.record(
        session,
        actor=actor,
        action="split",
        event_id=event.id,
        field="split_to",
        after=new.id,
        comment=f"拆出 {len(chosen)} 条信息,另立事件 #{new.id}“{new.title[:40]}”"
        + (f":{comment.strip()}" if comment.strip() else ""),
        at=now,
    )
    audit.record(
        session,
        actor=actor,
        action="split",
        event_id=new.id,
        field="split_from",
        after=event.id,
        comment=reason,
        at=now,
    )
    on_event_detected(session, settings, new, now)
    return new


def unmerge_event(
    session: Session, settings: Settings, event_id: int, actor: str, comment: str = "", now: datetime | None = None
) -> Event:
    """撤销合并: the merged event `event_id` takes back the mentions and responses it brought, is open again with
    its office and fresh deadlines, and the event that kept them is rebuilt. Returns the restored event."""
    now = now or utcnow()
    if not (actor or "").strip():
        raise SplitError("缺少操作人")
    event = session.scalar(select(Event).where(Event.id == event_id).with_for_update())
    if event is None or event.status != "merged" or event.merged_into_id is None:
        raise SplitError(f"事件 #{event_id} 不是已合并的事件")
    record = event.merge_record or {}
    kept = _open_event(session, event.merged_into_id, "撤销合并")
    mention_ids = set(record.get("mentions", ())) & set(
        session.scalars(select(Mention.id).where(Mention.event_id == kept.id))
    )
    if not mention_ids:
        raise SplitError(f"事件 #{event.id} 带入的信息已不在事件 #{kept.id} 中,无法撤销合并")
    if len(mention_ids) == session.query(Mention).filter(Mention.event_id == kept.id).count():
        raise SplitError(f"事件 #{kept.id} 的信息全部来自事件 #{event.id},请改为处理事件 #{kept.id}")
    session.execute(update(Mention).where(Mention.id.in_(mention_ids)).values(event_id=event.id))
    responses = set(record.get("responses", ()))
    if responses:
        session.execute(
            update(Response).where(Response.id.in_(responses), Response.event_id == kept.id).values(event_id=event.id)
        )
    reason = f"撤销并入事件 #{kept.id}" + (f":{comment.strip()}" if comment.strip() else "")
    audit.change_fields(
        session,
        event,
        {
            "status": record.get("status") or "detected",
            "merged_into_id": None,
            "status_reason": reason,
            "closed_at": None,
        },
        actor=actor,
        action="unmerge",
        at=now,
        comment=reason,
    )
    event.merge_record = {}
    rebuild_from_mentions(session, settings, event, now, relevel=event.assessed_at is None)
    rebuild_from_mentions(session, settings, kept, now, relevel=kept.assessed_at is None)
    audit.record(
        session,
        actor=actor,
        action="unmerge",
        event_id=kept.id,
        field="merged_from",
        before=event.id,
        comment=f"事件 #{event.id} 撤销合并,带走 {len(mention_ids)} 条信息",
        at=now,
    )
    compute_deadlines(session, settings, event, now, actor=actor, start=now)
    from yuqing.workflow import notify

    notify.event_alert(session, settings, event, now, why="assigned")
    return event
