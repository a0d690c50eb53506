"""Events (mentions of the same matter, the unit of the workflow), their statuses and hourly heat."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yuqing.db.models.base import Base
from yuqing.db.models.mentions import Mention
from yuqing.timeutil import utcnow

if TYPE_CHECKING:
    from yuqing.db.models.users import Office

# Workflow states of an event (ARCHITECTURE.md): 发现 → 研判 → 处置/回应 → 办结 → 评估, plus 误报 / 无需处置, and 已合并
# for an event found to be the same matter as another (its mentions, responses and heat moved there).
EVENT_STATUSES = {
    "detected": "待研判",
    "assessed": "待回应",
    "responded": "已回应",
    "closed": "已办结",
    "evaluated": "已评估",
    "false_alarm": "误报",
    "no_action": "无需处置",
    "merged": "已合并",
}
OPEN_STATUSES = ("detected", "assessed", "responded")


class Event(Base):
    """Mentions of the same matter; the unit that carries the workflow."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_status_urgency", "status", "urgency"),
        Index("ix_events_detected", "detected_at"),
        Index("ix_events_office", "office_code"),
        Index("ix_events_last_mention", "last_mention_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(40), default="other")
    urgency: Mapped[int] = mapped_column(Integer, default=4)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="detected")
    status_reason: Mapped[str | None] = mapped_column(Text)
    office_code: Mapped[str | None] = mapped_column(ForeignKey("offices.code"))
    village: Mapped[str | None] = mapped_column(String(50))
    key_terms: Mapped[list[Any]] = mapped_column(default=list)
    term_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # term → mentions using it (clustering)
    signals: Mapped[dict[str, Any]] = mapped_column(default=dict)  # merged urgency signals of its mentions
    anchors: Mapped[dict[str, Any]] = mapped_column(default=dict)  # where and when: places, roads, sites, days
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # casualty figures of the newest authoritative post
    merge_record: Mapped[dict[str, Any]] = mapped_column(default=dict)  # status "merged": what it brought (undo)
    emerging: Mapped[bool] = mapped_column(Boolean, default=False)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_published_at: Mapped[datetime | None]
    last_mention_at: Mapped[datetime | None]
    mention_count: Mapped[int] = mapped_column(Integer, default=0)
    source_count: Mapped[int] = mapped_column(Integer, default=0)
    reposts: Mapped[int] = mapped_column(Integer, default=0)
    heat: Mapped[float] = mapped_column(Float, default=0.0)
    velocity: Mapped[float] = mapped_column(Float, default=0.0)  # mentions per hour, recent
    negativity: Mapped[float] = mapped_column(Float, default=0.0)
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    assessed_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    effect: Mapped[dict[str, Any]] = mapped_column(default=dict)  # 评估: before/after response figures
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))  # status "merged": the event kept
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    mentions: Mapped[list[Mention]] = relationship(back_populates="event", foreign_keys=[Mention.event_id])
    office: Mapped[Office | None] = relationship()


class EventHeat(Base):
    """Hourly heat of an event: mentions, distinct sources, reposts, negative mentions."""

    __tablename__ = "event_heat"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer, default=0)
    sources: Mapped[int] = mapped_column(Integer, default=0)
    reposts: Mapped[int] = mapped_column(Integer, default=0)
    negative: Mapped[int] = mapped_column(Integer, default=0)
