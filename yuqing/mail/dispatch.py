"""One entry point for every alert: an outbox row for the e-mail and one per matching webhook, same transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from yuqing.db.models import OutboxMessage
from yuqing.mail.messages import Message
from yuqing.mail.outbox import enqueue
from yuqing.mail.webhook import webhook_body
from yuqing.settings_model import Settings, WebhookSettings

log = logging.getLogger("yuqing.mail")


def dispatch(
    session: Session,
    settings: Settings,
    message: Message,
    *,
    kind: str,
    recipients: list[str],
    event_id: int | None = None,
    level: int | None = None,
    dedupe_key: str | None = None,
    hold: bool = False,
    now: datetime | None = None,
) -> list[OutboxMessage]:
    """Queue a message by e-mail (to the admins if nobody else) and to the webhooks whose filters match.

    `hold` keeps it for the next digest instead of sending it now; webhooks then filter on the kind "digest".
    """
    status = "digest" if hold else "pending"
    queued: list[OutboxMessage | None] = []
    to = [r for r in recipients if r] or [r for r in settings.mail.admin_emails if r]
    if to:
        queued.append(
            enqueue(
                session,
                kind=kind,
                recipients=to,
                subject=message.subject,
                body_text=message.text,
                body_html=message.html,
                event_id=event_id,
                level=level,
                dedupe_key=dedupe_key,
                status=status,
                now=now,
            )
        )
    else:
        log.warning("提醒“%s”没有收件人(责任单位和管理员都未配置邮箱)", message.subject)
    heard_as = "digest" if hold else kind
    for hook in settings.webhooks:
        if heard_as in hook.kinds and (level is None or level in hook.levels):
            queued.append(
                enqueue_webhook(
                    session,
                    hook,
                    message,
                    kind=kind,
                    event_id=event_id,
                    level=level,
                    dedupe_key=dedupe_key,
                    status=status,
                    now=now,
                )
            )
    return [row for row in queued if row is not None]


def enqueue_webhook(
    session: Session,
    hook: WebhookSettings,
    message: Message,
    *,
    kind: str,
    event_id: int | None = None,
    level: int | None = None,
    dedupe_key: str | None = None,
    status: str = "pending",
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Queue a message for one webhook, in the webhook's format."""
    return enqueue(
        session,
        channel="webhook",
        kind=kind,
        recipients=[hook.name],
        subject=message.subject,
        body_text=message.markdown,
        event_id=event_id,
        level=level,
        dedupe_key=f"{dedupe_key}@{hook.name}" if dedupe_key else None,
        status=status,
        now=now,
        payload={
            "webhook": hook.name,
            "url": hook.url,
            "format": hook.format,
            "body": webhook_body(hook.format, message, kind),
        },
    )
