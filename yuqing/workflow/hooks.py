"""Workflow hooks called by ingest inside its write transaction: new event, level change, mention joined."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from yuqing.db.models import OPEN_STATUSES, Event, Mention
from yuqing.settings_model import LEVEL_NAMES, Settings
from yuqing.timeutil import utcnow
from yuqing.workflow import audit, notify
from yuqing.workflow.deadlines import compute_deadlines, recompute_deadlines
from yuqing.workflow.evidence import propose_response
from yuqing.workflow.routing import route_event, site_offices


def on_event_detected(session: Session, settings: Settings, event: Event, now: datetime | None = None) -> None:
    """A new event: log it, route it to an office, set its deadlines and queue its alert (or hold it for the digest)."""
    now = now or event.detected_at or utcnow()
    session.flush()
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="detected",
        event_id=event.id,
        field="status",
        after=event.status,
        comment=f"{LEVEL_NAMES.get(event.urgency, event.urgency)}:{'；'.join(map(str, event.reasons or []))}",
        at=now,
    )
    if event.office_code is None:
        decision = route_event(session, settings, event)
        audit.change_fields(
            session,
            event,
            {"office_code": decision.office_code},
            actor=audit.SYSTEM,
            action="route",
            at=now,
            comment=decision.reason,
        )
    for office, why in site_offices(settings, event):
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="route",
            event_id=event.id,
            field="co_office",
            after=office.code,
            comment=f"告知协办单位{office.name}:{why}",
            at=now,
        )
    compute_deadlines(session, settings, event, now)
    notify.event_alert(session, settings, event, now)


def on_event_changed(
    session: Session, settings: Settings, event: Event, old_level: int, now: datetime | None = None
) -> None:
    """The event's level changed (new mentions): log it, recompute deadlines, alert at once if it became urgent."""
    now = now or event.last_mention_at or utcnow()
    if event.urgency == old_level or event.status not in OPEN_STATUSES:
        return
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="level_changed",
        event_id=event.id,
        field="urgency",
        before=old_level,
        after=event.urgency,
        comment="；".join(map(str, event.reasons or [])) or None,
        at=now,
    )
    recompute_deadlines(session, settings, event, old_level, now)
    if event.urgency < old_level and event.urgency in settings.alerts.immediate_levels:
        notify.drop_held_alerts(session, event.id)  # the immediate alert replaces the held digest entry
        notify.event_alert(session, settings, event, now, why="level_up")


def on_mention_joined(
    session: Session, settings: Settings, event: Event, mention: Mention, now: datetime | None = None
) -> None:
    """A mention joined the event (or was updated): a board reply or official post is proposed as the response."""
    propose_response(session, settings, event, mention, now or mention.updated_at or utcnow())
