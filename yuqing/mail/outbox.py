"""Writing alerts to the outbox, inside the caller's transaction, so nothing is lost or sent twice."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import OutboxMessage
from yuqing.timeutil import utcnow

MESSAGE_DOMAIN = "yuqing.local"


def new_message_id(hint: str = "alert") -> str:
    """A stable, globally unique Message-ID, fixed when the alert is queued (retries reuse it)."""
    return f"<{hint}.{uuid.uuid4().hex}@{MESSAGE_DOMAIN}>"


def enqueue(
    session: Session,
    *,
    kind: str,
    recipients: list[str],
    subject: str,
    body_text: str,
    body_html: str | None = None,
    channel: str = "email",
    event_id: int | None = None,
    level: int | None = None,
    dedupe_key: str | None = None,
    payload: dict[str, Any] | None = None,
    status: str = "pending",
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Queue one message in the current transaction; a message with an already-queued dedupe_key is skipped.

    status "pending" is delivered as soon as possible; "digest" waits for the next digest (see digest.py).
    `now` (default: the clock) is when it was queued and first due.
    """
    now = now or utcnow()
    if dedupe_key and session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    message = OutboxMessage(
        message_id=new_message_id(kind),
        dedupe_key=dedupe_key,
        channel=channel,
        kind=kind,
        event_id=event_id,
        level=level,
        recipients=sorted({r for r in recipients if r}),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        payload=payload or {},
        status=status,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message
