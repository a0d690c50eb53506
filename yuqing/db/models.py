"""SQLAlchemy 2.0 typed models: sources, mentions and their evidence, events, workflow, deadlines, outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from yuqing.db.types import UTCDateTime
from yuqing.timeutil import utcnow

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
STAGE_NAMES = {"detect": "发现", "assess": "研判", "publish": "发布权威信息", "press": "新闻发布会", "respond": "回应"}
ROLES = {"duty": "值班员", "office": "责任单位", "leader": "镇领导", "admin": "管理员"}


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


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


class MonitoringScheme(Base):
    """A monitoring scheme (监测方案) in force: seeded from config.toml's [[schemes]] (origin config) or written on
    the 监测方案 page (origin dashboard). `managed_by` says who governs it now: config (config.toml changes are
    applied when the application opens) or dashboard (edited on the page at least once; config no longer touches
    it). Every change is a SchemeVersion row."""

    __tablename__ = "monitoring_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    event: Mapped[str] = mapped_column(Text, default="")
    exclude: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    office_code: Mapped[str | None] = mapped_column(String(50))  # the office that keeps it; None: the town's
    origin: Mapped[str] = mapped_column(String(20), default="config")  # config | dashboard
    managed_by: Mapped[str] = mapped_column(String(20), default="config")  # config | dashboard
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchemeVersion(Base):
    """One change of a monitoring scheme: who, when, what (seed | config | create | edit | disable | enable),
    the scheme before and after (None before its first version). The highest id tells every process that the
    schemes changed."""

    __tablename__ = "scheme_versions"
    __table_args__ = (UniqueConstraint("scheme_id", "version", name="uq_scheme_versions_scheme_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("monitoring_schemes.id"))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str | None] = mapped_column(Text)


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


class Office(Base):
    """A responsible office (责任单位), synchronised from config."""

    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200), default="")
    head_email: Mapped[str] = mapped_column(String(200), default="")
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    """A dashboard user with a role; office users belong to one office."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    office_code: Mapped[str | None] = mapped_column(ForeignKey("offices.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # wrong passwords since the last login


class LoginSession(Base):
    """One dashboard login; the cookie carries its token. Logout, a password or role change and disabling the
    user revoke it on the server, so a copied cookie stops working at once."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token in the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))  # logout | credentials | disabled


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


class Label(Base):
    """A person's judgement about a mention or an event, kept as training data: every 研判 and every correction of a
    topic, level, relevance (误报) or office writes one row, from → to (equal when the person confirmed the system)."""

    __tablename__ = "labels"
    __table_args__ = (
        Index("ix_labels_field_target", "field", "target"),
        Index("ix_labels_mention", "mention_id"),
        Index("ix_labels_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(10))  # mention | event
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    field: Mapped[str] = mapped_column(String(20))  # topic | urgency | relevant | office_code
    before: Mapped[str | None] = mapped_column(String(60))
    after: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30))  # assess | bulk_assess | correct | false_alarm | reassign
    comment: Mapped[str | None] = mapped_column(Text)


class TopicModel(Base):
    """A topic model trained on the town's corrections (a version), with its evaluation on held-back corrections
    against the model in use at the time, and whether it was switched in. At most one row is `active`; none active
    means the configured classifier (shipped lexicon or [classifier] model_dir) is in use."""

    __tablename__ = "topic_models"

    id: Mapped[int] = mapped_column(primary_key=True)  # the version number: v{id}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="training")
    # training → active | rejected | failed; active → retired (another switched in) and back (rollback)
    path: Mapped[str | None] = mapped_column(String(500))  # the model directory, relative to general.data_dir
    correction_rows: Mapped[int] = mapped_column(Integer, default=0)  # labelled mentions trained on
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)  # rows of imported labelled files trained on
    held_back_rows: Mapped[int] = mapped_column(Integer, default=0)
    accuracy: Mapped[float | None] = mapped_column(Float)  # of this model on the held-back corrections
    baseline: Mapped[str | None] = mapped_column(String(60))  # the model in use when it was trained
    baseline_accuracy: Mapped[float | None] = mapped_column(Float)  # of that model on the same rows
    decision: Mapped[str | None] = mapped_column(Text)  # why it was (not) switched in, in Chinese
    activated_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # labels, per-label counts, sources


class InboxRead(Base):
    """A dashboard user has read an alert that was sent to them (their 收件箱); unread ones are listed first."""

    __tablename__ = "inbox_reads"
    __table_args__ = (UniqueConstraint("user_id", "message_id", name="uq_inbox_read"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedFilter(Base):
    """A dashboard user's named filter of the event list (事件); at most one per user is their default, applied when
    they open the list."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_filter_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)  # filter field → value (yuqing.saved_filters.FIELDS)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SourceSchedule(Base):
    """Scale-out crawling (yuqing scheduler/worker): when each source is due, and the lease of the batch that
    holds it. The leader queues a due source and leases it; the worker that finishes it sets its next due time.
    A lease that runs out (the worker died) makes the source due again."""

    __tablename__ = "source_schedule"
    __table_args__ = (Index("ix_source_schedule_due", "next_due_at"),)

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_due_at: Mapped[datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(40))
    queued_at: Mapped[datetime | None]  # when the leader last queued it
    started_at: Mapped[datetime | None]  # when a worker last started it
    done_at: Mapped[datetime | None]  # when a worker last finished it
    worker: Mapped[str | None] = mapped_column(String(200))  # who ran it last
    polls: Mapped[int] = mapped_column(Integer, default=0)


class JobRun(Base):
    """Run records of the leader's periodic jobs: a job runs when next_due_at has come, and next_due_at moves on
    only after it finished, so a leader killed mid-job leaves it due for the next leader (never skipped), and a
    restart finds it already done (never doubled)."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_due_at: Mapped[datetime | None]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_ok: Mapped[bool | None] = mapped_column(Boolean)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    runner: Mapped[str | None] = mapped_column(String(200))
    # One-off runs asked for by a person (re-applying the schemes): who asked, and how far it got / what it did.
    started_by: Mapped[str | None] = mapped_column(String(100))
    progress: Mapped[str | None] = mapped_column(Text)
    progress_at: Mapped[datetime | None]


class ClusterNode(Base):
    """A running role process (scheduler, worker, mailer, web) and its heartbeat, for `yuqing status` and 来源页."""

    __tablename__ = "cluster_nodes"

    node: Mapped[str] = mapped_column(String(200), primary_key=True)  # role@host:pid
    role: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    leader: Mapped[bool] = mapped_column(Boolean, default=False)
    running: Mapped[int] = mapped_column(Integer, default=0)  # batches (or jobs) in progress
    done: Mapped[int] = mapped_column(Integer, default=0)  # sources polled (or mails sent) since start
    cpu_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)


class DomainSlot(Base):
    """Per-site politeness shared by every worker: the earliest time of the next request to the domain."""

    __tablename__ = "domain_slots"

    domain: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(default=utcnow)
