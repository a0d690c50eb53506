"""Response evidence found automatically: a board reply or an official post joining an event is proposed as its response."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import OPEN_STATUSES, Event, Mention, Response
from yuqing.settings_model import Settings
from yuqing.workflow import audit
from yuqing.workflow.deadlines import budgets


def _evidence(mention: Mention) -> tuple[str, str, datetime] | None:
    """(channel, content, published_at) if the mention is a response by the government, else None."""
    source = mention.source.title if mention.source else "来源"
    if mention.reply_text and mention.reply_at:
        office = f"({mention.reply_office})" if mention.reply_office else ""
        return f"{source}·留言答复{office}", mention.reply_text, mention.reply_at
    if mention.official:
        content = "\n".join(part for part in (mention.title, mention.content) if part)
        return f"{source}·官方发布", content, mention.published_at or mention.first_seen_at
    return None


def propose_response(
    session: Session, settings: Settings, event: Event, mention: Mention, now: datetime
) -> Response | None:
    """Attach the mention as a proposed response for an officer to confirm; once per mention and event."""
    found = _evidence(mention)
    if found is None or event.status not in OPEN_STATUSES:
        return None
    already = session.scalar(
        select(Response.id).where(Response.event_id == event.id, Response.evidence_mention_id == mention.id)
    )
    if already is not None:
        return None
    channel, content, published_at = found
    stage = "publish" if "publish" in budgets(settings, event.urgency) else "respond"
    response = Response(
        event_id=event.id,
        stage=stage,
        status="proposed",
        channel=channel[:200],
        url=mention.url,
        content=content,
        published_at=published_at,
        evidence_mention_id=mention.id,
        recorded_by=audit.SYSTEM,
        recorded_at=now,
    )
    session.add(response)
    session.flush()
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="response_proposed",
        event_id=event.id,
        field="response",
        after=response.id,
        comment=f"{channel}:{content[:80]}",
        at=now,
    )
    return response
