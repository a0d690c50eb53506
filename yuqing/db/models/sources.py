"""Public sources and crawling state: the sources, their polls, added sources, search keywords, the HTTP cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.db.models.base import Base
from yuqing.timeutil import utcnow


class Source(Base):
    """A configured public source and its health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(1000))
    source_type: Mapped[str] = mapped_column(String(20), default="other")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_item_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    down_since: Mapped[datetime | None]  # set while a "source down/silent" alert is active
    down_reason: Mapped[str | None] = mapped_column(String(200))
    last_down_alert_at: Mapped[datetime | None]
    limited_reason: Mapped[str | None] = mapped_column(String(300))  # the last run hit a cap (misbehaving source)
    # The site answered with a captcha page or 403/429: why, since when, until when polls pause, how many times in a row.
    blocked_reason: Mapped[str | None] = mapped_column(String(300))
    blocked_at: Mapped[datetime | None]
    blocked_until: Mapped[datetime | None]
    blocked_count: Mapped[int] = mapped_column(Integer, default=0)


class CrawlRun(Base):
    """One poll of one source: what it fetched and what went wrong."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)


class AddedSource(Base):
    """A source an administrator added on the 来源 page (after a 试采 dry run); config.toml stays the seed, these
    are added to its [[sources]] when the application opens (a name config already uses is left out)."""

    __tablename__ = "added_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the [[sources]] entry, as config.toml would hold it
    spec_text: Mapped[str] = mapped_column(Text, default="")  # what the administrator wrote (TOML)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchKeyword(Base):
    """A keyword of a search source: when it was last searched and the newest result then (the next search stops
    there: results run newest first)."""

    __tablename__ = "search_keywords"
    __table_args__ = (UniqueConstraint("source_name", "keyword", name="uq_search_keywords_source_keyword"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(100))
    keyword: Mapped[str] = mapped_column(String(200))
    last_run_at: Mapped[datetime | None]
    last_seen_url: Mapped[str | None] = mapped_column(String(1000))  # canonical (masked) URL of the newest result
    last_hit_at: Mapped[datetime | None]  # when a search of it last found something new
    searches: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)  # new results handed to ingest, all runs


class HttpCacheEntry(Base):
    """Validators for conditional GET (ETag / Last-Modified) per URL."""

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(String(1000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
