"""The workflow's record: the audit log, stage deadlines and breaches, shift handovers, responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.db.models.base import Base
from yuqing.timeutil import utcnow

STAGE_NAMES = {"detect": "发现", "assess": "研判", "publish": "发布权威信息", "press": "新闻发布会", "respond": "回应"}


class AuditLog(Base):
    """Append-only record of every change: who, when, what, before → after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_event_at", "event_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))  # username, or "system"
    entity: Mapped[str] = mapped_column(String(20), default="event")
    entity_id: Mapped[str | None] = mapped_column(String(100))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)


class Deadline(Base):
    """One stage's deadline for one event, as computed at the time; superseded, never rewritten, on a level change."""

    __tablename__ = "deadlines"
    # event_id last: the open-deadline scans (dashboard overview, deadline check) read the index only.
    __table_args__ = (Index("ix_deadlines_open", "done_at", "superseded_at", "due_at", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))  # assess | publish | press | respond
    level: Mapped[int] = mapped_column(Integer)
    # Who holds (does, is told about and is charged for) the stage: "duty" (the 舆情 duty desk) or "office"
    holder: Mapped[str] = mapped_column(String(10), default="office")
    office_code: Mapped[str | None] = mapped_column(ForeignKey("offices.code"))  # the office, when it holds the stage
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    starts_at: Mapped[datetime]
    due_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]
    warned_shares: Mapped[list[Any]] = mapped_column(default=list)
    breached_at: Mapped[datetime | None]
    escalation_step: Mapped[int] = mapped_column(Integer, default=0)
    next_escalation_at: Mapped[datetime | None]


class Breach(Base):
    """A missed deadline, on the record for the accountability report."""

    __tablename__ = "breaches"
    __table_args__ = (Index("ix_breaches_due", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str] = mapped_column(String(10), default="office")  # who held the stage: duty | office
    office_code: Mapped[str | None] = mapped_column(ForeignKey("offices.code"))
    due_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class ShiftHandover(Base):
    """A duty officer's handover at the end of a shift: a note and what was open; the next officer acknowledges it."""

    __tablename__ = "shift_handovers"
    __table_args__ = (Index("ix_shift_handovers_at", "handed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_start: Mapped[datetime]
    shift_end: Mapped[datetime]
    handed_by: Mapped[str] = mapped_column(String(100))
    handed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)  # open work and what falls due next shift
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None]


class Response(Base):
    """What was published in response to an event: proposed from evidence or recorded by an officer."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default="respond")
    status: Mapped[str] = mapped_column(String(20), default="confirmed")  # proposed | confirmed | rejected
    channel: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(String(1000))
    content: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime]
    evidence_mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"))
    recorded_by: Mapped[str] = mapped_column(String(100), default="system")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("event_id", "evidence_mention_id", name="uq_response_evidence"),)
