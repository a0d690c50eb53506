"""The append-only audit log: one row per transition or field change (who, when, what, before → after)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yuqing.db.models import AuditLog, Event
from yuqing.timeutil import as_utc, utcnow

SYSTEM = "system"


def as_text(value: Any) -> str | None:
    """How a value is written in the log: ISO times in UTC, JSON for lists and dicts."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    event_id: int | None = None,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
    comment: str | None = None,
    at: datetime | None = None,
    entity: str = "event",
    entity_id: Any = None,
) -> AuditLog:
    """Add one audit row in the caller's transaction."""
    row = AuditLog(
        at=at or utcnow(),
        actor=actor or SYSTEM,
        entity=entity,
        entity_id=as_text(entity_id if entity_id is not None else event_id),
        event_id=event_id,
        action=action,
        field=field,
        before=as_text(before),
        after=as_text(after),
        comment=comment or None,
    )
    session.add(row)
    return row


def change_fields(
    session: Session,
    event: Event,
    values: dict[str, Any],
    *,
    actor: str,
    action: str,
    at: datetime,
    comment: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Set fields on an event, logging one row per field that really changes; returns {field: (before, after)}."""
    changed: dict[str, tuple[Any, Any]] = {}
    for name, value in values.items():
        before = getattr(event, name)
        if before == value:
            continue
        setattr(event, name, value)
        changed[name] = (before, value)
        record(
            session,
            actor=actor,
            action=action,
            event_id=event.id,
            field=name,
            before=before,
            after=value,
            comment=comment,
            at=at,
        )
    return changed
