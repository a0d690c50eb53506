"""A duty officer corrects one mention: it is not relevant (误报: it leaves its event) or it is about another topic.
Both are audited and kept as labels (training data for the town's topic model)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.db.models import OPEN_STATUSES, Event, Mention
from yuqing.event_figures import rebuild_from_mentions
from yuqing.settings_model import Settings
from yuqing.timeutil import utcnow
from yuqing.workflow import audit
from yuqing.workflow.actions import WorkflowError
from yuqing.workflow.labels import record_label


class CorrectionError(WorkflowError):
    """A mention correction that cannot be done; the message (Chinese) says why."""


def correct_mention(
    session: Session,
    settings: Settings,
    mention_id: int,
    actor: str,
    *,
    topic: str | None = None,
    relevant: bool | None = None,
    comment: str = "",
    event_id: int | None = None,
    now: datetime | None = None,
    label_action: str = "correct",
) -> Mention:
    """纠正信息: set (or confirm) a mention's topic and/or mark it not relevant. A mention found not relevant leaves its event
    (whose figures are rebuilt from the mentions it keeps); the last mention of an event cannot leave it (mark the
    event 误报 instead). With `event_id`, the mention must belong to that event (the event page's check).
    `label_action` says how the mention came to be reviewed (`Label.action`: correct, review or spot_check)."""
    now = now or utcnow()
    if not (actor or "").strip():
        raise CorrectionError("缺少操作人")
    if topic is None and relevant is None:
        raise CorrectionError("请选择纠正内容:不相关,或改为另一领域")
    if relevant is True:
        raise CorrectionError("只能把信息标记为不相关;相关的信息无需纠正")
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise CorrectionError(f"信息 #{mention_id} 不存在")
    if event_id is not None and mention.event_id != event_id:
        raise CorrectionError(f"信息 #{mention_id} 不属于事件 #{event_id}")
    event = None
    if mention.event_id is not None:
        event = session.scalar(select(Event).where(Event.id == mention.event_id).with_for_update())
    if topic is not None and topic not in settings.topic_names():
        raise CorrectionError(f"未知领域“{topic}”")
    note = comment.strip() or None
    if topic is not None:
        # The same topic again confirms the system: a label too (the model learns what it got right as well).
        _change(session, mention, "topic", mention.topic, topic, actor, now, note, label_action)
        mention.topic = topic
    if relevant is False:
        if not mention.relevant and mention.event_id is None:
            raise CorrectionError(f"信息 #{mention_id} 已是不相关信息")
        if event is not None:
            if event.status not in OPEN_STATUSES:
                raise CorrectionError(f"事件 #{event.id} 已不在处理中,不能从中移出信息")
            held = session.scalar(select(func.count(Mention.id)).where(Mention.event_id == event.id)) or 0
            if held <= 1:
                raise CorrectionError(f"信息 #{mention_id} 是事件 #{event.id} 的唯一信息:请对整个事件标记误报")
        _change(session, mention, "relevant", mention.relevant, False, actor, now, note, label_action)
        mention.relevant = False
        if event is not None:
            mention.event_id = None
            audit.record(
                session,
                actor=actor,
                action="mention_removed",
                event_id=event.id,
                field="mention",
                before=mention.id,
                comment=f"信息 #{mention.id}“{(mention.title or mention.content)[:30]}”不相关,移出本事件"
                + (f":{note}" if note else ""),
                at=now,
            )
            rebuild_from_mentions(session, settings, event, now, relevel=event.assessed_at is None)
    return mention


def _change(
    session: Session, mention: Mention, field: str, before, after, actor: str, now: datetime, note, label_action: str
) -> None:
    audit.record(
        session,
        actor=actor,
        action="mention_correct" if before != after else "mention_confirm",
        event_id=mention.event_id,
        field=f"mention.{field}",
        before=before,
        after=after,
        comment=f"信息 #{mention.id}" + (f":{note}" if note else ""),
        at=now,
        entity="mention",
        entity_id=mention.id,
    )
    record_label(
        session,
        actor=actor,
        action=label_action,
        field=field,
        before=before,
        after=after,
        event_id=mention.event_id,
        mention_id=mention.id,
        comment=note,
        at=now,
    )
