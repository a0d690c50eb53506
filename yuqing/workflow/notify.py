"""Who is told what: new events, raised levels, reassignments, deadline warnings, breaches and escalations."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from yuqing.db.models import Deadline, Event, OutboxMessage
from yuqing.mail import messages
from yuqing.mail.dispatch import dispatch
from yuqing.mail.event_view import EventView, load_views
from yuqing.settings_model import OfficeSettings, Settings
from yuqing.timeutil import as_utc
from yuqing.workflow.routing import informed_offices, office_settings, site_offices

ESCALATION_STEPS = 3  # office head → lead office → leader on duty


def _emails(offices: list[OfficeSettings]) -> list[str]:
    return [o.email for o in offices if o.email]


def view_of(session: Session, settings: Settings, event: Event) -> EventView:
    """The EventView of one event (after pending changes are flushed)."""
    session.flush()
    return load_views(session, settings, [event.id])[event.id]


def event_alert(session: Session, settings: Settings, event: Event, now: datetime, why: str = "new") -> list[OutboxMessage]:
    """Tell the responsible office (and the lead office for level 1–2); level 3–4 wait for the digest."""
    message = messages.event_alert(view_of(session, settings, event), settings, now, why=why)
    hold = why == "new" and event.urgency not in settings.alerts.immediate_levels
    if why == "assigned":  # an event can move to the same office twice; each move is told
        key = f"event:{event.id}:assigned:{event.office_code}:{as_utc(now).isoformat()}"
    else:
        key = f"event:{event.id}:{why}:{event.urgency}"
    return dispatch(session, settings, message, kind="alert",
                    recipients=_emails(informed_offices(settings, event.office_code, event.urgency,
                                                        [office for office, _ in site_offices(settings, event)])),
                    event_id=event.id, level=event.urgency, dedupe_key=key, hold=hold, now=now)


def deadline_warning(session: Session, settings: Settings, view: EventView, row: Deadline, share: float,
                     now: datetime) -> list[OutboxMessage]:
    """A share of a deadline's budget is used: tell the office now (warnings are never held for a digest)."""
    message = messages.deadline_warning(view, row.stage, row.due_at, share, settings, now)
    return dispatch(session, settings, message, kind="warning",
                    recipients=_emails([o for o in [office_settings(settings, row.office_code)] if o]),
                    event_id=view.id, level=view.level, dedupe_key=f"deadline:{row.id}:warn:{share:g}", now=now)


def breach(session: Session, settings: Settings, view: EventView, row: Deadline, now: datetime) -> list[OutboxMessage]:
    """A deadline passed: tell the office (and the lead office for level 1–2) at once."""
    message = messages.breach_notice(view, row.stage, row.due_at, settings, now)
    return dispatch(session, settings, message, kind="breach",
                    recipients=_emails(informed_offices(settings, row.office_code, view.level)),
                    event_id=view.id, level=view.level, dedupe_key=f"deadline:{row.id}:breach", now=now)


def escalation_offsets(settings: Settings) -> list[timedelta]:
    """When each escalation step is due after the deadline: each delay counts from the step before it."""
    conf = settings.escalation
    delays = [conf.office_head_after_minutes, conf.lead_office_after_minutes, conf.leader_after_minutes]
    total, offsets = 0.0, []
    for minutes in delays:
        total += minutes
        offsets.append(timedelta(minutes=total))
    return offsets


def escalation_target(settings: Settings, step: int, office_code: str | None) -> tuple[str, list[str]]:
    """(who, in Chinese; their addresses) for an escalation step 1..3."""
    office = office_settings(settings, office_code)
    if step == 1:
        name = office.name if office else "责任单位"
        return f"{name}负责人", [office.head_email or office.email] if office else []
    if step == 2:
        lead = settings.lead_office()
        return f"牵头单位({lead.name if lead else '未配置'})", [lead.email, lead.head_email] if lead else []
    mail = settings.mail
    return "带班领导", [mail.duty_leader_email] if mail.duty_leader_email else list(mail.leader_emails)


def escalation(session: Session, settings: Settings, view: EventView, row: Deadline, step: int,
               now: datetime) -> list[OutboxMessage]:
    """One escalation step of a breached deadline."""
    target, recipients = escalation_target(settings, step, row.office_code)
    message = messages.escalation_notice(view, row.stage, row.due_at, step, target, settings, now)
    return dispatch(session, settings, message, kind="escalation", recipients=recipients, event_id=view.id,
                    level=view.level, dedupe_key=f"deadline:{row.id}:escalate:{step}", now=now)
