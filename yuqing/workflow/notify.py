"""Who is told what: new events, raised levels, reassignments, deadline warnings, breaches and escalations."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from yuqing.db.models import Deadline, Event, OutboxMessage
from yuqing.mail import messages
from yuqing.mail.dispatch import dispatch
from yuqing.mail.event_view import EventView, load_views
from yuqing.settings_model import OfficeSettings, Settings
from yuqing.timeutil import as_utc
from yuqing.workflow.holders import DUTY
from yuqing.workflow.routing import informed_offices, office_settings, site_offices

# Office stages: office head → lead office → leader on duty. 研判 (the duty desk's): 值班负责人 → leader on duty →
# the town leaders.
ESCALATION_STEPS = 3


def _emails(offices: list[OfficeSettings]) -> list[str]:
    return [o.email for o in offices if o.email]


def holder_emails(settings: Settings, row: Deadline) -> list[str]:
    """The addresses of whoever holds a deadline: the duty desk's mailbox, or the office's."""
    if row.holder == DUTY:
        return [settings.duty.email] if settings.duty.email else []
    return _emails([o for o in [office_settings(settings, row.office_code)] if o])


def holder_title(settings: Settings, row: Deadline) -> str:
    """Who holds a deadline, in words (the duty desk or the office's name)."""
    if row.holder == DUTY:
        return settings.duty.name
    office = office_settings(settings, row.office_code)
    return office.name if office else "责任单位"


def drop_held_alerts(session: Session, event_id: int) -> None:
    """Alerts about the event still held for a digest are pointless once it is closed, dismissed or merged."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.event_id == event_id, OutboxMessage.status == "digest")
        .values(status="superseded")
    )


def view_of(session: Session, settings: Settings, event: Event) -> EventView:
    """The EventView of one event (after pending changes are flushed)."""
    session.flush()
    return load_views(session, settings, [event.id])[event.id]


def event_alert(
    session: Session, settings: Settings, event: Event, now: datetime, why: str = "new"
) -> list[OutboxMessage]:
    """Tell the responsible office (and the lead office for level 1–2); level 3–4 wait for the digest."""
    message = messages.event_alert(view_of(session, settings, event), settings, now, why=why)
    hold = why == "new" and event.urgency not in settings.alerts.immediate_levels
    if why == "assigned":  # an event can move to the same office twice; each move is told
        key = f"event:{event.id}:assigned:{event.office_code}:{as_utc(now).isoformat()}"
    else:
        key = f"event:{event.id}:{why}:{event.urgency}"
    return dispatch(
        session,
        settings,
        message,
        kind="alert",
        recipients=_emails(
            informed_offices(
                settings, event.office_code, event.urgency, [office for office, _ in site_offices(settings, event)]
            )
        ),
        event_id=event.id,
        level=event.urgency,
        dedupe_key=key,
        hold=hold,
        now=now,
    )


def deadline_warning(
    session: Session, settings: Settings, view: EventView, row: Deadline, share: float, now: datetime
) -> list[OutboxMessage]:
    """A share of a deadline's budget is used: tell its holder now (warnings are never held for a digest)."""
    message = messages.deadline_warning(view, row.stage, row.due_at, share, holder_title(settings, row), settings, now)
    return dispatch(
        session,
        settings,
        message,
        kind="warning",
        recipients=holder_emails(settings, row),
        event_id=view.id,
        level=view.level,
        dedupe_key=f"deadline:{row.id}:warn:{share:g}",
        now=now,
    )


def breach(session: Session, settings: Settings, view: EventView, row: Deadline, now: datetime) -> list[OutboxMessage]:
    """A deadline passed: tell its holder at once (and, for level 1–2, the lead office, which hears of them all)."""
    message = messages.breach_notice(view, row.stage, row.due_at, holder_title(settings, row), settings, now)
    lead = informed_offices(settings, None, view.level)
    recipients = list(dict.fromkeys(holder_emails(settings, row) + _emails(lead)))
    return dispatch(
        session,
        settings,
        message,
        kind="breach",
        recipients=recipients,
        event_id=view.id,
        level=view.level,
        dedupe_key=f"deadline:{row.id}:breach",
        now=now,
    )


def escalation_offsets(settings: Settings) -> list[timedelta]:
    """When each escalation step is due after the deadline: each delay counts from the step before it."""
    conf = settings.escalation
    delays = [conf.office_head_after_minutes, conf.lead_office_after_minutes, conf.leader_after_minutes]
    total, offsets = 0.0, []
    for minutes in delays:
        total += minutes
        offsets.append(timedelta(minutes=total))
    return offsets


def escalation_target(settings: Settings, step: int, row: Deadline) -> tuple[str, list[str]]:
    """(who, in Chinese; their addresses) for an escalation step 1..3 of a missed deadline, by its holder."""
    mail = settings.mail
    leader = [mail.duty_leader_email] if mail.duty_leader_email else list(mail.leader_emails)
    if row.holder == DUTY:
        if step == 1:
            return "值班负责人", [settings.duty.head_email] if settings.duty.head_email else leader
        if step == 2:
            return "带班领导", leader
        return "镇领导", list(mail.leader_emails) or leader
    office = office_settings(settings, row.office_code)
    if step == 1:
        name = office.name if office else "责任单位"
        return f"{name}负责人", [office.head_email or office.email] if office else []
    if step == 2:
        lead = settings.lead_office()
        return f"牵头单位({lead.name if lead else '未配置'})", [lead.email, lead.head_email] if lead else []
    return "带班领导", leader


def escalation(
    session: Session, settings: Settings, view: EventView, row: Deadline, step: int, now: datetime
) -> list[OutboxMessage]:
    """One escalation step of a breached deadline."""
    target, recipients = escalation_target(settings, step, row)
    message = messages.escalation_notice(
        view, row.stage, row.due_at, step, target, holder_title(settings, row), settings, now
    )
    return dispatch(
        session,
        settings,
        message,
        kind="escalation",
        recipients=recipients,
        event_id=view.id,
        level=view.level,
        dedupe_key=f"deadline:{row.id}:escalate:{step}",
        now=now,
    )


TOLD = ("sent", "sending", "digested")  # outbox states in which the recipients have heard, or are hearing, of it


def tell_where_merged(
    session: Session, settings: Settings, kept: Event, absorbed: Event, reason: str, now: datetime
) -> list[OutboxMessage]:
    """An absorbed event's alerts not yet sent are dropped; whoever was already told about it (and its office)
    hears that the matter is now handled as the kept event, with a link to it."""
    rows = session.execute(
        select(OutboxMessage.recipients, OutboxMessage.status, OutboxMessage.attempts).where(
            OutboxMessage.event_id == absorbed.id, OutboxMessage.channel == "email"
        )
    ).all()
    told = {
        address for recipients, status, attempts in rows if status in TOLD or attempts for address in recipients or []
    }
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.event_id == absorbed.id,
            or_(OutboxMessage.status == "digest", and_(OutboxMessage.status == "pending", OutboxMessage.attempts == 0)),
        )
        .values(status="superseded")
    )
    if not told:
        return []
    absorbed_office = office_settings(settings, absorbed.office_code)
    if absorbed_office and absorbed_office.email:
        told.add(absorbed_office.email)
    message = messages.merged_notice(
        view_of(session, settings, kept), absorbed.id, absorbed.title, reason, settings, now
    )
    return dispatch(
        session,
        settings,
        message,
        kind="merged",
        recipients=sorted(told),
        event_id=kept.id,
        level=kept.urgency,
        dedupe_key=f"event:{absorbed.id}:merged:{kept.id}",
        now=now,
    )
