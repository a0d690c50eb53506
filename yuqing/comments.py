"""Comments stored under their post (de-identified), counted into the event, and an event raised when the
comments under its posts turn hostile (the reason shown in Chinese)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pipeline.comments import comment_tone, judge_comments
from yuqing.db.models import Comment, Event, Mention
from yuqing.privacy import masked
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc

log = logging.getLogger("yuqing.comments")
COMMENT_REASON_PREFIX = "评论区情绪转向激烈"
LOW_LEVEL_REASON = "未见伤亡"


def store_comments(session: Session, mention: Mention, comments: list[dict[str, Any]] | None, now: datetime) -> int:
    """Add the comments not stored yet under the mention (author and text masked); returns how many were new."""
    if not comments:
        return 0
    known = set(session.scalars(select(Comment.key).where(Comment.mention_id == mention.id)))
    added = 0
    for comment in comments:
        key = str(comment.get("key") or "")[:64]
        text = str(comment.get("content") or "").strip()
        if not key or not text or key in known:
            continue
        known.add(key)
        tone = comment_tone(text)
        author = comment.get("author")
        published = comment.get("published_at")
        session.add(
            Comment(
                mention_id=mention.id,
                key=key,
                position=int(comment.get("position") or 0),
                author=masked(str(author))[:200] if author else None,
                content=masked(text)[:4000],
                published_at=as_utc(published) if isinstance(published, datetime) else None,
                first_seen_at=now,
                negativity=tone.negativity,
                hostile=tone.hostile,
            )
        )
        added += 1
    if added:
        session.flush()
        stored = session.scalar(select(func.count(Comment.id)).where(Comment.mention_id == mention.id)) or 0
        mention.comments = max(mention.comments or 0, stored)
    return added


def event_comment_figures(session: Session, event_id: int) -> tuple[int, int, float]:
    """(comments, hostile comments, sum of their negativity) under the event's mentions."""
    count, hostile, negativity = session.execute(
        select(
            func.count(Comment.id),
            func.coalesce(func.sum(case((Comment.hostile, 1), else_=0)), 0),
            func.coalesce(func.sum(Comment.negativity), 0.0),
        )
        .join(Mention, Mention.id == Comment.mention_id)
        .where(Mention.event_id == event_id)
    ).one()
    return int(count), int(hostile), float(negativity)


def judge_event_comments(session: Session, settings: Settings, event: Event, now: datetime) -> bool:
    """Raise the event's level when the comments under its posts turned hostile (pipeline.comments.judge_comments);
    the reason is added to the event's reasons and the workflow hears of the change. True when the level rose."""
    from yuqing.workflow.hooks import on_event_changed

    rows = list(
        session.execute(
            select(Comment.content, Comment.hostile)
            .join(Mention, Mention.id == Comment.mention_id)
            .where(Mention.event_id == event.id)
            .order_by(Comment.id)
        )
    )
    hostile = [content for content, is_hostile in rows if is_hostile]
    mobilising = sum(comment_tone(content).mobilising for content in hostile)
    verdict = judge_comments(len(rows), len(hostile), mobilising, [_short(c) for c in hostile])
    reasons = [r for r in (event.reasons or []) if not str(r).startswith(COMMENT_REASON_PREFIX)]
    if verdict.level == 0:
        return False
    if verdict.level >= event.urgency:
        event.reasons = reasons + [verdict.reason]
        return False
    # The reasons of the lower level ("未见伤亡…") no longer explain the event's level.
    event.reasons = [r for r in reasons if not str(r).startswith(LOW_LEVEL_REASON)] + [verdict.reason]
    old = event.urgency
    event.urgency = verdict.level
    log.info("事件 #%s 因评论区情绪由 %s 级升为 %s 级", event.id, old, event.urgency)
    on_event_changed(session, settings, event, old)
    return True


def _short(text: str, limit: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
