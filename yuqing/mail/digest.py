"""Digests: level 3–4 alerts held in the outbox and sent together at the configured times, never in quiet hours."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from yuqing.app import App
from yuqing.db.models import OutboxMessage
from yuqing.mail import messages
from yuqing.mail.dispatch import enqueue_webhook
from yuqing.mail.event_view import load_views
from yuqing.mail.outbox import enqueue
from yuqing.settings_model import Settings
from yuqing.timeutil import UTC, utcnow

log = logging.getLogger("yuqing.mail")


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(settings: Settings, moment: datetime) -> bool:
    """Whether a moment falls in alerts.quiet_hours (local time; a span may cross midnight)."""
    span = settings.alerts.quiet_hours
    if not span:
        return False
    start, end = (_hhmm(part) for part in span.split("-"))
    local = moment.astimezone(ZoneInfo(settings.general.timezone)).time()
    return start <= local < end if start <= end else (local >= start or local < end)


def last_slot(settings: Settings, now: datetime) -> datetime | None:
    """The latest digest time at or before now (UTC), looking back one day."""
    zone = ZoneInfo(settings.general.timezone)
    today = now.astimezone(zone).date()
    slots = [
        datetime.combine(day, _hhmm(text), tzinfo=zone).astimezone(UTC)
        for day in (today - timedelta(days=1), today)
        for text in settings.alerts.digest_times
    ]
    passed = [slot for slot in slots if slot <= now]
    return max(passed) if passed else None


def _key(slot: datetime, channel: str, recipients: list[str]) -> str:
    who = hashlib.sha1(",".join(recipients).encode("utf-8")).hexdigest()[:16]
    return f"digest:{slot.isoformat()}:{channel}:{who}"


def send_digests(app: App, now: datetime | None = None) -> int:
    """Turn alerts held until the latest digest time into one digest per recipient list; returns digests queued.

    Safe to run as often as wanted: each (time, recipients) digest is queued once; alerts that arrive after a
    digest went out, or while its time is in quiet hours, wait for the next one.
    """
    settings = app.settings
    now = now or utcnow()
    slot = last_slot(settings, now)
    if slot is None or in_quiet_hours(settings, slot):
        return 0
    queued = 0
    with app.db.write() as session:
        held = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "digest", OutboxMessage.created_at <= slot)
                .order_by(OutboxMessage.id)
                .with_for_update(skip_locked=True)
            )
        )
        groups: dict[tuple[str, tuple[str, ...]], list[OutboxMessage]] = defaultdict(list)
        for row in held:
            groups[(row.channel, tuple(row.recipients))].append(row)
        views = load_views(session, settings, [row.event_id for row in held if row.event_id is not None])
        hooks = {hook.name: hook for hook in settings.webhooks}
        for (channel, recipients), rows in groups.items():
            events = sorted(
                {views[r.event_id].id: views[r.event_id] for r in rows if r.event_id in views}.values(),
                key=lambda v: (v.level, v.detected_at),
            )
            if not events:
                continue
            message = messages.digest(events, settings, now, slot)
            key = _key(slot, channel, list(recipients))
            if channel == "webhook" and recipients[0] not in hooks:
                for row in rows:
                    row.status, row.last_error = "failed", "该 Webhook 已从配置中删除"
                continue
            if channel == "webhook":
                digest_row = enqueue_webhook(
                    session, hooks[recipients[0]], message, kind="digest", dedupe_key=key, now=now
                )
            else:
                digest_row = enqueue(
                    session,
                    kind="digest",
                    recipients=list(recipients),
                    subject=message.subject,
                    body_text=message.text,
                    body_html=message.html,
                    dedupe_key=key,
                    now=now,
                )
            if digest_row is None:
                continue  # this time's digest already went out; these wait for the next one
            for row in rows:
                row.status = "digested"
                row.payload = {**row.payload, "digest": digest_row.message_id}
            queued += 1
    if queued:
        log.info("已生成 %d 封舆情摘要(%s)", queued, slot.isoformat())
        app.wake_outbox()
    return queued
