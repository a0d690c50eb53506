"""Per-user alert inbox: the alerts, warnings and reports that were sent to a dashboard user's mailboxes (their
office's for an office clerk, the duty desk's for a duty officer, the leaders' list for a leader, the admins' for an
admin), unread first; reading is recorded per user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import InboxRead, Office, OutboxMessage, User
from yuqing.settings_model import Settings
from yuqing.timeutil import utcnow

WINDOW_DAYS = 30  # the inbox shows what was sent in the last 30 days
LIMIT = 2000  # messages looked at (newest first) within the window
KIND_NAMES = {
    "alert": "舆情提醒",
    "warning": "时限预警",
    "breach": "超时通报",
    "escalation": "升级提醒",
    "digest": "摘要",
    "source_down": "来源异常",
    "report": "报告",
    "merged": "事件合并",
}
SENT = ("pending", "sending", "sent", "failed", "digest", "digested")  # queued or sent; not superseded ones


def user_addresses(session: Session, settings: Settings, user: User) -> set[str]:
    """The mailboxes whose mail concerns this user, by role."""
    mail = settings.mail
    if user.role == "office":
        office = session.get(Office, user.office_code) if user.office_code else None
        found = {office.email, office.head_email} if office else set()
    elif user.role == "duty":
        found = {settings.duty.email, settings.duty.head_email}
    elif user.role == "leader":
        found = {*mail.leader_emails, mail.duty_leader_email}
    else:
        found = set(mail.admin_emails)
    return {address.strip().lower() for address in found if address and address.strip()}


@dataclass
class InboxItem:
    id: int
    at: datetime
    kind: str
    subject: str
    body: str
    event_id: int | None
    level: int | None
    read: bool


def inbox(session: Session, settings: Settings, user: User, now: datetime | None = None) -> list[InboxItem]:
    """What was sent to the user in the last WINDOW_DAYS: unread first, newest first within each."""
    now = now or utcnow()
    addresses = user_addresses(session, settings, user)
    if not addresses:
        return []
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.created_at >= now - timedelta(days=WINDOW_DAYS),
            OutboxMessage.channel == "email",
            OutboxMessage.status.in_(SENT),
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(LIMIT)
    ).all()
    mine = [row for row in rows if addresses & {str(r).strip().lower() for r in row.recipients or []}]
    read = set(
        session.scalars(
            select(InboxRead.message_id).where(
                InboxRead.user_id == user.id, InboxRead.message_id.in_([row.id for row in mine])
            )
        )
    )
    items = [
        InboxItem(row.id, row.created_at, row.kind, row.subject, row.body_text, row.event_id, row.level, row.id in read)
        for row in mine
    ]
    return sorted(items, key=lambda item: item.read)  # stable: newest first within unread and read


def mark_read(
    session: Session, settings: Settings, user: User, message_ids: list[int], now: datetime | None = None
) -> int:
    """Record that the user read these messages (only ones sent to them); returns how many were newly marked."""
    now = now or utcnow()
    mine = {item.id for item in inbox(session, settings, user, now) if not item.read}
    chosen = [message_id for message_id in dict.fromkeys(message_ids) if message_id in mine]
    for message_id in chosen:
        session.add(InboxRead(user_id=user.id, message_id=message_id, read_at=now))
    return len(chosen)
