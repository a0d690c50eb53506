"""Mentions and their evidence: the fetched snapshots and the comments under them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yuqing.db.models.base import Base
from yuqing.timeutil import utcnow

if TYPE_CHECKING:
    from yuqing.db.models.events import Event
    from yuqing.db.models.sources import Source


class Mention(Base):
    """One post, article or message. Title and content are stored masked; the original is in its snapshots."""

    __tablename__ = "mentions"
    __table_args__ = (
        Index("ix_mentions_first_seen", "first_seen_at"),
        Index("ix_mentions_event", "event_id", "source_id"),  # covers the per-event source counts
        Index("ix_mentions_relevant_seen", "relevant", "first_seen_at"),
        Index("ix_mentions_content_hash", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(String(1000))
    canonical_url: Mapped[str] = mapped_column(String(1000), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(200))
    source_type: Mapped[str] = mapped_column(String(20), default="other")
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    reposts: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    relevant: Mapped[bool] = mapped_column(Boolean, default=False)
    schemes: Mapped[list[Any]] = mapped_column(default=list)
    matched_terms: Mapped[list[Any]] = mapped_column(default=list)
    topic: Mapped[str] = mapped_column(String(40), default="other")
    topic_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    topic_model: Mapped[str | None] = mapped_column(String(40))  # which classifier decided the topic (内置词库, v3)
    urgency: Mapped[int] = mapped_column(Integer, default=4)
    urgency_reasons: Mapped[list[Any]] = mapped_column(default=list)
    negativity: Mapped[float] = mapped_column(Float, default=0.0)
    village: Mapped[str | None] = mapped_column(String(50))
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    # Why the clustering put it where it went (并入事件 #12：共同关键词… / 新建事件：与最接近的事件 … 地点不同), in Chinese
    join_reason: Mapped[str | None] = mapped_column(Text)
    board_status: Mapped[str | None] = mapped_column(String(10))
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_at: Mapped[datetime | None]
    reply_office: Mapped[str | None] = mapped_column(String(200))
    platform: Mapped[str | None] = mapped_column(String(20))  # 微博, 微信公众号 … (RSSHub routes)
    search_keyword: Mapped[str | None] = mapped_column(String(200))  # the keyword whose search found it

    source: Mapped[Source] = relationship()
    event: Mapped[Event | None] = relationship(back_populates="mentions", foreign_keys=[event_id])


class Snapshot(Base):
    """The fetched page or feed entry behind a mention, kept as evidence: gzip-compressed and de-identified;
    with [evidence] keep_raw also the raw page, encrypted, until raw_expires_at (see yuqing.snapshots)."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_type: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored (de-identified) body
    body_gz: Mapped[bytes] = mapped_column(LargeBinary)
    raw_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # Fernet token of the gzip-compressed raw page
    raw_expires_at: Mapped[datetime | None]


class Comment(Base):
    """A comment or reply under a mention (a forum thread's replies, an API's comment list), stored de-identified
    like the mention itself; counted into its event's heat and negativity."""

    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("mention_id", "key", name="uq_comments_mention_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # the site's comment id, else a digest of position and text
    position: Mapped[int] = mapped_column(Integer, default=0)  # floor / order on the page
    author: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    negativity: Mapped[float] = mapped_column(Float, default=0.0)
    hostile: Mapped[bool] = mapped_column(Boolean, default=False)
