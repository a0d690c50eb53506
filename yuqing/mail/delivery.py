"""Delivering the outbox: claim due rows in a short transaction, send, mark each one sent at once; retry with backoff.

Guarantees. A row is only ever marked sent after its transport accepted it, so nothing is lost. A crash between
the claim and the mark leaves the row in "sending", claimed by host:pid:start of the dead sender. Any sender on
the same host sees that the claiming process is gone and takes the row again at once (its own restart included);
a claim held by another machine is taken after the lease (LEASE_SECONDS). For the .eml folder the file name is
the Message-ID, so the retry finds the file and does not write a second one. For SMTP the window for a duplicate
is the few milliseconds between the server's "250 OK" and our commit; a message sent twice in that case carries
the same Message-ID, which mail clients and servers use to drop the copy (see docs/operations.md).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import CursorResult

from yuqing.app import App
from yuqing.db.models import OutboxMessage
from yuqing.mail.transports import DeliveryError, Smtp, build_email, email_transport
from yuqing.mail.webhook import post_json
from yuqing.settings_model import MailSettings
from yuqing.timeutil import utcnow

log = logging.getLogger("yuqing.mail")
LEASE_SECONDS = 300.0  # longer than any single send (smtp_timeout) takes
BATCH = 100
_unreachable: dict[tuple[str, int], datetime] = {}  # SMTP servers this process could not connect to, and when


@dataclass
class DeliveryReport:
    """What one call of deliver_due did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(conf: MailSettings, attempts: int) -> timedelta:
    """Wait before the next try: retry_base_seconds doubled per failed attempt, at most retry_max_seconds."""
    return timedelta(seconds=min(conf.retry_max_seconds, conf.retry_base_seconds * 2 ** max(attempts - 1, 0)))


def _process_start(pid: int) -> str | None:
    """When the process started (clock ticks since boot, from /proc), or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""  # no /proc here: the pid alone must do
    return stat.rsplit(")", 1)[1].split()[19]


def sender_id() -> str:
    """This process as a claim owner: host, pid and start time (a pid reused after a reboot is not the same)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid()) or ''}"


def _sender_gone(owner: str) -> bool:
    """Whether a claim owner on this host no longer runs (claims from other hosts: unknown, so False)."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid, start = int(parts[1]), parts[2]
    current = _process_start(pid)
    if current != "":
        return current is None or current != start
    try:  # no /proc: a process with that pid is assumed to be the owner
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reclaim_orphans(app: App, now: datetime) -> int:
    """Put back at once the rows claimed by senders on this host that have died (crash, SIGKILL, restart)."""
    me = sender_id()
    prefix = socket.gethostname() + ":"
    with app.db.write() as session:
        owners = set(
            session.scalars(
                select(OutboxMessage.claimed_by).where(
                    OutboxMessage.status == "sending",
                    OutboxMessage.claimed_by.startswith(prefix, autoescape=True),
                    OutboxMessage.claimed_by != me,
                )
            )
        )
        dead = [owner for owner in owners if owner and _sender_gone(owner)]
        if not dead:
            return 0
        count = cast(
            CursorResult,
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "sending", OutboxMessage.claimed_by.in_(dead))
                .values(
                    status="pending",
                    next_attempt_at=now,
                    claimed_at=None,
                    claimed_by=None,
                    attempts=OutboxMessage.attempts + 1,
                    last_error="发送进程意外退出,已重新排队",
                )
            ),
        ).rowcount
    log.warning("%d 条提醒的发送进程已退出(%s),已立即重新排队", count, "、".join(sorted(dead)))
    return count


def claim(app: App, now: datetime, limit: int = BATCH, lease_seconds: float = LEASE_SECONDS) -> list[OutboxMessage]:
    """Take due rows (and rows whose sender died mid-delivery) in one short transaction."""
    stale = now - timedelta(seconds=lease_seconds)
    me = sender_id()
    with app.db.write() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(
                    or_(
                        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at <= stale),
                    )
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.status, row.claimed_at, row.claimed_by = "sending", now, me
    return rows


def _finish(app: App, row: OutboxMessage, now: datetime, error: DeliveryError | None, note: str = "") -> str:
    conf = app.settings.mail
    attempts = row.attempts + 1
    if error is None:
        values = {"status": "sent", "sent_at": now, "last_error": None if note == "已投递" else note}
        outcome = "sent"
    elif error.permanent or attempts >= conf.max_attempts:
        values = {"status": "failed", "last_error": str(error)}
        outcome = "failed"
        log.error("提醒 %s 投递失败,不再重试:%s", row.message_id, error)
    else:
        values = {"status": "pending", "next_attempt_at": now + backoff(conf, attempts), "last_error": str(error)}
        outcome = "retried"
    with app.db.write() as session:
        # Only the claim we hold is finished: a row re-taken after a lease expired belongs to its new sender.
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.status == "sending",
                OutboxMessage.claimed_at == row.claimed_at,
            )
            .values(attempts=attempts, claimed_at=None, claimed_by=None, **values)
        )
    return outcome


def _server(conf: MailSettings) -> tuple[str, int]:
    return conf.smtp_host, conf.smtp_port


def _deliver_emails(app: App, rows: list[OutboxMessage], clock: Callable[[], datetime], report: DeliveryReport) -> None:
    conf = app.settings.mail
    pending = list(rows)
    connected = False
    try:
        with email_transport(conf) as transport:
            connected = True
            while pending:
                row = pending[0]
                try:
                    note = transport.send(row, build_email(row, conf.sender))
                except DeliveryError as exc:
                    pending.pop(0)
                    _count(report, _finish(app, row, clock(), exc))
                    if not exc.permanent:
                        raise  # the connection is suspect: the rest of this round waits too
                    continue
                pending.pop(0)
                _count(report, _finish(app, row, clock(), None, note))
    except DeliveryError as exc:
        log.warning("邮件暂时无法发送(%d 封稍后重试):%s", len(pending), exc)
        if not connected:
            _unreachable[_server(conf)] = clock()
        for row in pending:
            _count(report, _finish(app, row, clock(), exc))


def _probe_and_release(app: App, now: datetime) -> int:
    """After the SMTP server was unreachable, try to connect every retry_base_seconds; once it answers, the mail
    waiting out its backoff is due at once (so alerts arrive when the server returns, not minutes later)."""
    conf = app.settings.mail
    last = _unreachable.get(_server(conf))
    if not conf.smtp_host or last is None or now - last < timedelta(seconds=conf.retry_base_seconds):
        return 0
    try:
        with Smtp(conf):
            pass
    except DeliveryError:
        _unreachable[_server(conf)] = now
        return 0
    del _unreachable[_server(conf)]
    with app.db.write() as session:
        released = cast(
            CursorResult,
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.channel == "email",
                    OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at > now,
                )
                .values(next_attempt_at=now)
            ),
        ).rowcount
    log.info("SMTP 服务器已恢复,%d 封待重试的邮件立即发送", released)
    return released


def _deliver_webhooks(
    app: App, rows: list[OutboxMessage], clock: Callable[[], datetime], report: DeliveryReport
) -> None:
    hooks = {hook.name: hook for hook in app.settings.webhooks}
    for row in rows:
        hook = hooks.get(row.payload.get("webhook", ""))
        url = hook.url if hook else row.payload.get("url", "")
        try:
            note = post_json(
                url, row.payload.get("body", {}), message_id=row.message_id, timeout=app.settings.mail.smtp_timeout
            )
        except DeliveryError as exc:
            _count(report, _finish(app, row, clock(), exc))
        else:
            _count(report, _finish(app, row, clock(), None, note))


def _count(report: DeliveryReport, outcome: str) -> None:
    setattr(report, outcome, getattr(report, outcome) + 1)


def deliver_due(
    app: App, now: datetime | None = None, *, limit: int = BATCH, lease_seconds: float = LEASE_SECONDS
) -> DeliveryReport:
    """Deliver every due outbox row; safe to call right after a commit, from a job, or from several processes."""
    report = DeliveryReport()
    clock = (lambda: now) if now else utcnow
    reclaim_orphans(app, clock())
    while True:
        rows = claim(app, clock(), limit, lease_seconds)
        if not rows:
            if _probe_and_release(app, clock()):
                continue
            break
        _deliver_webhooks(app, [r for r in rows if r.channel == "webhook"], clock, report)
        _deliver_emails(app, [r for r in rows if r.channel != "webhook"], clock, report)
    if report.sent or report.retried or report.failed:
        log.info("提醒投递:成功 %d,待重试 %d,失败 %d", report.sent, report.retried, report.failed)
    return report
