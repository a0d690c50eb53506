"""What the system sends out: the alert outbox and generated reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.db.models.base import Base
from yuqing.timeutil import utcnow


class OutboxMessage(Base):
    """An alert to deliver, written in the same transaction as its cause; delivered with retries by a job."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")  # email | webhook
    kind: Mapped[str] = mapped_column(
        String(30)
    )  # alert | warning | breach | escalation | digest | source_down | report
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    level: Mapped[int | None] = mapped_column(Integer)
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # pending → sending → sent | failed; digest (waits for the next digest) → digested; superseded (replaced)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # host:pid:start of the sender holding the claim
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class Report(Base):
    """A generated report (monthly accountability, daily or weekly briefing, an event's 专题报告) and its files.

    A topic report is one row per event and cut-off (period "event12-202612011600"); its summary keeps the cut-off,
    so a missing file is rebuilt byte for byte from it."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("kind", "period", name="uq_report_kind_period"),
        Index("ix_reports_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # monthly | daily | weekly | topic
    period: Mapped[str] = mapped_column(String(40))  # 2026-11, 2026-11-25, 2026-W48, event12-202612011600
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))  # topic reports: the event
    created_by: Mapped[str | None] = mapped_column(String(100))  # who had it made (None: the scheduler)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    files: Mapped[list[Any]] = mapped_column(default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
