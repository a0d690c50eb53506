"""Turning one crawled item into rows: analyse (pure), then store the mention, its evidence and its event, every
field de-identified (title, text, author, URLs, the evidence page itself)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.analysis_context import analysis_context
from yuqing.app import App
from yuqing.comments import judge_event_comments, store_comments
from yuqing.db.models import Mention, Snapshot, Source
from yuqing.event_figures import refresh_counts
from yuqing.events import attach_to_event, lock_event_candidates
from yuqing.privacy import masked
from yuqing.settings_model import Settings
from yuqing.snapshots import build_snapshot
from yuqing.timeutil import as_utc, utcnow

log = logging.getLogger("yuqing.ingest")
MAX_TEXT = 200_000  # characters kept per mention; the full page stays in the snapshot


class IngestError(ValueError):
    """An item that cannot be stored; the message (Chinese) names the source and URL."""


@dataclass
class IngestResult:
    status: str  # new | updated | unchanged
    mention_id: int | None
    event_id: int | None = None


def _text(value: Any) -> str:
    return "" if value is None else str(value)[:MAX_TEXT]


def _validate(item: dict[str, Any]) -> dict[str, Any]:
    where = f"来源 {item.get('source') or '?'} 的 {item.get('url') or '(无网址)'}"
    if not item.get("source"):
        raise IngestError(f"{where}:缺少来源名称")
    if not item.get("url"):
        raise IngestError(f"{where}:缺少网址")
    if not (_text(item.get("title")).strip() or _text(item.get("content")).strip()):
        raise IngestError(f"{where}:标题和正文都为空")
    for key in ("published_at", "fetched_at", "reply_at"):
        value = item.get(key)
        if value is not None and not isinstance(value, datetime):
            raise IngestError(f"{where}:{key} 应为时间,收到 {value!r}")
    return item


def content_hash(title: str, content: str) -> str:
    """Exact-duplicate key of a text (after whitespace is folded)."""
    folded = "".join((title + "\n" + content).split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def ingest_item(app: App, item: dict[str, Any], now: datetime | None = None) -> IngestResult:
    """Analyse and store one crawled item; returns whether it was new, updated or unchanged."""
    from pipeline.analyze import TextIn, analyze
    from yuqing.learning import refresh_active_model
    from yuqing.schemes.live import refresh_schemes

    item = _validate(item)
    refresh_active_model(app)  # a topic model switched in (here or by another process) is used from now on
    refresh_schemes(app)  # so are monitoring schemes changed on the 监测方案 page (here or in another process)
    now = now or utcnow()
    settings = app.settings
    source_conf = settings.source(item["source"])
    analysis = analyze(
        TextIn(
            title=_text(item.get("title")),
            content=_text(item.get("content")),
            source_type=source_conf.source_type if source_conf else item.get("source_type", "other"),
            published_at=item.get("published_at"),
        ),
        analysis_context(settings),
    )
    with app.db.write() as session:
        result = _store(session, settings, item, analysis, now)
    if result.event_id is not None:
        app.wake_outbox()
    return result


def insert_ignoring_conflict(session: Session, model, values: dict[str, Any], key: str) -> Any:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING the primary key, in the database's own dialect: the new row's
    key, or None when another writer stored that key first (on PostgreSQL the statement waits for that writer to
    commit)."""
    primary = model.__mapper__.primary_key[0]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases: plain insert, a race surfaces as IntegrityError
        from sqlalchemy import insert  # type: ignore[assignment]

        return session.execute(insert(model).values(**values).returning(primary)).scalar_one()
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=[key]).returning(primary)
    return session.execute(statement).scalar_one_or_none()


def _source(session: Session, settings: Settings, name: str, kind: str | None, url: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        conf = settings.source(name)
        insert_ignoring_conflict(
            session,
            Source,
            {
                "name": name,
                "kind": kind or (conf.kind if conf else "html"),
                "url": conf.url if conf else url,
                "title": (conf.title or name) if conf else name,
                "source_type": conf.source_type if conf else "other",
                "enabled": True,
            },
            "name",
        )
        source = session.scalars(select(Source).where(Source.name == name)).one()
    return source


def _store(session: Session, settings: Settings, item: dict[str, Any], analysis, now: datetime) -> IngestResult:
    """Store the item once: the mention row goes in with ON CONFLICT DO NOTHING on its canonical URL, so two workers
    racing on one item store it once (the loser updates the winner's row, as a poll seeing it again would)."""
    if analysis.relevant:
        # Taken first, before any row lock, so that workers queue in one order (no deadlock with source rows).
        lock_event_candidates(session)
    canonical = masked(item.get("canonical_url") or item["url"])
    existing = session.scalar(select(Mention).where(Mention.canonical_url == canonical))
    if existing is not None:
        return _update(session, settings, existing, item, analysis, now)
    source = _source(session, settings, item["source"], item.get("source_kind"), item["url"])
    source_conf = settings.source(source.name)
    values = {
        "source_id": source.id,
        "url": masked(item["url"]),
        "canonical_url": canonical,
        "content_hash": content_hash(analysis.title_masked, analysis.content_masked),
        "title": analysis.title_masked,
        "content": analysis.content_masked,
        "author": _masked(item.get("author"), 200),
        "source_type": source.source_type,
        "official": bool(source_conf.official) if source_conf else False,
        "published_at": as_utc(item.get("published_at")),
        "first_seen_at": now,
        "updated_at": now,
        "reposts": item.get("reposts"),
        "comments": item.get("comments"),
        "relevant": analysis.relevant,
        "schemes": list(analysis.schemes),
        "matched_terms": list(analysis.matched_terms),
        "topic": analysis.topic,
        "topic_scores": dict(analysis.topic_scores),
        "topic_model": analysis.topic_model,
        "urgency": analysis.urgency,
        "urgency_reasons": list(analysis.urgency_reasons),
        "negativity": analysis.negativity,
        "village": analysis.village,
        "simhash": analysis.simhash,
        "board_status": item.get("board_status"),
        "reply_text": _masked(item.get("reply_text")),
        "reply_at": as_utc(item.get("reply_at")),
        "reply_office": _masked(item.get("reply_office"), 200),
        "platform": (item.get("platform") or None) and str(item["platform"])[:20],
        "search_keyword": (item.get("search_keyword") or None) and str(item["search_keyword"])[:200],
    }
    mention_id = insert_ignoring_conflict(session, Mention, values, "canonical_url")
    if mention_id is None:
        # Another worker stored it between our look and our insert (and has committed): it is theirs.
        existing = session.scalars(
            select(Mention).where(Mention.canonical_url == canonical).execution_options(populate_existing=True)
        ).one()
        return _update(session, settings, existing, item, analysis, now)
    source.last_new_item_at = now
    mention = session.get(Mention, mention_id)
    assert mention is not None
    snapshot = build_snapshot(settings.evidence, mention.id, item, now)
    if snapshot:
        session.add(snapshot)
    store_comments(session, mention, item.get("comment_list"), now)
    event_id = None
    if analysis.relevant:
        event = attach_to_event(session, settings, mention, analysis, now)
        event_id = event.id if event is not None else None
        if event is not None and item.get("comment_list"):
            judge_event_comments(session, settings, event, now)
    return IngestResult("new", mention.id, event_id)


def _masked(text: str | None, limit: int = MAX_TEXT) -> str | None:
    """Every text field of a mention is stored de-identified (not only title and body), cut to its column."""
    return masked(_text(text))[:limit] if text else None


def _update(
    session: Session, settings: Settings, mention: Mention, item: dict[str, Any], analysis, now: datetime
) -> IngestResult:
    """A mention seen again: a board reply that appeared, new counts, or edited text."""
    from yuqing.workflow.hooks import on_mention_joined

    changed: list[str] = []
    reply_text = _masked(item.get("reply_text"))
    new_reply = bool(reply_text) and reply_text != mention.reply_text
    updates = {
        "board_status": item.get("board_status"),
        "reply_text": reply_text,
        "reply_at": as_utc(item.get("reply_at")),
        "reply_office": _masked(item.get("reply_office"), 200),
        "reposts": item.get("reposts"),
        "comments": item.get("comments"),
    }
    for field, value in updates.items():
        if value is not None and getattr(mention, field) != value:
            setattr(mention, field, value)
            changed.append(field)
    digest = content_hash(analysis.title_masked, analysis.content_masked)
    if digest != mention.content_hash:
        mention.title, mention.content, mention.content_hash = analysis.title_masked, analysis.content_masked, digest
        changed.append("content")
    new_comments = store_comments(session, mention, item.get("comment_list"), now)
    raised = False
    if new_comments:
        changed.append(f"评论 +{new_comments}")
        if mention.event is not None:
            refresh_counts(session, mention.event, now)
            raised = judge_event_comments(session, settings, mention.event, now)
    if not changed:
        return IngestResult("unchanged", mention.id, mention.event_id)
    mention.updated_at = now
    snapshot = build_snapshot(settings.evidence, mention.id, item, now)
    latest = session.scalar(
        select(Snapshot.sha256).where(Snapshot.mention_id == mention.id).order_by(Snapshot.id.desc())
    )
    if snapshot and snapshot.sha256 != latest:
        session.add(snapshot)
    if new_reply and mention.event is not None:
        on_mention_joined(session, settings, mention.event, mention)
    log.info("信息 %s 有更新:%s", mention.id, "、".join(changed))
    return IngestResult("updated", mention.id, mention.event_id if new_reply or raised else None)
