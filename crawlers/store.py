"""The crawler's database work, run on one dedicated thread (shared fairly between sources) so the reactor never
waits on the database."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select

from crawlers.db_queue import FairDbQueue
from crawlers.runs import RunSummary
from yuqing.app import App
from yuqing.db.models import Comment, CrawlRun, HttpCacheEntry, Mention, SearchKeyword, Source
from yuqing.timeutil import as_utc, utcnow

log = logging.getLogger("yuqing.crawl")
T = TypeVar("T")

PENDING_PER_RUN = 30  # board messages awaiting a reply re-read per run (rotating through all of them)
PENDING_MAX_AGE = timedelta(days=180)
MAX_URL = 1000
_board_cursor: dict[str, int] = {}
_db_queue: FairDbQueue | None = None


def in_db_thread(key: str, function: Callable[..., T], *args: Any, item: bool = False):
    """Run function on the crawler's database thread, in the turn of `key` (the source name); returns a Deferred.

    Call on the reactor thread. `item` marks an ingest job: it waits while the source has QUEUE_DEPTH items
    waiting already (see crawlers.db_queue)."""
    return _queue().submit(key, function, *args, item=item)


def _queue() -> FairDbQueue:
    global _db_queue
    from twisted.internet import reactor

    if _db_queue is None:
        _db_queue = FairDbQueue(reactor)
        reactor.addSystemEventTrigger("during", "shutdown", _stop_queue)
    return _db_queue


def drain() -> None:
    """The process is stopping: refuse new items and drop those waiting (they are fetched again next time)."""
    if _db_queue is not None:
        _db_queue.drain()


def _stop_queue() -> None:
    global _db_queue
    if _db_queue is not None:
        _db_queue.stop()
        _db_queue = None


def seen_urls(app: App, canonical_urls: Iterable[str]) -> set[str]:
    """Which of these canonical URLs are already stored as mentions."""
    wanted = list(dict.fromkeys(canonical_urls))
    found: set[str] = set()
    with app.db.read() as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(session.scalars(select(Mention.canonical_url).where(Mention.canonical_url.in_(chunk))))
    return found


def comment_keys(app: App, canonical_urls: Iterable[str], hours: float) -> dict[str, set[str]]:
    """The stored comment keys of the mentions with these canonical URLs first seen in the last `hours` (older
    posts are not re-read for comments, so they are left out)."""
    since = utcnow() - timedelta(hours=hours)
    wanted = list(dict.fromkeys(canonical_urls))
    found: dict[str, set[str]] = {}
    with app.db.read() as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = session.execute(
                select(Mention.canonical_url, Comment.key)
                .outerjoin(Comment, Comment.mention_id == Mention.id)
                .where(Mention.canonical_url.in_(chunk), Mention.first_seen_at >= since)
            )
            for url, key in rows:
                found.setdefault(url, set()).update([key] if key else [])
    return found


def load_validators(app: App, urls: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """Stored ETag / Last-Modified per URL, for conditional GET."""
    wanted = [url for url in dict.fromkeys(urls) if len(url) <= MAX_URL]
    with app.db.read() as session:
        rows = session.scalars(select(HttpCacheEntry).where(HttpCacheEntry.url.in_(wanted))) if wanted else []
        return {row.url: (row.etag, row.last_modified) for row in rows}


def pending_board_messages(app: App, source_name: str, limit: int = PENDING_PER_RUN) -> list[tuple[str, str]]:
    """(url, canonical_url) of stored messages still 未回复, the next `limit` of them in rotation."""
    since = utcnow() - PENDING_MAX_AGE
    cursor = _board_cursor.get(source_name, 0)
    query = (
        select(Mention.id, Mention.url, Mention.canonical_url)
        .join(Source, Mention.source_id == Source.id)
        .where(Source.name == source_name, Mention.board_status == "未回复", Mention.first_seen_at >= since)
        .order_by(Mention.id)
    )
    with app.db.read() as session:
        rows = list(session.execute(query.where(Mention.id > cursor).limit(limit)))
        if len(rows) < limit and cursor:
            rows += list(session.execute(query.where(Mention.id <= cursor).limit(limit - len(rows))))
    _board_cursor[source_name] = rows[-1].id if rows else 0
    # A message whose own address carried personal data is stored with it masked ("*"): that address no
    # longer leads to the page, so its reply is not looked for (docs/operations.md).
    return [(row.url, row.canonical_url) for row in rows if "*" not in row.url]


def blocked_state(app: App, source_name: str) -> tuple[str, Any] | None:
    """(reason, until) while the source is backing off after its site blocked it (captcha, 403, 429), else None."""
    with app.db.read() as session:
        return _blocked(session, source_name)


def _blocked(session, source_name: str) -> tuple[str, Any] | None:
    row = session.execute(select(Source.blocked_reason, Source.blocked_until).where(Source.name == source_name)).first()
    if row is None or row.blocked_until is None or as_utc(row.blocked_until) <= utcnow():
        return None
    return row.blocked_reason or "网站拒绝访问", as_utc(row.blocked_until)


def start_state(
    app: App, source_name: str, urls: Iterable[str]
) -> tuple[tuple[str, Any] | None, dict[str, tuple[str | None, str | None]]]:
    """What a run needs to start, in one session: (blocked_state, validators of these URLs)."""
    wanted = [url for url in dict.fromkeys(urls) if len(url) <= MAX_URL]
    with app.db.read() as session:
        blocked = _blocked(session, source_name)
        if blocked or not wanted:
            return blocked, {}
        rows = session.scalars(select(HttpCacheEntry).where(HttpCacheEntry.url.in_(wanted)))
        return None, {row.url: (row.etag, row.last_modified) for row in rows}


def keyword_states(app: App, source_name: str) -> dict[str, tuple[Any, str | None]]:
    """keyword → (when last searched, canonical URL of the newest result then) for a search source."""
    with app.db.read() as session:
        rows = session.scalars(select(SearchKeyword).where(SearchKeyword.source_name == source_name))
        return {row.keyword: (as_utc(row.last_run_at), row.last_seen_url) for row in rows}


def _save_keywords(session, summary: RunSummary) -> None:
    """Store each searched keyword's time, newest result and hits (the newest only from a run without errors on it)."""
    rows = {
        row.keyword: row
        for row in session.scalars(
            select(SearchKeyword).where(
                SearchKeyword.source_name == summary.source, SearchKeyword.keyword.in_(list(summary.keywords))
            )
        )
    }
    for keyword, state in summary.keywords.items():
        row = rows.get(keyword)
        if row is None:
            row = SearchKeyword(source_name=summary.source, keyword=keyword[:200], searches=0, hits=0)
            session.add(row)
        row.last_run_at = summary.started_at
        row.searches = (row.searches or 0) + 1
        if state.get("newest") and summary.ok and not state.get("failed"):
            row.last_seen_url = state["newest"][:MAX_URL]
        if state.get("hits"):
            row.hits = (row.hits or 0) + state["hits"]
            row.last_hit_at = summary.finished_at


def _back_off(app: App, source: Source, summary: RunSummary) -> None:
    """Blocked: pause polls for blocked_backoff_minutes, doubling with each block in a row (up to the maximum).
    A clean run clears it."""
    crawl = app.settings.crawl
    if summary.blocked:
        source.blocked_count = (source.blocked_count or 0) + 1
        minutes = crawl.blocked_backoff_minutes * 2 ** min(source.blocked_count - 1, 20)
        pause = min(timedelta(minutes=minutes), timedelta(hours=crawl.blocked_backoff_max_hours))
        source.blocked_reason = summary.blocked[:300]
        source.blocked_at = source.blocked_at or summary.started_at
        source.blocked_until = (summary.finished_at or utcnow()) + pause
    elif summary.ok and source.blocked_count:
        source.blocked_count = 0
        source.blocked_reason = source.blocked_at = source.blocked_until = None


_recheck_cursor: dict[str, int] = {}
_rechecked: dict[int, datetime] = {}  # mention id → when this process last re-read it


def recent_posts(
    app: App, source_name: str, hours: float, limit: int, gap_minutes: float = 10
) -> list[tuple[str, str]]:
    """(url, canonical_url) of the source's posts first seen in the last `hours` and not read in the last
    `gap_minutes`, the next `limit` in rotation (re-read for their new comments)."""
    now = utcnow()
    gap = timedelta(minutes=gap_minutes)
    cursor = _recheck_cursor.get(source_name, 0)
    query = (
        select(Mention.id, Mention.url, Mention.canonical_url)
        .join(Source, Mention.source_id == Source.id)
        .where(
            Source.name == source_name,
            Mention.first_seen_at >= now - timedelta(hours=hours),
            Mention.first_seen_at <= now - gap,
        )
        .order_by(Mention.id)
    )
    with app.db.read() as session:
        candidates = list(session.execute(query.where(Mention.id > cursor)))
        if cursor:
            candidates += list(session.execute(query.where(Mention.id <= cursor)))
    rows = [row for row in candidates if now - _rechecked.get(row.id, now - gap) >= gap][:limit]
    for row in rows:
        _rechecked[row.id] = now
    if len(_rechecked) > 100_000:
        _rechecked.clear()
    _recheck_cursor[source_name] = rows[-1].id if rows else 0
    return [(row.url, row.canonical_url) for row in rows if "*" not in row.url]


def record_run(app: App, summary: RunSummary) -> None:
    """Write the CrawlRun row and the source's health fields; keep HTTP validators only from a clean run."""
    summary.finish()
    with app.db.write() as session:
        source = session.scalar(select(Source).where(Source.name == summary.source))
        if source is None:
            conf = app.settings.source(summary.source)
            source = Source(
                name=summary.source,
                kind=conf.kind if conf else "html",
                url=conf.url if conf else "",
                title=(conf.title or conf.name) if conf else summary.source,
            )
            session.add(source)
            session.flush()
        session.add(
            CrawlRun(
                source_id=source.id,
                started_at=summary.started_at,
                finished_at=summary.finished_at,
                ok=summary.ok,
                pages=summary.pages,
                fetched=summary.fetched,
                new=summary.new,
                updated=summary.updated,
                errors=summary.errors,
                not_modified=summary.not_modified,
                message=summary.message,
            )
        )
        source.last_attempt_at = summary.started_at
        _back_off(app, source, summary)
        if summary.keywords:
            _save_keywords(session, summary)
        if summary.ok:
            source.limited_reason = summary.limited[:300] if summary.limited else None
            source.last_success_at = summary.finished_at
            source.consecutive_failures = 0
            source.last_error = None
        else:
            source.consecutive_failures = (source.consecutive_failures or 0) + 1
            source.last_error = summary.fatal
        if summary.new and (source.last_new_item_at is None or source.last_new_item_at < summary.finished_at):
            source.last_new_item_at = summary.finished_at
        # A run with errors may have skipped entries behind a 200 page; a stored validator would turn the
        # next poll of that page into a 304 and the skipped entries would never be fetched.
        if summary.ok and not summary.errors:
            for url, (etag, modified) in summary.validators.items():
                if len(url) <= MAX_URL:
                    session.merge(HttpCacheEntry(url=url, etag=etag, last_modified=modified, updated_at=utcnow()))
    summary.recorded = True
