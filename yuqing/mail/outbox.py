"""Writing alerts to the outbox, inside the caller's transaction, so nothing is lost or sent twice."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from yuqing.db.models import OutboxMessage
from yuqing.timeutil import utcnow

MESSAGE_DOMAIN = "yuqing.local"
_SESSION_KEYS = "outbox_dedupe_keys"


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
    if dedupe_key and _already_queued(session, dedupe_key):
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
    # Not flushed here: a job queueing thousands of alerts gets them inserted in batches at commit.
    session.add(message)
    return message


def _already_queued(session: Session, dedupe_key: str) -> bool:
    """Whether the key is in the table or was queued earlier in this session (not yet flushed)."""
    queued = session.info.setdefault(_SESSION_KEYS, set())
    if dedupe_key in queued:
        return True
    with session.no_autoflush:
        found = session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
    queued.add(dedupe_key)
    return found is not None


@event.listens_for(Session, "after_soft_rollback")
def _forget_keys(session: Session, _previous_transaction) -> None:
    # Keys queued in a transaction that rolled back were never stored; those still pending in the session were.
    if _SESSION_KEYS in session.info:
        session.info[_SESSION_KEYS] = {
            obj.dedupe_key for obj in session.new if isinstance(obj, OutboxMessage) and obj.dedupe_key
        }
